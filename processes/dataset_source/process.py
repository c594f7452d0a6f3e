"""Interface of the dataset streaming process."""

from __future__ import annotations

import numpy as np
from astrolava.processes.dataset_source.encoding import ENCODINGS
from lava.magma.core.process.ports.ports import OutPort
from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.process.variable import Var

from astrolava.fixed_point import STATE_BITS, X_FRAC, int_range
from astrolava.mgd.config import require_one_of

DEFAULT_FRAC_BITS = X_FRAC
"""fixed_pt graded payload: ``round(x * 2**8)`` (pixels k/255 land within 2**-9 of the grid)."""


class DatasetSource(AbstractProcess):
    """Stream labelled samples, one every ``steps_per_sample`` time steps, from inside Lava.

    The whole dataset lives in the process model; nothing is set from the host per sample.
    At Lava time step ``t = 1, 2, ...`` the process is at running position
    ``p = (t - 1) // steps_per_sample`` (epoch ``p // n``, sample
    ``sample_order(n, epoch, shuffle_seed)[p % n]``) and sends, in the same step:

    * ``x`` (shape ``(n_features,)``): with ``encoding="graded"`` the sample itself (float in
      the floating_pt model; ``round(x * 2**frac_bits)`` integers in the fixed_pt model); with
      ``encoding="spikes"`` 0/1 spikes, row ``(t - 1) % steps_per_sample`` of
      ``encode_spikes(x, steps_per_sample, seed, p)`` (identical in both models);
    * ``label`` (shape ``(1,)``): the class index of that sample.

    After the last sample it starts the next epoch (a new permutation when shuffling).

    Notes for graphs fed by this process: every ``Dense`` between ``x`` and a neuron delays
    its input by one step (Lava's ``Dense`` sends the previous step's accumulation), so a layer
    ``L`` Dense hops downstream sees sample ``p`` during steps
    ``p * steps_per_sample + L + 1 ... (p + 1) * steps_per_sample + L``; delay ``label`` to match
    (e.g. read it ``L`` steps later, or route it through as many one-step hops).

    Parameters
    ----------
    data : numpy.ndarray, shape (n_samples, n_features)
        Finite sample values; in [0, 1] for ``encoding="spikes"`` (they are probabilities).
    labels : numpy.ndarray of int, shape (n_samples,)
        Class indices >= 0.
    steps_per_sample : int >= 1
        How many time steps each sample is held.
    encoding : {"graded", "spikes"}
    frac_bits : int in 0..22
        fixed_pt graded only: fractional bits of the integer payload; ``abs(x) * 2**frac_bits``
        must fit Loihi's 24-bit graded spike.
    seed : int
        Seed of the spike generator.
    shuffle_seed : int, optional
        Visit the samples in a new random order each epoch (default: in the given order).
    name : str, optional
    """

    def __init__(self, *, data: np.ndarray, labels: np.ndarray, steps_per_sample: int = 1,
                 encoding: str = "graded", frac_bits: int = DEFAULT_FRAC_BITS, seed: int = 0,
                 shuffle_seed: int | None = None, name: str | None = None) -> None:
        # AbstractProcess must be initialised before anything can raise (its __del__ needs it)
        super().__init__(steps_per_sample=steps_per_sample, encoding=encoding,
                         frac_bits=frac_bits, seed=seed, shuffle_seed=shuffle_seed, name=name)
        data, labels = _check_data(data, labels, encoding, frac_bits)
        if int(steps_per_sample) < 1:
            raise ValueError(f"steps_per_sample={steps_per_sample} must be >= 1")
        self.data = Var(shape=data.shape, init=data)
        self.labels = Var(shape=labels.shape, init=labels)
        self.x = OutPort(shape=(data.shape[1],))
        self.label = OutPort(shape=(1,))

    @property
    def n_samples(self) -> int:
        """Number of samples in one epoch."""
        return self.data.shape[0]

    @property
    def n_features(self) -> int:
        """Width of ``x``."""
        return self.data.shape[1]


def _check_data(data: np.ndarray, labels: np.ndarray, encoding: str,
                frac_bits: int) -> tuple[np.ndarray, np.ndarray]:
    require_one_of("encoding", encoding, ENCODINGS)
    if not 0 <= int(frac_bits) <= STATE_BITS - 2:
        raise ValueError(f"frac_bits={frac_bits} must lie in 0..{STATE_BITS - 2}")
    data = np.asarray(data, dtype=np.float64)
    labels = np.asarray(labels)
    if data.ndim != 2 or data.shape[0] < 1 or data.shape[1] < 1:
        raise ValueError(f"data has shape {data.shape}; it must be (n_samples >= 1, "
                         "n_features >= 1)")
    if labels.shape != (data.shape[0],):
        raise ValueError(f"labels has shape {labels.shape}; it must be ({data.shape[0]},), "
                         "one class index per sample")
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
        raise ValueError("labels must be integer class indices >= 0")
    if not np.all(np.isfinite(data)):
        raise ValueError("data must be finite (found NaN or inf)")
    if encoding == "spikes" and (data.min() < 0 or data.max() > 1):
        raise ValueError("data must lie in [0, 1] for encoding='spikes' (spike probabilities)")
    limit = int_range(STATE_BITS)[1] / 2.0 ** int(frac_bits)
    if np.abs(data).max() > limit:
        raise ValueError(f"data must lie within +-{limit:g} so that x * 2**frac_bits "
                         f"(frac_bits={frac_bits}) fits {STATE_BITS} bits")
    return data, labels.astype(np.int64)
