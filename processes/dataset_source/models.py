"""Process models of :class:`DatasetSource`: floating_pt (float payload) and fixed_pt (integers)."""

from __future__ import annotations

import numpy as np
from astrolava.processes.dataset_source.encoding import encode_spikes, sample_order
from astrolava.processes.dataset_source.process import DatasetSource
from lava.magma.core.decorator import implements, requires, tag
from lava.magma.core.model.py.model import PyLoihiProcessModel
from lava.magma.core.model.py.ports import PyOutPort
from lava.magma.core.model.py.type import LavaPyType
from lava.magma.core.resources import CPU
from lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol

from astrolava.fixed_point import STATE_BITS, to_fixed


class AbstractDatasetSourceModel(PyLoihiProcessModel):
    """Schedule shared by both models: which sample, which step of it, which spikes."""

    x: PyOutPort = None
    label: PyOutPort = None
    data: np.ndarray = LavaPyType(np.ndarray, float)
    labels: np.ndarray = LavaPyType(np.ndarray, np.int64)
    spike_dtype: type = float

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.steps_per_sample: int = int(proc_params["steps_per_sample"])
        self.spiking = proc_params["encoding"] == "spikes"
        self.seed: int = int(proc_params["seed"])
        self.shuffle_seed: int | None = proc_params["shuffle_seed"]
        self._epoch, self._order = -1, np.zeros(0, dtype=np.int64)
        self._spikes = np.zeros((0, 0), dtype=bool)

    def payload(self, sample: np.ndarray) -> np.ndarray:
        """What ``x`` carries for a graded sample (float or fixed point)."""
        raise NotImplementedError

    def run_spk(self) -> None:
        position, step = divmod(self.time_step - 1, self.steps_per_sample)
        epoch, k = divmod(position, len(self.labels))
        if epoch != self._epoch:
            self._epoch, self._order = epoch, sample_order(len(self.labels), epoch,
                                                           self.shuffle_seed)
        index = self._order[k]
        if not self.spiking:
            self.x.send(self.payload(self.data[index]))
        else:
            if step == 0:
                self._spikes = encode_spikes(self.data[index], self.steps_per_sample,
                                             self.seed, position)
            self.x.send(self._spikes[step].astype(self.spike_dtype))
        self.label.send(np.array([self.labels[index]]))


@implements(proc=DatasetSource, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyDatasetSourceModelFloat(AbstractDatasetSourceModel):
    """Sends the sample values (or 0./1. spikes) as float64."""

    x: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    label: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def payload(self, sample: np.ndarray) -> np.ndarray:
        return sample


@implements(proc=DatasetSource, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyDatasetSourceModelFixed(AbstractDatasetSourceModel):
    """Sends ``round(x * 2**frac_bits)`` as 24-bit graded spikes (or 0/1 spikes) and int labels."""

    x: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    label: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=STATE_BITS)
    spike_dtype: type = np.int32

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self.frac_bits: int = int(proc_params["frac_bits"])

    def payload(self, sample: np.ndarray) -> np.ndarray:
        return to_fixed(sample, self.frac_bits)
