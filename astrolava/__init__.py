"""astrolava: astrocyte-inspired learning (δ-MGD, rhythmic sharing) on Intel's Lava.

Layers, from the bottom (``tests/test_layers.py`` checks that nothing imports upwards):

1. the core, NumPy/numba only: ``astrolava.data``, ``astrolava.fixed_point``,
   ``astrolava.mgd``, ``astrolava.rhythmic`` (and ``astrolava.progress``,
   ``astrolava.provenance``);
2. Lava helpers: ``astrolava.runtime`` (run configurations, a runtime that always stops) and
   ``astrolava.loihi_report`` (what of a graph would fit Loihi 2);
3. the Lava processes (``astrolava.processes``) and, beside them, the torch / snntorch
   reference models (``astrolava.models``);
4. deployment of trained torch models to Lava (``astrolava.deploy``), training inside Lava
   (``astrolava.lava_training``) and the command line (``astrolava.cli``).
"""

__version__ = "0.1.0"
