"""The rhythmic-sharing equations (SPEC §2), one function each, on link lists.

Notation: N nodes with activity n, L links ℓ = (i ← j) = (rows[ℓ], cols[ℓ]) with weight A_ℓ and
phase φ_ℓ. Every function is vectorised over links or nodes and never forms an N×N matrix.
The reference reservoir and the floating_pt Lava models both call these functions, so they
compute the same numbers in the same order.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

TWO_PI = 2.0 * np.pi


def link_modulation(phases: np.ndarray, m: float) -> np.ndarray:
    """Link modulation M_ℓ = 1 − (m/2)·(1 + sin φ_ℓ) (SPEC §2, "Link modulation")."""
    return 1.0 - (m / 2.0) * (1.0 + np.sin(phases))


def recurrent_input(activity: np.ndarray, phases: np.ndarray, rows: np.ndarray,
                    cols: np.ndarray, weights: np.ndarray, m: float) -> np.ndarray:
    """Input of every node through the modulated links: h_i = Σ_{ℓ: rows[ℓ]=i} A_ℓ·M_ℓ·n_{cols[ℓ]}.

    This is ``(A ∘ M(φ)) n`` of SPEC §2 computed in O(L).
    """
    contrib = weights * link_modulation(phases, m) * activity[cols]
    return np.bincount(rows, weights=contrib, minlength=len(activity))


def node_update(activity: np.ndarray, net_input: np.ndarray, leak: float,
                bias: float) -> np.ndarray:
    """Leaky tanh node: n(t+1) = λ·n(t) + (1 − λ)·tanh(net_input + b) (SPEC §2, "Nodes").

    ``net_input`` is ``(A ∘ M) n(t) + W_in u(t)``.
    """
    return leak * activity + (1.0 - leak) * np.tanh(net_input + bias)


def link_drive(activity: np.ndarray, rows: np.ndarray, cols: np.ndarray, eps1: float,
               eps2: float) -> np.ndarray:
    """Node drive of every link: D_ℓ = ε1 + ε2·mean over its end nodes of (n_i + 1)/2.

    SPEC §2, "Node drive of a link". For a self-loop (i = j) both ends are the same node,
    so the mean counts it once.
    """
    level = (activity + 1.0) / 2.0
    return eps1 + eps2 * (level[rows] + level[cols]) / 2.0


def coupling_field(phases: np.ndarray, coupling: sparse.csr_matrix) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """Cosine and sine parts of Σ_k A_φ[ℓ, k]·e^{iφ_k}, whose argument is Ψ_ℓ (SPEC §2)."""
    return coupling @ np.cos(phases), coupling @ np.sin(phases)


def coupling_term(phases: np.ndarray, coupling: sparse.csr_matrix, gamma: float) -> np.ndarray:
    """sin(Ψ_ℓ − φ_ℓ + γ) with Ψ_ℓ = arg Σ_k A_φ[ℓ, k]·e^{iφ_k} (SPEC §2, "Link–link coupling").

    With C + iS = Σ_k A_φ[ℓ, k] e^{iφ_k} = |z|e^{iΨ} and φ' = φ − γ:
    sin(Ψ − φ') = (S·cos φ' − C·sin φ') / |z|. Links with no neighbour (|z| = 0) get 0.
    """
    c, s = coupling_field(phases, coupling)
    norm = np.hypot(c, s)
    shifted = phases - gamma
    num = s * np.cos(shifted) - c * np.sin(shifted)
    return np.divide(num, norm, out=np.zeros_like(num), where=norm > 0)


def phase_update(phases: np.ndarray, coupling: sparse.csr_matrix, drive: np.ndarray,
                 omega: float | np.ndarray, gamma: float, tau: float) -> np.ndarray:
    """Kuramoto–Sakaguchi step φ(t+1) = φ + τ·(ω + sin(Ψ − φ + γ)·D), wrapped to [0, 2π).

    SPEC §2, "Phases".
    """
    step = tau * (omega + coupling_term(phases, coupling, gamma) * drive)
    return np.mod(phases + step, TWO_PI)


def order_parameter(phases: np.ndarray) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Kuramoto order parameter R·e^{i⟨Φ⟩} = (1/L)·Σ_ℓ e^{iφ_ℓ} (SPEC §2).

    Parameters
    ----------
    phases : numpy.ndarray
        Link phases, shape ``(L,)`` or ``(T, L)`` (one row per time step).

    Returns
    -------
    R : float or numpy.ndarray
        Synchrony in [0, 1].
    mean_phase : float or numpy.ndarray
        ⟨Φ⟩ in [0, 2π).
    """
    phases = np.asarray(phases)
    if phases.shape[-1] == 0:
        raise ValueError("phases is empty: the order parameter needs at least one link")
    c = np.cos(phases).mean(axis=-1)
    s = np.sin(phases).mean(axis=-1)
    return np.hypot(c, s), np.mod(np.arctan2(s, c), TWO_PI)
