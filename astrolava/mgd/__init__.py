"""The MGD family of perturbative learning rules: hyper-parameters, equations and their Loihi
integer versions, in NumPy (no torch).

:mod:`.config` holds one validated dataclass per method, :mod:`.presets` the recommended
settings, :mod:`.equations` the float64 per-sample δ-MGD steps the Lava process models run and
:mod:`.fixed` their fixed-point (Loihi) counterparts. The vectorised torch reference that
trains the same rules in batches is :mod:`astrolava.models.mgd`; it depends on this package,
never the other way round.

Papers: δ-MGD, O'Loughlin et al., "δ-Multiplexed Gradient Descent: Perturbative Learning with
Astrocytes" (cited as "paper": sections, Eq. 1-4, Alg. 1 lines); MGD, McCaughan et al.,
"Multiplexed gradient descent: Fast online training of modern datasets on hardware neural
networks without backpropagation", APL Machine Learning 1(2), 2023.
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
