"""Linear readout by ridge regression and closed-loop prediction (SPEC §2, "Readout")."""

from __future__ import annotations

import numpy as np

from astrolava.rhythmic.reservoir import RhythmicReservoir


class RidgeReadout:
    """Affine readout ŷ = W_out·[f(n); 1] fitted by Tikhonov (ridge) regression.

    W_out = argmin_W ‖[F, 1] Wᵀ − Y‖² + β‖W‖², solved as the least-squares problem of the
    stacked system ``[[F, 1]; √β·I] Wᵀ = [Y; 0]`` (stable even for β = 1e-20), where the rows
    of F are f(n) = n (SPEC §2) or, with ``quadratic``, f(n) = [n; n ∘ n] (the squared
    activities let the readout bend its output, which keeps closed-loop recall nearer the
    trained attractor).

    Parameters
    ----------
    ridge : float
        β >= 0 (SPEC §2: 1e-20 for clean simulated data, about 1e-2 for noisy real data).
    quadratic : bool
        Read out [n; n ∘ n] instead of n.
    """

    def __init__(self, ridge: float = 1e-20, quadratic: bool = False) -> None:
        if not ridge >= 0:
            raise ValueError(f"ridge={ridge} must be >= 0")
        self.ridge = ridge
        self.quadratic = quadratic

    def features(self, states: np.ndarray) -> np.ndarray:
        """f(n) of one state ``(N,)`` or many ``(T, N)``."""
        states = np.asarray(states, float)
        return np.concatenate([states, states * states], axis=-1) if self.quadratic else states

    def fit(self, states: np.ndarray, targets: np.ndarray) -> RidgeReadout:
        """Fit on ``states`` (T, N) and ``targets`` (T, d); sets ``weights_`` (d, K + 1), K the
        length of f(n)."""
        states, targets = self.features(states), np.asarray(targets, float)
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

    def predict(self, states: np.ndarray) -> np.ndarray:
        """ŷ = W_out·[f(n); 1] for one state ``(N,)`` or many ``(T, N)``."""
        return self.features(states) @ self.weights_[:, :-1].T + self.weights_[:, -1]


def fit_next_step(states: np.ndarray, u: np.ndarray, warmup: int,
                  ridge: float = 1e-20, quadratic: bool = False) -> RidgeReadout:
    """Readout predicting the next input: state after step t (which saw u[t]) → u[t+1].

    The first ``warmup`` steps are dropped (SPEC §2: warm-up 200 steps).
    """
    if len(u) < warmup + 2:
        raise ValueError(f"the series has {len(u)} steps; fitting needs more than "
                         f"warmup + 1 = {warmup + 1}")
    return RidgeReadout(ridge, quadratic).fit(states[warmup:-1], u[warmup + 1:])


def closed_loop(reservoir: RhythmicReservoir, readout: RidgeReadout, n_steps: int,
                mode: str = "frozen") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run autonomously, u ← W_out·n, for ``n_steps`` steps from the reservoir's current state.

    Returns the generated inputs ``(n_steps, d)`` and R, ⟨Φ⟩ after each step.
    """
    outputs = np.empty((n_steps, readout.weights_.shape[0]))
    r, psi = np.empty(n_steps), np.empty(n_steps)
    for t in range(n_steps):
        outputs[t] = readout.predict(reservoir.readout_features())
        r[t], psi[t] = reservoir.step(outputs[t], mode)
    return outputs, r, psi
