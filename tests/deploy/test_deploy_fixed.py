"""Fixed-point mapping of deployed layers: hand-computed registers and range errors."""

from __future__ import annotations

import numpy as np
import pytest

from astrolava.deploy import FixedPointFormat, rate_error_bound
from astrolava.deploy.fixed import dense_fixed, lif_layer_fixed, rate_layer_fixed


def test_dense_exponent_moves_payload_to_activation_grid() -> None:
    # max |W| = 0.5: e = ceil(log2(0.5 / 254)) = -8; mantissas 0.5 / 2**-8 = 128, -64;
    # graded input with 8 fractional bits, output wanted with 12: weight_exp = -8 - 8 + 12.
    q = dense_fixed(np.array([[0.5, -0.25]]), in_frac_bits=8, out_frac_bits=12)
    assert q.mantissa.tolist() == [[128, -64]] and q.weight_exp == -4


def test_lif_registers_by_hand() -> None:
    # beta 0.9 -> dv = round(0.1 * 4096) = 410; threshold 1 with F = 11 -> vth = 2048;
    # bias 0.01 on the v grid 2**(11 + 6): 0.01 * 131072 = 1310.72 -> mantissa 1311, exp 0;
    # bias 0.1 -> 13107.2 needs exp 2: round(13107.2 / 4) = 3277.
    dense, lif = lif_layer_fixed(0, np.array([[0.5, -0.25], [0.1, 0.2]]),
                                 np.array([0.01, 0.1]), beta=0.9, threshold=1.0,
                                 fmt=FixedPointFormat(lif_frac_bits=11))
    assert (lif.du, lif.dv, lif.vth) == (4095, 410, 2048)
    assert lif.bias_mant.tolist() == [1311, 3277] and lif.bias_exp.tolist() == [0, 2]
    assert dense.weight_exp == -8 + 11


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"threshold": 100.0}, "threshold=100.0 cannot be represented"),
    ({"beta": 0.0}, "beta=0.0 cannot be represented"),
    ({"bias": np.array([5.0, 0.0])}, "layers.3.bias cannot be represented"),
    ({"weights": np.full((2, 2), 40.0)}, "layers.3.weight: .* reaches 80"),
])
def test_lif_ranges_are_enforced(kwargs: dict, parameter: str) -> None:
    args = {"weights": np.eye(2), "bias": np.zeros(2), "beta": 0.9, "threshold": 1.0} | kwargs
    with pytest.raises(ValueError, match=parameter):
        lif_layer_fixed(3, fmt=FixedPointFormat(), **args)


def test_rate_pre_activation_range_is_enforced() -> None:
    fmt = FixedPointFormat(act_frac_bits=12)  # 24-bit state: +-2**11 = 2048
    with pytest.raises(ValueError, match="layers.0.weight: .* reaches 3000.*within \\+-2048"):
        rate_layer_fixed(0, np.full((1, 3), 1000.0), np.zeros(1), 1.0, 8, fmt)


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"input_frac_bits": 23}, "input_frac_bits"),
    ({"act_frac_bits": -1}, "act_frac_bits"),
    ({"lif_frac_bits": 17}, "lif_frac_bits"),
])
def test_format_ranges(kwargs: dict, parameter: str) -> None:
    with pytest.raises(ValueError, match=parameter):
        FixedPointFormat(**kwargs)


def test_error_bound_counts_each_rounding() -> None:
    # Weights exactly on the mantissa grid: only roundings remain.
    # eps0 = 2**-9; layer: 1 * eps0 + 2 * 2**-12 (bias/shift/table).
    bound = rate_error_bound([np.array([[1.0]])], 1.0, FixedPointFormat(8, 12))
    assert bound == pytest.approx(2.0 ** -9 + 2 * 2.0 ** -12)
