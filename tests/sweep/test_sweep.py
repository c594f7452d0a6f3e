"""``astrolava sweep`` on a local Ray (2 CPUs) shared by the tests of this module: a sweep with
a failing trial, an interrupted sweep resumed, and no Ray process left afterwards."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("ray.tune")

import ray  # noqa: E402

from astrolava.cli.train import run_torch  # noqa: E402
from astrolava.sweep import (  # noqa: E402
    START_ATTEMPTS,
    LogRange,
    SweepSpec,
    parse_grid,
    parse_train_args,
    ray_session,
    run_sweep,
    search_space,
    trial_config,
    validate,
)

TINY = {"dataset": "digits", "network": "rate", "seeds": (0,), "epochs": 2, "train_size": 300,
        "baseline": None}


def _processes() -> dict[int, tuple[int, str]]:
    """``pid -> (parent pid, state)`` of every live process, read from ``/proc``."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(stat.parent.name)] = (int(fields[1]), fields[0])
    return table


def _of_node(node_id: str, before: set[int] = frozenset()) -> set[int]:
    """Live (non-zombie) processes of this test's Ray: descendants of this process and
    every process whose environment names the Ray node, less the processes of ``before``
    (there before Ray started: this process's own multiprocessing resource tracker, started
    by an earlier test that ran Lava here, is a child but not Ray's)."""
    table = _processes()
    found, todo = set(), [os.getpid()]
    while todo:
        parent = todo.pop()
        children = [pid for pid, (ppid, _) in table.items() if ppid == parent]
        found.update(children)
        todo += children
    for pid in table:
        try:
            if f"RAY_NODE_ID={node_id}".encode() in Path(f"/proc/{pid}/environ").read_bytes():
                found.add(pid)
        except OSError:
            continue
    return {pid for pid in found - before if pid in table and table[pid][1] != "Z"}


@pytest.fixture(scope="module")
def ray_address():
    """A local Ray with 2 CPUs for the module (started as a sweep starts one, tried again if
    an overloaded machine misses Ray's startup timeout); at the end it is shut down and none
    of its processes may survive."""
    before = set(_processes())
    with ray_session(num_cpus=2):
        node_id = ray.get_runtime_context().get_node_id()
        yield ray.get_runtime_context().gcs_address
    _assert_none_survives(node_id, before)


def _assert_none_survives(node_id: str, before: set[int], timeout: float = 60.0) -> None:
    """Fail if a process of Ray node ``node_id`` (:func:`_of_node`) is alive ``timeout``
    seconds after its shutdown."""
    deadline = time.monotonic() + timeout
    while _of_node(node_id, before) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = {pid: Path(f"/proc/{pid}/cmdline").read_bytes()[:80]
            for pid in _of_node(node_id, before)}
    assert not left, f"Ray processes survived the shutdown: {left}"


def test_parse_grid_reads_values_and_ranges():
    assert parse_grid(["eta=1e-3,3e-3", "tau-delta=100", "deltavecs=chain,class",
                       "epsilon=1e-3..1e-1"]) == {
        "eta": [1e-3, 3e-3], "tau_delta": [100], "deltavecs": ["chain", "class"],
        "epsilon": LogRange(1e-3, 1e-1)}
    for bad in ("eta", "eta=", "epsilon=1e-1..1e-3", "epsilon=0..1"):
        with pytest.raises(ValueError, match="--grid"):
            parse_grid([bad])


