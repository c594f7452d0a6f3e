"""astrolava: astrocyte-inspired learning (δ-MGD, rhythmic sharing) on Intel's Lava.

Layers, from the bottom: the core (``astrolava.data``, ``astrolava.fixed_point``,
``astrolava.mgd``, ``astrolava.rhythmic``; no Lava process imported) <- Lava processes
(``astrolava.processes``) and torch / snntorch reference models (``astrolava.models``) <-
deployment, runtime helpers and the command line (``astrolava.deploy``,
``astrolava.runtime``, ``astrolava.cli``).
"""

__version__ = "0.1.0"
