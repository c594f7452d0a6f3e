"""δ-MGD in NumPy: the float64 equations (:mod:`.equations`) and their Loihi-integer versions
(:mod:`.fixed`), shared by the δ-MGD Lava process models. Imports no Lava process."""
