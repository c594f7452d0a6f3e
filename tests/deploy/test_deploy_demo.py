"""compare_backends rows, the demo job, and its errors for missing datasets."""

from __future__ import annotations

import pytest

from astrolava.deploy import format_table, run_demo

KEYS = {"model", "backend", "test_acc", "n_test", "samples_per_s"}


def test_demo_rows_follow_the_benchmark_schema(capsys: pytest.CaptureFixture) -> None:
    rows = run_demo(hidden=(8,), epochs=1, spiking_epochs=1, num_steps=4, n_test=20,
                    progress=False)
    assert [(r["model"], r["backend"]) for r in rows] == [
        (m, b) for m in ("rate", "spiking") for b in ("torch", "lava-float", "lava-fixed")]
    assert all(set(r) == KEYS and r["n_test"] == 20 and r["samples_per_s"] > 0 for r in rows)
    # the float graphs see what torch sees and compute the same function
    assert rows[1]["test_acc"] == rows[0]["test_acc"] and rows[4]["test_acc"] == rows[3]["test_acc"]
    assert "| spiking | lava-fixed |" in capsys.readouterr().out


def test_format_table_by_hand() -> None:
    row = {"model": "rate", "backend": "torch", "test_acc": 0.875, "n_test": 8,
           "samples_per_s": 12.4}
    assert format_table([row]).splitlines()[-1] == "| rate | torch | 87.5 % | 8 | 12 |"


def test_unknown_dataset_is_named() -> None:
    with pytest.raises(ValueError, match="dataset='mnist' is unknown"):
        run_demo(dataset="mnist", progress=False)


def test_n_test_range() -> None:
    with pytest.raises(ValueError, match="n_test=0"):
        run_demo(n_test=0, progress=False)
