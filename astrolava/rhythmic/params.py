"""Hyper-parameters of a rhythmic-sharing reservoir, with the published defaults."""

from __future__ import annotations

from dataclasses import dataclass

from astrolava.validation import require_count, require_positive, require_real


@dataclass(frozen=True)
class RhythmicParams:
    """Every constant of the rhythmic-sharing equations, shared by the reference and Lava models.

    Defaults are the published ones (Kang & Losert, "Rhythmic sharing: A bio-inspired paradigm
    for zero-shot adaptive learning in neural networks", arXiv:2502.08644), with the same
    natural frequency for every link. The equations they enter are those of
    :mod:`astrolava.rhythmic.equations`.

    Parameters
    ----------
    n_nodes : int
        Reservoir size N (>= 1).
    mean_degree : float
        Average number of links per node of the random recurrent matrix A (> 0).
    spectral_radius : float
        Spectral radius A is scaled to (> 0).
    input_scale : float
        W_in entries are uniform in ±input_scale inside their block (> 0).
    leak : float
        Node leak λ in [0, 1) (``node_update``).
    bias : float
        Node bias b.
    eps1, eps2 : float
        Offset and gain of the link drive D (``link_drive``).
    m : float
        Modulation depth in [0, 1] (``link_modulation``).
    omega : float
        Natural frequency ω0 of every link (rad per unit time).
    gamma : float
        Sakaguchi phase lag γ (rad).
    tau : float
        Time step τ of the phase update (> 0).
    coupling_degree : float or None
        Average degree k_φ of the link–link (astrocyte) graph; ``None`` means N/2.
    warmup : int
        Steps dropped before fitting a readout (>= 0).
    ridge : float
        Tikhonov regularisation of the readout (>= 0); 1e-20 for clean data, ~1e-2 for noisy data.
    """

    n_nodes: int = 100
    mean_degree: float = 10.0
    spectral_radius: float = 0.6
    input_scale: float = 1.2
    leak: float = 0.0
    bias: float = 0.0
    eps1: float = -0.2
    eps2: float = 0.6
    m: float = 0.6
    omega: float = 0.01
    gamma: float = 0.0
    tau: float = 1.0
    coupling_degree: float | None = None
    warmup: int = 200
    ridge: float = 1e-20

    def __post_init__(self) -> None:
        require_count("n_nodes", self.n_nodes)
        require_positive("mean_degree", self.mean_degree)
        require_positive("spectral_radius", self.spectral_radius)
        require_positive("input_scale", self.input_scale)
        require_real("leak", self.leak, 0.0, 1.0, high_open=True)
        require_real("m", self.m, 0.0, 1.0)
        for name in ("bias", "eps1", "eps2", "omega", "gamma"):
            require_real(name, getattr(self, name))
        require_positive("tau", self.tau)
        if self.coupling_degree is not None:
            require_real("coupling_degree", self.coupling_degree, 0.0)
        require_count("warmup", self.warmup, minimum=0)
        require_real("ridge", self.ridge, 0.0)

    @property
    def k_phi(self) -> float:
        """Average degree of the astrocyte graph: ``coupling_degree``, N/2 by default."""
        return self.n_nodes / 2 if self.coupling_degree is None else self.coupling_degree
