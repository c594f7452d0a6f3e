"""Stream a labelled dataset into a Lava graph from inside the process model."""

from astrolava.processes.dataset_source.encoding import ENCODINGS, encode_spikes, sample_order
from astrolava.processes.dataset_source.process import DatasetSource

__all__ = ["ENCODINGS", "DatasetSource", "encode_spikes", "sample_order"]
