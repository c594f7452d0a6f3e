"""The MGD family of perturbative learning rules: hyper-parameters, equations and their Loihi
integer versions, in NumPy (no torch).

:mod:`.config` holds one validated dataclass per method, :mod:`.presets` the recommended
settings, :mod:`.equations` the float64 per-sample δ-MGD steps the Lava process models run and
:mod:`.fixed` their fixed-point (Loihi) counterparts. The vectorised torch reference that
trains the same rules in batches is :mod:`astrolava.models.mgd`; it depends on this package,
never the other way round.
"""

from astrolava.mgd.config import (
    METHOD_CONFIGS,
    AlignedConfig,
    DeltaMGDConfig,
    HebbianConfig,
    MGDConfig,
    PerturbativeConfig,
)
from astrolava.mgd.presets import PRESETS, preset

__all__ = [
    "METHOD_CONFIGS", "PRESETS", "AlignedConfig", "DeltaMGDConfig", "HebbianConfig",
    "MGDConfig", "PerturbativeConfig", "preset",
]
