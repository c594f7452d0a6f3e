"""Linear readout by ridge regression and closed-loop prediction.

The readout of rhythmic sharing (Kang & Losert, "Rhythmic sharing: A bio-inspired paradigm for
zero-shot adaptive learning in neural networks", arXiv:2502.08644) is that of an echo-state
network: a linear map from the node states to the next input, fitted by ridge regression after
a warm-up, which then drives the reservoir in closed loop.
"""

from __future__ import annotations

import numpy as np

from astrolava.rhythmic.equations import order_parameter
from astrolava.rhythmic.reservoir import RhythmicReservoir
from astrolava.validation import require_count


class RidgeReadout:
    """Affine readout ŷ = W_out·[f(n); 1] fitted by Tikhonov (ridge) regression.

    W_out = argmin_W ‖[F, 1] Wᵀ − Y‖² + β‖W‖², solved as the least-squares problem of the
    stacked system ``[[F, 1]; √β·I] Wᵀ = [Y; 0]`` (stable even for β = 1e-20), where the rows
    of F are g(n) = n (the paper's readout) or, with ``quadratic``, g(n) = [n; n ∘ n] (the squared
    activities let the readout bend its output, which keeps closed-loop recall nearer the
    trained attractor). With ``phase_gated`` the features also carry the mean phase ⟨Φ⟩ of
    the link phases: f = g(n) ⊗ [1, cos⟨Φ⟩, sin⟨Φ⟩] (each g_k followed by g_k·cos⟨Φ⟩ and
    g_k·sin⟨Φ⟩), so W_out·f = W₀·g + cos⟨Φ⟩·W_c·g + sin⟨Φ⟩·W_s·g: every readout weight
    oscillates with the mean phase, w(⟨Φ⟩) = a + b·sin(⟨Φ⟩ + θ) (= a + b·sin θ·cos⟨Φ⟩ +
    b·cos θ·sin⟨Φ⟩, so ridge fits a, b and θ of each weight), as the recurrent links do with
    their own phase (an extension of the paper's readout, used for recall by mean phase).

    Parameters
    ----------
    ridge : float
        β >= 0 (the paper: 1e-20 for clean simulated data, about 1e-2 for noisy real data).
    quadratic : bool
        g(n) = [n; n ∘ n] instead of n.
    phase_gated : bool
        Gate g(n) by [1, cos⟨Φ⟩, sin⟨Φ⟩]; :meth:`fit` and :meth:`predict` then need the mean
        phase of every state.
    """

    def __init__(self, ridge: float = 1e-20, quadratic: bool = False,
                 phase_gated: bool = False) -> None:
        if not ridge >= 0:
            raise ValueError(f"ridge={ridge} must be >= 0")
        self.ridge = ridge
        self.quadratic = quadratic
        self.phase_gated = phase_gated

    def features(self, states: np.ndarray, mean_phase: np.ndarray | float | None = None
                 ) -> np.ndarray:
        """f(n) of one state ``(N,)`` or many ``(T, N)``; ``mean_phase`` (a float, or ``(T,)``)
        is needed by a phase-gated readout and ignored by the others."""
        states = np.asarray(states, float)
        g = np.concatenate([states, states * states], axis=-1) if self.quadratic else states
        if not self.phase_gated:
            return g
        if mean_phase is None:
            raise ValueError("a phase_gated readout needs mean_phase (⟨Φ⟩ of each state)")
        psi = np.asarray(mean_phase, float)
        if psi.shape != g.shape[:-1]:
            raise ValueError(f"mean_phase has shape {psi.shape}; the states need "
                             f"{g.shape[:-1]} (one ⟨Φ⟩ per state)")
        gate = np.stack([np.ones_like(psi), np.cos(psi), np.sin(psi)], axis=-1)
        return (g[..., :, None] * gate[..., None, :]).reshape(*g.shape[:-1], -1)

    def fit(self, states: np.ndarray, targets: np.ndarray,
            mean_phase: np.ndarray | None = None) -> RidgeReadout:
        """Fit on ``states`` (T, N) and ``targets`` (T, d) (and the ``(T,)`` mean phases of a
        phase-gated readout); sets ``weights_`` (d, K + 1), K the length of f."""
        states, targets = self.features(states, mean_phase), np.asarray(targets, float)
        if targets.ndim == 1:
            targets = targets[:, None]
        if len(states) != len(targets) or len(states) == 0:
            raise ValueError(f"states ({len(states)} rows) and targets ({len(targets)} rows) "
                             "must have the same, non-zero length")
        design = np.hstack([states, np.ones((len(states), 1))])
        k = design.shape[1]
        lhs = np.vstack([design, np.sqrt(self.ridge) * np.eye(k)])
        rhs = np.vstack([targets, np.zeros((k, targets.shape[1]))])
        self.weights_ = np.linalg.lstsq(lhs, rhs, rcond=None)[0].T
        return self

    def predict(self, states: np.ndarray, mean_phase: np.ndarray | float | None = None
                ) -> np.ndarray:
        """ŷ = W_out·[f(n); 1] for one state ``(N,)`` or many ``(T, N)``."""
        if not hasattr(self, "weights_"):
            raise RuntimeError("this RidgeReadout is not fitted yet: call fit() before predict()")
        return (self.features(states, mean_phase) @ self.weights_[:, :-1].T
                + self.weights_[:, -1])


def fit_next_step(states: np.ndarray, u: np.ndarray, warmup: int, ridge: float = 1e-20,
                  quadratic: bool = False, mean_phase: np.ndarray | None = None
                  ) -> RidgeReadout:
    """Readout predicting the next input: state after step t (which saw u[t]) → u[t+1].

    The first ``warmup`` steps are dropped (200 in the paper). Given the recorded
    ``mean_phase`` (``(T,)``, ⟨Φ⟩ after each step), the readout is phase-gated
    (:class:`RidgeReadout`).
    """
    if len(u) < warmup + 2:
        raise ValueError(f"the series has {len(u)} steps; fitting needs more than "
                         f"warmup + 1 = {warmup + 1}")
    gated = mean_phase is not None
    return RidgeReadout(ridge, quadratic, gated).fit(
        states[warmup:-1], u[warmup + 1:], mean_phase[warmup:-1] if gated else None)


def closed_loop(reservoir: RhythmicReservoir, readout: RidgeReadout, n_steps: int,
                mode: str = "frozen") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run autonomously, u ← W_out·f(n, ⟨Φ⟩), for ``n_steps`` steps from the reservoir's
    current state (⟨Φ⟩ that of the current phases).

    Returns the generated inputs ``(n_steps, d)`` and R, ⟨Φ⟩ after each step.
    """
    require_count("n_steps", n_steps)
    outputs = np.empty((n_steps, readout.weights_.shape[0]))
    r, psi = np.empty(n_steps), np.empty(n_steps)
    current = order_parameter(reservoir.phases)[1] if readout.phase_gated else None
    for t in range(n_steps):
        outputs[t] = readout.predict(reservoir.readout_features(), current)
        r[t], psi[t] = reservoir.step(outputs[t], mode)
        current = psi[t]
    return outputs, r, psi
