"""Bad input through the command line (a subprocess) and the public API: each gets a clear
error naming the parameter, never a traceback from deep inside numpy/torch/Lava nor a
silent run. One or more cases per item of issue 14."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from astrolava.validation import (
    ParameterError,
    ParameterTypeError,
    require_array,
    require_count,
    require_labels,
    require_positive,
    require_real,
    require_seed,
)

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "astrolava.cli", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


@pytest.mark.slow
@pytest.mark.parametrize(("args", "message"), [
    # item 3: sizes and counts
    (["--train-size", "-5"], "--train-size=-5 must be an integer >= 0"),
    (["--hidden", "0"], "--hidden=0 must be an integer >= 1"),
    (["--epochs", "0"], "--epochs=0 must be an integer >= 1"),
    # item 8: seeds
    (["--seed", "-1"], "--seed=-1 must be an integer in \\[0, 4294967295\\]"),
    (["--seed", str(2 ** 70)], "--seed=.* must be an integer in"),
    # item 4: hyper-parameters, type and finiteness as well as range, every backend
    (["--set", "eta=nan"], "eta=nan must be a finite number"),
    (["--set", "eta=inf"], "eta=inf must be a finite number"),
    (["--set", "eta=1e400"], "eta=inf must be a finite number"),
    (["--set", "eta='0.01'"], "eta=\"'0.01'\" must be a real number"),
    (["--set", "tau_delta=true"], "tau_delta=True must be an integer"),
    (["--backend", "lava", "--set", "eta=nan"], "eta=nan must be a finite number"),
    (["--backend", "lava", "--set", "no_such=1"], "overrides has no parameter.*no_such"),
    (["--backend", "lava", "--tag", "fixed_pt", "--train-size", "3", "--set",
      "epsilon=1e30"], "epsilon=1e\\+30 must lie in"),
    # item 5: --out that is a file
    (["--out", "README.md"], "out='README.md' is an existing file"),
])
def test_cli_bad_input_is_one_clear_line(args, message):
    result = _cli("train", "--quiet", *args)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("astrolava train: error: "), result.stderr
    assert "Traceback" not in result.stderr
    assert __import__("re").search(message, result.stderr), result.stderr


def test_cli_train_size_smaller_than_the_classes_keeps_the_dataset_classes(tmp_path):
    """Item 3: ``--train-size 3`` (labels 0..7 in its 3 samples at most) still builds the
    dataset's 10 outputs."""
    from astrolava.models.mgd.trainer import CHECKPOINT, load_checkpoint

    result = _cli("train", "--quiet", "--train-size", "3", "--epochs", "1", "--hidden", "4",
                  "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    weights = [v for k, v in load_checkpoint(tmp_path / CHECKPOINT)["model"].items()
               if k.endswith("weight")]
    assert tuple(weights[-1].shape) == (10, 4)


def test_corrupt_checkpoint_is_one_clear_line(tmp_path):
    args = ["train", "--quiet", "--train-size", "40", "--epochs", "1", "--hidden", "4",
            "--out", str(tmp_path)]
    assert _cli(*args).returncode == 0
    path = tmp_path / "checkpoint.pt"
    raw = bytearray(path.read_bytes())
    raw[-7] ^= 0x10  # one flipped bit
    path.write_bytes(bytes(raw))
    result = _cli(*args[:-2], "--epochs", "2", "--out", str(tmp_path), "--resume")
    assert result.returncode == 1
    assert f"astrolava train: error: checkpoint {path} is corrupt" in result.stderr


def test_error_inside_a_lava_model_is_surfaced_with_its_message():
    """Item 2: the model's own message, not "1 Exception(s) occurred. See output above"."""
    procs = ROOT / "tests" / "runtime" / "procs"
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(procs)!r})
        from counter import Counter
        from astrolava.runtime import ProcessModelError, run_graph
        try:
            run_graph(Counter(fail_at=3), 10)
        except ProcessModelError as error:
            print("message:", error.model_message)
    """)], capture_output=True, text=True, timeout=240)
    assert "message: RuntimeError: counter failed on purpose" in result.stdout, result.stderr


def _lava_net(n_in=4, n_out=3):
    from astrolava.lava_training import build_network
    from astrolava.mgd.config import DeltaMGDConfig

    return build_network("rate", n_in, n_out, 0, DeltaMGDConfig(), hidden=(3,))


GOOD_X = np.full((4, 4), 0.5)


@pytest.mark.parametrize(("change", "error", "message"), [
    ({"y": np.array([0, 1, 7, 2])}, ParameterError, "y holds labels in \\[0, 7\\].*\\[0, 2\\]"),
    ({"y": np.array([0, 1, 2])}, ParameterError, "y has 3 labels for 4 samples"),
    ({"y": np.array([0, -1, 2, 1])}, ParameterError, "y holds labels in \\[-1, 2\\]"),
    ({"y": np.array([0, 1.5, 2, 1])}, ParameterTypeError, "y must hold integers"),
    ({"X": np.where(np.eye(4) > 0, np.nan, 0.5)}, ParameterError, "X holds nan"),
    ({"X": np.full((4, 5), 0.5)}, ParameterError, "X has 5 entries along axis 1; 4 are"),
    ({"X_test": np.zeros((0, 4))}, ParameterError, "X_test has 0 rows"),
    ({"X": GOOD_X + 1.0}, ParameterError, "X holds values in \\[1.5, 1.5\\]"),
    ({"epochs": 0}, ParameterError, "epochs=0 must be an integer >= 1"),
    ({"seed": -3}, ParameterError, "seed=-3"),
])
def test_train_in_lava_checks_its_inputs_before_lava_starts(change, error, message):
    from astrolava.lava_training import train_in_lava

    args = {"X": GOOD_X, "y": np.array([0, 1, 2, 1]), "X_test": GOOD_X,
            "y_test": np.array([0, 1, 2, 0]), **change}
    with pytest.raises(error, match=message):
        train_in_lava(_lava_net(), **args)


@pytest.mark.parametrize(("arrays", "message"), [
    ({"y": np.array([0, 4])}, "y holds labels in \\[0, 4\\]"),
    ({"X": np.array([[np.inf, 0.0, 0.0, 0.0], [0, 0, 0, 0]])}, "X holds inf"),
    ({"X": np.zeros((2, 3)), "X_test": np.zeros((1, 3))}, "X has 3 entries along axis 1; 4"),
])
def test_torch_trainer_checks_its_data_at_the_boundary(arrays, message):
    from astrolava.models import build_model
    from astrolava.models.mgd.trainer import Dataset, make_config, make_learner, train

    data = {"X": np.zeros((2, 4)), "y": np.array([0, 1]), "X_test": np.zeros((1, 4)),
            "y_test": np.array([1]), **arrays}
    model = build_model("rate", 4, 3, seed=0, hidden=(2,))
    learner = make_learner("bp", model, make_config("bp"), seed=0)
    with pytest.raises(ValueError, match=message):
        train(learner, Dataset.from_arrays(data["X"], data["y"], data["X_test"],
                                           data["y_test"]), 1, progress=False)


def test_processes_export_their_classes():
    """Item 9: the README's API table imports from ``astrolava.processes``."""
    from astrolava.processes import TripartiteSynapse

    assert TripartiteSynapse.__name__ == "TripartiteSynapse"


