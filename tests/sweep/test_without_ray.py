"""Without Ray (the optional ``sweep`` extra) ``astrolava sweep`` says how to install it."""

import sys

import pytest

from astrolava.cli import build_parser
from astrolava.sweep import INSTALL_HINT, SweepSpec, require_tune, run_sweep


@pytest.fixture
def no_ray(monkeypatch):
    """Imports of ``ray`` fail, as when the extra is not installed."""
    monkeypatch.setitem(sys.modules, "ray", None)


def test_require_tune_names_the_extra(no_ray):
    with pytest.raises(ModuleNotFoundError, match=r"astrolava\[sweep\]"):
        require_tune()


def test_sweep_command_exits_with_the_install_hint(no_ray, tmp_path):
    args = build_parser().parse_args(["sweep", "--grid", "eta=1e-3", "--seeds", "0",
                                      "--out", str(tmp_path / "sweep")])
    with pytest.raises(SystemExit) as exit_info:
        args.func(args)
    assert str(exit_info.value) == (f"astrolava sweep: error: sweeps need Ray Tune, which is "
                                    f"not installed: {INSTALL_HINT}")


def test_bad_spec_is_refused_before_ray_is_needed(no_ray, tmp_path):
    spec = SweepSpec(method="delta-mgd", dataset="digits", network="rate",
                     grid={"eta": [1e-3]}, search="bayes")
    with pytest.raises(ValueError, match="search='bayes'"):
        run_sweep(spec, tmp_path)
