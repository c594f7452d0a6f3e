"""Fault tests: every way a process is asked to stop shuts the Lava runtime down (no worker
left, no /dev/shm segment leaked), kill -9 + resume continues bit-for-bit, and a second run on
the same --out is refused. Hard timeouts everywhere; survivors are read from /proc."""

import json
import os
import signal
import sys
import textwrap
import time
from pathlib import Path

import pytest

from astrolava.runtime import LavaSession
from astrolava.stopping import (
    forget_stop_requests,
    install_stop_handlers,
    restore_handlers,
    signals_deferred,
)

sys.path.insert(0, str(Path(__file__).parent))
import faults  # noqa: E402
from counter import Counter  # noqa: E402 - faults puts tests/runtime/procs on the path

PROCS = Path(__file__).parents[1] / "runtime" / "procs"
COUNTER_LOOP = textwrap.dedent(f"""
    import sys
    sys.path.insert(0, {str(PROCS)!r})
    from counter import Counter
    from astrolava.runtime import LavaSession
    with LavaSession(Counter()) as session:
        while True:
            session.run(200)
""")
"""A script that runs a Lava graph until it is stopped (a library user's script: no CLI)."""


def _stopped_cleanly(process, sig, *, group=False, timeout=240):
    """Wait until ``process`` maps Lava's shared memory, send ``sig`` (to its group if
    ``group``), and return its exit status, survivors and leaked segments."""
    try:
        segments = faults.wait_for(lambda: faults.shared_memory(process.pid), timeout,
                                   "the Lava runtime to start")
        segments = faults.shared_memory(process.pid) | segments
        (os.killpg if group else os.kill)(process.pid, sig)
        process.wait(timeout=150)
        return (process.returncode, *faults.leftovers(process.pid, segments),
                faults.output(process)[1])
    finally:
        process.kill()
        faults.kill_session(process.pid)


@pytest.mark.slow
def test_sigterm_to_the_cli_during_lava_training_shuts_the_runtime_down():
    process = faults.cli("train", "--backend", "lava", "--train-size", "20", "--epochs",
                         "100000", "--quiet")
    status, alive, kept, stderr = _stopped_cleanly(process, signal.SIGTERM)
    assert alive == [] and kept == set(), stderr
    assert status == 128 + signal.SIGTERM, stderr


@pytest.mark.parametrize(("sig", "group"), [
    (signal.SIGHUP, False), (signal.SIGTERM, False), (signal.SIGINT, False),
    (signal.SIGTERM, True),
], ids=["SIGHUP", "SIGTERM", "SIGINT", "SIGTERM-group"])
def test_stop_signals_to_a_script_running_lava_leave_nothing(sig, group):
    process = faults.start([sys.executable, "-c", COUNTER_LOOP])
    status, alive, kept, stderr = _stopped_cleanly(process, sig, group=group)
    assert alive == [] and kept == set(), stderr
    assert status in (128 + sig, 1, -sig), stderr  # SIGINT: KeyboardInterrupt's status 1


def test_sigint_while_the_runtime_starts_is_raised_once_it_has_started():
    """SIGINT that lands while Lava forks its workers was raised inside ``logging``'s at-fork
    hook, which drops it, and the script ran on for good: a session holds it back until the
    start is over, then raises ``KeyboardInterrupt``."""
    default = signal.signal(signal.SIGINT, signal.default_int_handler)
    previous = install_stop_handlers(interrupt=True)
    went_on = []
    try:
        with pytest.raises(KeyboardInterrupt), signals_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.1)  # the handler runs here, and only records the signal
            went_on.append(True)
        assert went_on == [True]
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler  # ignored
    finally:
        restore_handlers(previous)
        forget_stop_requests()
        signal.signal(signal.SIGINT, default)


def test_an_interrupted_session_does_not_stop_the_next_one():
    """Ctrl+C in a notebook: the interrupted session closes, the next one runs."""
    default = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt), LavaSession(Counter()) as session:
            session.run(5)
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        counter = Counter()
        with LavaSession(counter) as session:
            session.run(5)
            assert counter.count.get()[0] == 5
    finally:
        signal.signal(signal.SIGINT, default)


def _train_args(out, epochs):
    return ["train", "--method", "delta-mgd", "--train-size", "60", "--epochs", str(epochs),
            "--batch-size", "4", "--hidden", "8", "--out", str(out), "--quiet"]


def _summary(process):
    process.wait(timeout=240)
    out, err = faults.output(process)
    assert process.returncode == 0, err
    return json.loads(out)


def test_kill_9_then_resume_equals_an_uninterrupted_run(tmp_path):
    full = _summary(faults.cli(*_train_args(tmp_path / "full", 3)))
    process = faults.cli(*_train_args(tmp_path / "split", 3))
    try:
        faults.wait_for(lambda: (tmp_path / "split" / "checkpoint.pt").exists(), 240,
                        "the first checkpoint")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        faults.kill_session(process.pid)
    resumed = _summary(faults.cli(*_train_args(tmp_path / "split", 3), "--resume"))
    assert resumed["test_acc"] == full["test_acc"]
    assert resumed["update_ops"] == full["update_ops"]
    lines = (tmp_path / "split" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2, 3]
    assert sorted(p.name for p in (tmp_path / "split").iterdir()) == [
        ".lock", "checkpoint.pt", "metrics.jsonl"]


def test_second_run_on_the_same_out_is_refused(tmp_path):
    first = faults.cli(*_train_args(tmp_path, 10000))
    try:
        faults.wait_for(lambda: (tmp_path / "checkpoint.pt").exists(), 240,
                        "the first run's checkpoint")
        second = faults.cli(*_train_args(tmp_path, 2))
        second.wait(timeout=240)
        err = faults.output(second)[1]
        assert second.returncode == 1
        assert f"in use by another run (pid {first.pid})" in err and str(tmp_path) in err
        assert first.poll() is None  # the first run goes on
    finally:
        first.kill()
        faults.kill_session(first.pid)