@pytest.mark.parametrize(("change", "message"), [
    ({"grid": {"tau": [1]}}, r"grid names \['tau'\]"),
    ({"grid": {"eta": LogRange(1e-4, 1e-2)}}, "needs search='random' or 'optuna'"),
    ({"search": "bayes"}, "search='bayes'"),
    ({"scheduler": "pbt"}, "scheduler='pbt'"),
    ({"seeds": (0, 0)}, "distinct seeds"),
    ({"seeds": (0, -1)}, "seeds=-1"),
    ({"seeds": ()}, "distinct seeds"),
    ({"epochs": 0}, "epochs=0"),
    ({"epochs": 1.5}, "epochs=1.5"),
    ({"hidden": (16, 0)}, "hidden=0"),
    ({"search_train_size": -1}, "search_train_size=-1"),
    ({"cpus_per_trial": 0}, "cpus_per_trial=0"),
    ({"baseline": "sgd"}, "baseline='sgd'"),
])
def test_validate_names_the_bad_parameter(change, message):
    spec = SweepSpec(**{"method": "delta-mgd", "grid": {"eta": [1e-3]}, **TINY, **change})
    with pytest.raises(ValueError, match=message):
        validate(spec)


def test_validate_refuses_a_count_that_is_not_a_number():
    spec = SweepSpec(**{"method": "delta-mgd", "grid": {"eta": [1e-3]}, **TINY,
                        "epochs": "2"})
    with pytest.raises(TypeError, match="epochs='2'"):
        validate(spec)


class _FakeInit:
    """``ray.init`` that raises ``errors`` in turn, then succeeds; counts calls."""

    def __init__(self, *errors: Exception) -> None:
        self.errors, self.calls = list(errors), 0

    def __call__(self, **kwargs) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)


@pytest.fixture
def fake_ray(monkeypatch):
    """``ray.init``/``shutdown``/``cluster_resources`` replaced: no Ray starts."""
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "shutdown", lambda: None)
    monkeypatch.setattr(ray, "cluster_resources", lambda: {"CPU": 1.0})

    def install(*errors: Exception) -> _FakeInit:
        init = _FakeInit(*errors)
        monkeypatch.setattr(ray, "init", init)
        return init
    return install


def test_ray_session_starts_again_after_a_startup_timeout(fake_ray):
    """A local start that times out is tried again (up to START_ATTEMPTS in all); any other
    error, and the last timeout, are raised."""
    timeout = Exception("The current node timed out during startup. This could happen ...")
    init = fake_ray(timeout, timeout)
    with pytest.warns(RuntimeWarning, match="starting it again") as warned, \
            ray_session(num_cpus=1) as res:
        assert res == {"CPU": 1.0}
    assert [str(w.message) for w in warned] == [
        f"the local Ray did not start in time (try {i} of {START_ATTEMPTS}); starting it again"
        for i in (1, 2)]
    assert init.calls == 3
    init = fake_ray(*[timeout] * START_ATTEMPTS)
    with pytest.raises(Exception, match="timed out during startup"), \
            pytest.warns(RuntimeWarning), ray_session(num_cpus=1):
        pass
    assert init.calls == START_ATTEMPTS
    init = fake_ray(ConnectionError("no GCS at 127.0.0.1:1"))
    with pytest.raises(ConnectionError), ray_session("127.0.0.1:1"):
        pass
    assert init.calls == 1
    with pytest.raises(ValueError, match="num_cpus applies to a local Ray only"), \
            ray_session("127.0.0.1:1", num_cpus=1):
        pass
    with pytest.raises(ValueError, match="num_cpus=0"), ray_session(num_cpus=0):
        pass


