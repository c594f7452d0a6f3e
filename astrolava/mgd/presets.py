"""Recommended hyper-parameters of each method (found by ``benchmarks/dmgd.py`` sweeps;
see ``docs/experiments/dmgd_ablation.md``) and the shape of the networks they train."""

from __future__ import annotations

from astrolava.mgd.config import require_one_of

NETWORKS = ("rate", "spiking")

HIDDEN = (128, 128)
"""Hidden widths of the paper's dense nets (784-128-128-10, Table II)."""

SPIKING_STEPS = 25
"""Rate-code length T of the spiking nets."""

SPIKING_WEIGHT_GAIN = 3.0
"""Initial weights of a spiking net are PyTorch's default times this gain, so that every layer
fires (a silent net gives perturbations no ΔC; measurements in
``docs/experiments/dmgd-tuning.md``). Used for BPTT too."""

PRESETS: dict[tuple[str, str], dict] = {
    ("bp", "rate"): {"eta": 1e-3, "optimizer": "adam"},
    ("bp", "spiking"): {"eta": 1e-3, "optimizer": "adam"},
    ("spsa", "rate"): {"eta": 1e-3, "epsilon": 1e-3, "optimizer": "adam"},
    ("spsa", "spiking"): {"eta": 1e-3, "epsilon": 1e-2, "optimizer": "adam"},
    ("mgd", "rate"): {"eta": 1e-3, "epsilon": 1e-3, "optimizer": "adam", "tau_theta": 1,
                      "tau_p": 4},
    ("mgd", "spiking"): {"eta": 1e-3, "epsilon": 1e-2, "optimizer": "adam", "tau_theta": 1,
                         "tau_p": 4},
    ("aligned", "rate"): {"eta": 1e-3, "epsilon": 1e-2, "optimizer": "adam"},
    ("aligned", "spiking"): {"eta": 1e-3, "epsilon": 1.0, "optimizer": "adam"},
    ("hebbian", "rate"): {"eta": 1e-3, "epsilon": 1e-2, "optimizer": "adam"},
    ("hebbian", "spiking"): {"eta": 1e-3, "epsilon": 1.0, "optimizer": "adam", "fd_step": 0.2,
                             "exact_output": False, "activation_threshold": 0.2},
    ("delta-mgd", "rate"): {"eta": 1e-3, "epsilon": 1e-2, "optimizer": "adam", "tau_delta": 500,
                            "deltavecs": "chain", "delta_mix": 0.1},
    ("delta-mgd", "spiking"): {"eta": 1e-3, "epsilon": 3.0, "optimizer": "adam",
                               "tau_delta": 100, "deltavecs": "chain", "fd_step": 1.0,
                               "delta_mix": 0.1},
}
"""``(method, network) -> config keyword arguments``."""


def preset(method: str, network: str) -> dict:
    """A copy of the recommended hyper-parameters of ``method`` on a ``network``."""
    require_one_of("network", network, NETWORKS)
    if (method, network) not in PRESETS:
        methods = sorted({m for m, _ in PRESETS})
        raise ValueError(f"method={method!r} is not allowed; use one of {methods}")
    return dict(PRESETS[(method, network)])
