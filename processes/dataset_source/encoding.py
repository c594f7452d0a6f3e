"""Sample order and Bernoulli rate code of :class:`DatasetSource`, as pure functions.

The process model calls these, so a test or a torch reference can reproduce exactly what the
Lava graph was fed (same seed -> same order, same spikes).
"""

from __future__ import annotations

import numpy as np

ENCODINGS = ("graded", "spikes")
"""``graded``: the sample values themselves; ``spikes``: Bernoulli spikes with ``P = x``."""


def sample_order(n_samples: int, epoch: int, shuffle_seed: int | None) -> np.ndarray:
    """Indices of the samples in the order of one pass (epoch) over the data.

    ``arange(n)`` when ``shuffle_seed`` is None, else the permutation drawn by
    ``numpy.random.default_rng([shuffle_seed, epoch])`` (a fresh order every epoch).
    """
    if shuffle_seed is None:
        return np.arange(n_samples)
    return np.random.default_rng([shuffle_seed, epoch]).permutation(n_samples)


def encode_spikes(x: np.ndarray, steps: int, seed: int, position: int) -> np.ndarray:
    """Bernoulli rate code of one sample: ``s[t, i] = 1`` with probability ``x[i]``.

    Implements the rate code of ``SpikingMLP.encode`` (``s_0[t] ~ Bernoulli(x)``) with a
    generator seeded by ``[seed, position]``, ``position`` being the running count of samples
    streamed so far (0, 1, 2, ... across epochs), so each presentation gets its own spikes.

    Returns
    -------
    numpy.ndarray of bool, shape (steps, len(x))
    """
    rng = np.random.default_rng([seed, position])
    return rng.random((steps, len(x))) < np.asarray(x)
