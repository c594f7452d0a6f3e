"""Hyper-parameters of the MGD family, one frozen dataclass per method.

Every learning rule (the torch reference here and the Lava process models) reads its
constants from these objects; each field is validated on construction with an error that
names the field and its allowed range.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from astrolava.validation import (
    require_bool,
    require_count,
    require_in_range,
    require_one_of,
    require_positive,
)
from astrolava.validation import require_int as require_integer_in

NORMALIZATIONS = ("none", "layer", "global")
"""How a directed perturbation is scaled: ``"none"`` keeps ``ε·ĝ``; ``"layer"`` / ``"global"``
rescale ``ĝ`` to Euclidean norm ε per layer / over all parameters of a sample."""

OPTIMIZERS = ("sgd", "adam")
"""``"sgd"``: ``Θ ← Θ − η ĝ``; ``"adam"``: Adam (Kingma & Ba) at step size η fed with ``ĝ``."""
ENGINE = "engine"
"""δ-MGD's learning-engine optimizer (fixed_pt models only, ``astrolava.mgd.fixed``): the
rank-one step's factors normalised per neuron by their running RMS, momentum
``β = 1 − 2^-b`` held per synapse, per-layer step exponents and a step schedule
(``DeltaMGDConfig.rms_shift``, ``momentum_shift``, ``layer_eta_shifts``, ``eta_halving``)."""
LOSSES = ("mse", "ce")
"""Per-sample costs: ``"mse"`` = half squared error to one-hot targets,
``C = 1/2 Σ_k (o_k − t_k)²`` (the δ-MGD paper's cost); ``"ce"`` = softmax cross-entropy
``C = −log softmax(o)_y``."""
REFRESHES = ("node", "autograd")
"""How a DeltaVec is measured: node perturbation (finite differences on the biases, no
autograd) or autograd's bias gradient (analysis only)."""
DELTAVECS = ("class", "output", "chain")
"""What a DeltaVec holds: the bias gradient of a sample of each class (the paper), the
bias gradient of each class's output unit combined per sample with its output error, or
the output currents' Jacobian combined with the exact output δ and each neuron's own slope."""


@dataclass(frozen=True)
class PerturbativeConfig:
    """Parameters shared by every perturbative rule (δ-MGD paper §II, Eq. 1, Alg. 1 l. 17).

    Parameters
    ----------
    eta : float > 0
        Learning rate η of ``Θ ← Θ − η·ĝ``.
    epsilon : float > 0
        Perturbation amplitude ε: each component of a Bernoulli ``θ̃`` (MGD), or the norm of a
        directed ``θ̃`` (see ``normalize``).
    gamma : float >= 0
        Cost weighting of Alg. 1 line 17: the update is multiplied by ``γ·C0``; 0 disables it.
    optimizer : {"sgd", "adam"}
        ``"sgd"``: ``Θ ← Θ − η ĝ``; ``"adam"``: Adam at step size η fed with ĝ.
    weight_decay : float >= 0
        L2 decay λ added to the estimate: ``ĝ ← ĝ + λ Θ``.
    loss : {"mse", "ce"}
        Per-sample cost (see ``LOSSES``).
    normalize : {"none", "layer", "global"}
        Scaling of directed perturbations (see ``NORMALIZATIONS``).
    """

    eta: float = 0.01
    epsilon: float = 1e-3
    gamma: float = 0.0
    optimizer: str = "sgd"
    weight_decay: float = 0.0
    loss: str = "mse"
    normalize: str = "global"

    def __post_init__(self) -> None:
        require_positive("eta", self.eta)
        require_positive("epsilon", self.epsilon)
        require_in_range("gamma", self.gamma, 0.0, float("inf"))
        require_in_range("weight_decay", self.weight_decay, 0.0, float("inf"))
        require_one_of("optimizer", self.optimizer, self.optimizers())
        require_one_of("loss", self.loss, LOSSES)
        require_one_of("normalize", self.normalize, NORMALIZATIONS)

    @classmethod
    def optimizers(cls) -> tuple[str, ...]:
        """The ``optimizer`` names this config accepts."""
        return OPTIMIZERS

    def to_dict(self) -> dict:
        """Plain ``dict`` of all fields (for logs and checkpoints)."""
        return asdict(self)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Names of the hyper-parameters this config accepts."""
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class MGDConfig(PerturbativeConfig):
    """Undirected MGD with its time constants (McCaughan et al., "Multiplexed gradient
    descent", APL Machine Learning 1(2), 2023; δ-MGD paper §II-A; SPSA is
    ``tau_theta = tau_p = 1``).

    Parameters
    ----------
    tau_x : int >= 1
        Each input sample (batch) is held for τx time steps.
    tau_theta : int >= 1
        A Bernoulli ±ε perturbation is held for τθ time steps before a new one is drawn.
    tau_p : int >= 1
        Estimates are integrated over τp time steps, then their mean is applied.
    """

    tau_x: int = 1
    tau_theta: int = 1
    tau_p: int = 1

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("tau_x", "tau_theta", "tau_p"):
            require_count(name, getattr(self, name))


@dataclass(frozen=True)
class AlignedConfig(PerturbativeConfig):
    """MGD-aligned: ``θ̃ = ε·sign(∇C)`` from the per-sample true gradient (oracle, §II-C)."""


@dataclass(frozen=True)
class HebbianConfig(PerturbativeConfig):
    """Hebbian MGD (§III, Eq. 3): ``θ̃_ij = ε·tern(a_i)·sign(δ_j)``.

    Parameters
    ----------
    activation_threshold : float >= 0
        ``tern(a) = sign(a)`` where ``|a| >= threshold``, else 0 (≈0.45 for tanh, §III-B).
    fd_step : float > 0
        Bias step h of the node-perturbation estimate ``δ_j ≈ (C(b_j+h) − C(b_j−h)) / 2h``.
    exact_output : bool
        Use the exact local output-layer δ (``∂C/∂z_L``) instead of its estimate (§III-A).
    """

    activation_threshold: float = 0.45
    fd_step: float = 1e-3
    exact_output: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        require_in_range("activation_threshold", self.activation_threshold, 0.0, float("inf"))
        require_positive("fd_step", self.fd_step)
        require_bool("exact_output", self.exact_output)


@dataclass(frozen=True)
class DeltaMGDConfig(PerturbativeConfig):
    """δ-MGD (paper Alg. 1): per-sample perturbation ``θ̃ ∝ a_i·δ_class,j`` from DeltaVecs.

    Parameters
    ----------
    tau_delta : int >= 1
        Every τδ samples all DeltaVecs fall due; a due class is refreshed with the next
        training sample of that class (Alg. 1 lines 4-8).
    refresh : {"node", "autograd"}
        How the refreshing sample's bias gradients δ are measured (``"chain"`` rows: node
        perturbation only).
    fd_step : float > 0
        Bias step h of the node-perturbation refresh.
    delta_mix : float in (0, 1]
        DeltaVec update ``δ_c ← (1 − ρ) δ_c + ρ δ_new`` (1 replaces it).
    activation_threshold : float >= 0
        0 keeps full-precision presynaptic activations (the paper's default for δ-MGD);
        > 0 uses ``tern(a)`` as in Hebbian MGD.
    exact_output : bool
        Use the exact local output-layer δ of the current sample instead of its DeltaVec.
    deltavecs : {"class", "output", "chain"}
        ``"class"``: a sample of class c uses ``δ̂ = δ_c`` (paper §IV); ``"output"``: the bank
        row of class k is ``∂o_k/∂b`` and a sample uses ``δ̂ = Σ_k e_k·row_k`` with its output
        error ``e = ∂C/∂o``; ``"chain"``: rows ``∂z_L,k/∂a_l`` combined with the exact local
        output δ and the neuron's own ``f'(z)`` (spiking nets: the rate slope ``∂r/∂b`` under
        the surrogate, see ``equations.neuron_response``).
    optimizer : {"sgd", "adam", "engine"}
        ``"engine"``: the learning-engine rule of the fixed_pt models
        (``astrolava.mgd.fixed.engine_update``), configured by the next three fields.
    momentum_shift : int in [0, 12]
        ``"engine"``: momentum ``β = 1 − 2^-b`` of the per-synapse velocity (0: none).
    eta_halving : int >= 0
        ``"engine"``: η halves after every ``eta_halving`` learned samples (0: constant η).
    layer_eta_shifts : tuple of int in [-8, 8]
        ``"engine"``: layer ``l`` learns at ``η·2^s_l`` (empty: all 0).
    rms_shift : int in [0, 16]
        ``"engine"``: ``b > 0`` normalises each neuron's factor of the rank-one step by its
        running root mean square (``β₂ = 1 − 2^-b``) and steps by η; 0: ``Θ ← Θ − η·ĝ``.
    rms_pre : bool
        ``"engine"`` with ``rms_shift > 0``: also normalise the presynaptic activities.
    activity_eps : float > 0
        ``"engine"`` with ``rms_pre``: ``â = a / (√mean(a²) + activity_eps)``.
    decay_shift : int in [0, 24]
        ``"engine"``: ``d > 0`` decays every weight by ``w ← w − round(w·2^-d)`` after each
        update (the engine's ``dw`` term ``−2^-d·y0·w``); 0: no decay.
    weight_headroom_shift : int in [0, 6]
        fixed_pt models: each layer's shared weight exponent is chosen so that its weights
        can grow to ``2**s`` times their largest initial magnitude before the 8-bit mantissa
        saturates; each step of ``s`` costs the mantissa one bit of resolution.
    """

    tau_delta: int = 100
    refresh: str = "node"
    fd_step: float = 1e-3
    delta_mix: float = 1.0
    activation_threshold: float = 0.0
    exact_output: bool = False
    deltavecs: str = "class"
    momentum_shift: int = 0
    eta_halving: int = 0
    layer_eta_shifts: tuple[int, ...] = ()
    rms_shift: int = 0
    rms_pre: bool = True
    activity_eps: float = 1e-3
    decay_shift: int = 0
    weight_headroom_shift: int = 1

    @classmethod
    def optimizers(cls) -> tuple[str, ...]:
        """The ``optimizer`` names δ-MGD accepts: :data:`OPTIMIZERS` and :data:`ENGINE`."""
        return (*OPTIMIZERS, ENGINE)

    def __post_init__(self) -> None:
        super().__post_init__()
        require_integer_in("momentum_shift", self.momentum_shift, 0, 12)
        require_integer_in("eta_halving", self.eta_halving, 0, 2 ** 62)
        require_integer_in("rms_shift", self.rms_shift, 0, 16)
        require_positive("activity_eps", self.activity_eps)
        require_integer_in("weight_headroom_shift", self.weight_headroom_shift, 0, 6)
        require_integer_in("decay_shift", self.decay_shift, 0, 24)
        object.__setattr__(self, "layer_eta_shifts", tuple(self.layer_eta_shifts))
        for shift in self.layer_eta_shifts:
            require_integer_in("layer_eta_shifts", shift, -8, 8)
        if self.optimizer != ENGINE and (self.momentum_shift or self.eta_halving
                                         or self.layer_eta_shifts or self.rms_shift
                                         or self.decay_shift):
            raise ValueError(f"momentum_shift={self.momentum_shift}, eta_halving="
                             f"{self.eta_halving}, layer_eta_shifts={self.layer_eta_shifts}, "
                             f"rms_shift={self.rms_shift}, decay_shift={self.decay_shift} "
                             f"need optimizer={ENGINE!r} "
                             f"(optimizer={self.optimizer!r} given)")
        require_count("tau_delta", self.tau_delta)
        require_one_of("deltavecs", self.deltavecs, DELTAVECS)
        require_one_of("refresh", self.refresh, REFRESHES)
        if self.deltavecs == "chain" and self.refresh != "node":
            raise ValueError(f"refresh={self.refresh!r} is not allowed with deltavecs='chain' "
                             "(its rows are measured by node perturbation); use refresh='node'")
        require_positive("fd_step", self.fd_step)
        require_in_range("delta_mix", self.delta_mix, 1e-12, 1.0)
        require_in_range("activation_threshold", self.activation_threshold, 0.0, float("inf"))
        require_bool("exact_output", self.exact_output)


METHOD_CONFIGS: dict[str, type[PerturbativeConfig]] = {
    "spsa": MGDConfig, "mgd": MGDConfig, "aligned": AlignedConfig,
    "hebbian": HebbianConfig, "delta-mgd": DeltaMGDConfig,
}
"""Config class of each perturbative method name."""