# The validators themselves (hypothesis): never accept what they should refuse, never raise
# anything but their own two errors.

@given(st.one_of(st.floats(), st.integers(), st.booleans(), st.text(), st.none()))
def test_require_positive_accepts_exactly_finite_positive_numbers(value):
    ok = (not isinstance(value, bool | str | type(None)) and np.isfinite(float(value))
          and value > 0)
    try:
        assert require_positive("eta", value) == float(value) and ok
    except (ParameterError, ParameterTypeError) as error:
        assert not ok and str(error).startswith("eta=")


@given(st.one_of(st.floats(), st.integers(-2 ** 70, 2 ** 70), st.booleans(), st.text()))
def test_require_count_and_seed_accept_exactly_their_integers(value):
    integral = (not isinstance(value, bool | str) and np.isfinite(float(value))
                and float(value).is_integer())
    for check, ok in ((require_count, integral and value >= 1),
                      (require_seed, integral and 0 <= value < 2 ** 32)):
        try:
            assert check("n", value) == int(value) and ok
        except (ParameterError, ParameterTypeError) as error:
            assert not ok and str(error).startswith("n=")


@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(-10, 10), st.floats(0, 10))
def test_require_real_interval(value, low, width):
    ok = np.isfinite(value) and low <= value <= low + width
    try:
        assert require_real("x", value, low, low + width) == value and ok
    except ParameterError:
        assert not ok


@given(st.lists(st.integers(-3, 12), min_size=1, max_size=20), st.integers(1, 12))
def test_require_labels_range(labels, n_classes):
    ok = min(labels) >= 0 and max(labels) < n_classes
    try:
        out = require_labels("y", labels, len(labels), n_classes)
        assert ok and out.dtype == np.int64 and out.tolist() == labels
    except ParameterError:
        assert not ok


def test_require_array_types():
    with pytest.raises(ParameterTypeError, match="X must hold real numbers"):
        require_array("X", np.array(["a", "b"]))
    with pytest.raises(ParameterTypeError, match="X must hold real numbers"):
        require_array("X", np.array([1 + 2j]))


def test_smaller_items_are_refused_clearly():
    """Item 8: an endless series, a readout used before it is fitted, negative loop lengths,
    negative seeds."""
    from astrolava.data import thomas_switching
    from astrolava.rhythmic.readout import RidgeReadout, closed_loop

    with pytest.raises(ParameterError, match="n_steps=1000000000000 must be an integer in"):
        thomas_switching(n_steps=10 ** 12)
    with pytest.raises(ParameterError, match="seed=-1"):
        thomas_switching(n_steps=100, seed=-1)
    with pytest.raises(RuntimeError, match="not fitted yet"):
        RidgeReadout().predict(np.zeros(3))
    with pytest.raises(ParameterError, match="n_steps=-1 must be an integer >= 1"):
        closed_loop(None, RidgeReadout(), -1)


@pytest.mark.parametrize(("bias", "message"), [
    (np.array([np.nan, 0.0]), "biases\\[0\\] holds nan"),
    (np.array([np.inf, 0.0]), "biases\\[0\\] holds inf"),
    (np.array(["a", "b"]), "biases\\[0\\] must hold real numbers"),
])
def test_network_process_refuses_non_finite_initial_parameters(bias, message):
    """Item 3: NaN/inf initial weights or biases never reach a process model."""
    from astrolava.processes.delta_mgd_network.process import DeltaMGDNetwork

    from astrolava.mgd.config import DeltaMGDConfig

    with pytest.raises((ParameterError, ParameterTypeError), match=message):
        DeltaMGDNetwork(weights=[np.zeros((2, 3))], biases=[bias], config=DeltaMGDConfig())