def test_optuna_draws_from_the_grid_values_and_ranges(tmp_path):
    """Optuna search: lists become choices, LOW..HIGH log-uniform ranges; the baseline
    (backprop) is searched over the entries its config takes."""
    from ray.tune.search.optuna import OptunaSearch

    spec = SweepSpec(method="delta-mgd", grid={"eta": [1e-3, 3e-3],
                                               "epsilon": LogRange(1e-3, 1e-1)},
                     search="optuna", samples=4, **{**TINY, "baseline": "bp"})
    validate(spec)
    assert search_space(spec, "bp")[1] == ["epsilon"]
    space, ignored = search_space(spec, "delta-mgd")
    assert not ignored
    searcher = OptunaSearch(seed=0)
    searcher.set_search_properties("test_acc", "max",
                                   trial_config(spec, "delta-mgd", tmp_path, "search", 0, 300,
                                                space))
    for i in range(6):
        drawn = searcher.suggest(str(i))["set"]
        assert drawn["eta"] in (1e-3, 3e-3) and 1e-3 <= drawn["epsilon"] <= 1e-1


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_failing_trial_is_reported_and_the_sweep_goes_on(ray_address, tmp_path):
    """Two trials, one with a bad learning rate: the sweep finishes, lists the failure with
    its error, and the good trial equals the same ``astrolava train`` run made directly."""
    spec = SweepSpec(method="delta-mgd", grid={"eta": [1e-3, -1.0]}, **TINY)
    result = run_sweep(spec, tmp_path / "sweep", verbose=0)
    trials = {t["set"]["eta"]: t for t in result["methods"]["delta-mgd"]["search"]}
    assert trials[-1.0]["status"] == "error"
    assert "eta=-1.0 must be > 0" in trials[-1.0]["error"]
    good = trials[1e-3]
    assert good["status"] == "complete" and len(good["curve"]) == 2
    assert result["methods"]["delta-mgd"]["best_set"] == {"eta": 1e-3}
    assert result["compute"]["trials"] == 2 and result["compute"]["failed"] == 1
    saved = json.loads((tmp_path / "sweep" / "sweep.json").read_text())
    assert saved["methods"]["delta-mgd"]["mean"] == good["test_acc"]
    assert "eta=-1.0" in (tmp_path / "sweep" / "sweep.md").read_text()
    assert (tmp_path / "sweep" / "sweep.png").stat().st_size > 0

    direct = tmp_path / "direct"
    run_torch(parse_train_args(["train", "--dataset", "digits", "--epochs", "2",
                                "--train-size", "300", "--set", "eta=0.001",
                                "--out", str(direct), "--quiet"]))
    accs = [json.loads(line)["test_acc"] for line in (direct / "metrics.jsonl").open()]
    assert accs == good["curve"]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_interrupted_sweep_resumes_from_the_epoch_checkpoints(ray_address, tmp_path):
    """A sweep run by the CLI on this Ray (``--address``) gets SIGINT once a trial has
    finished its first epoch; ``resume`` then completes every trial, continuing from the
    trials' checkpoints (the epochs done before the interruption are not run again)."""
    out = tmp_path / "sweep"
    epochs = 4
    argv = [sys.executable, "-m", "astrolava.cli", "sweep", "--address", ray_address,
            "--dataset", "digits", "--network", "spiking", "--train-size", "600",
            "--grid", "eta=1e-3,3e-3", "--seeds", "0", "--epochs", str(epochs),
            "--baseline", "none", "--out", str(out)]
    cli = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 240
        while not any(p.read_text().strip() for p in out.glob("trials/*/*/metrics.jsonl")):
            assert cli.poll() is None, cli.stdout.read()
            assert time.monotonic() < deadline, "no trial finished an epoch in 240 s"
            time.sleep(0.1)
        cli.send_signal(signal.SIGINT)
        output = cli.communicate(timeout=120)[0]
    finally:
        cli.kill()
    assert cli.returncode == 1, output
    assert "interrupted" in output
    before = {p.parent.name: p.read_text().splitlines()
              for p in out.glob("trials/*/*/metrics.jsonl")}
    assert any(len(lines) < epochs for lines in before.values())

    spec = SweepSpec(method="delta-mgd", dataset="digits", network="spiking",
                     grid={"eta": [1e-3, 3e-3]}, seeds=(0,), epochs=epochs, train_size=600,
                     baseline=None)
    result = run_sweep(spec, out, resume=True, verbose=0)
    search = result["methods"]["delta-mgd"]["search"]
    assert [t["status"] for t in search] == ["complete", "complete"]
    for trial_id, lines in before.items():
        after = (out / "trials" / "delta-mgd-search" / trial_id / "metrics.jsonl")
        assert after.read_text().splitlines()[:len(lines)] == lines
    assert all(len(t["curve"]) == epochs for t in search)
