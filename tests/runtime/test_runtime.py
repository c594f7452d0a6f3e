"""LavaSession always stops the runtime: no child left after an exception, prompt exit."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROCS = Path(__file__).parent / "procs"

PRELUDE = f"""
import os, sys
sys.path.insert(0, {str(PROCS)!r})
from children import children
from counter import Counter, Relay, Source
from astrolava.runtime import LavaSession, run_graph
"""


def _run(body: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run a script in a fresh interpreter; a hang fails the test instead of hanging pytest."""
    return subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(body)],
                          capture_output=True, text=True, timeout=timeout,
                          start_new_session=True)


def test_clean_run_reads_vars_and_stops() -> None:
    result = _run("""
        proc = Counter()
        with LavaSession(proc) as session:
            session.run(7)
            print("count", int(proc.count.get()[0]))
        found = children()
        print("children", len(found), found)
    """)
    assert result.returncode == 0, result.stderr
    assert "count 7" in result.stdout and "children 0" in result.stdout


def test_exception_in_model_leaves_no_child_and_exits_promptly() -> None:
    result = _run("""
        try:
            run_graph(Counter(fail_at=3), 10)
        except RuntimeError as error:
            print("raised", error)
        found = children()
        print("children", len(found), found)
    """, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "raised" in result.stdout
    assert "children 0" in result.stdout


def test_failure_that_blocks_the_rest_of_the_graph_is_raised() -> None:
    # Stock Lava 0.10 waits forever here: the relay blocks on the port of the dead source.
    result = _run("""
        source, relay = Source(fail_at=3), Relay()
        source.out.connect(relay.inp)
        try:
            run_graph(relay, 10)
        except RuntimeError as error:
            print("raised:", "source failed on purpose" in str(error))
        found = children()
        print("children", len(found), found)
    """, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "raised: True" in result.stdout
    assert "children 0" in result.stdout


def test_forgotten_close_does_not_hang_exit() -> None:
    result = _run("""
        session = LavaSession(Counter())
        session.run(3)
        print("leaving without close")
    """, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "leaving without close" in result.stdout


def test_run_after_close_is_refused() -> None:
    result = _run("""
        proc = Counter()
        with LavaSession(proc) as session:
            session.run(2)
        try:
            session.run(2)
        except RuntimeError as error:
            print("refused:", error)
    """)
    assert result.returncode == 0, result.stderr
    assert "refused: this LavaSession is closed" in result.stdout


def test_bad_steps_and_tag_are_rejected() -> None:
    from astrolava.runtime import sim_config

    with pytest.raises(ValueError, match="tag='fixed'"):
        sim_config("fixed")
    result = _run("""
        with LavaSession(Counter()) as session:
            try:
                session.run(0)
            except ValueError as error:
                print(error)
    """)
    assert "steps=0 must be >= 1" in result.stdout, result.stderr


def test_dead_actor_takes_a_closed_process_object_as_exited() -> None:
    """Lava's shutdown can close an actor's process object while the session checks it;
    ``exitcode`` then raises ValueError, which must read as "exited", not escape."""
    from types import SimpleNamespace

    from astrolava.runtime import _dead_actor

    class Closed:  # what multiprocessing.Process does after close()
        exception = None

        @property
        def exitcode(self) -> int:
            raise ValueError("process object is closed")

    closed = Closed()
    running = SimpleNamespace(exitcode=None, exception=None)
    runtime = SimpleNamespace(_messaging_infrastructure=SimpleNamespace(
        actors=[running, closed]))
    assert _dead_actor(runtime) == ("a worker process exited with code unknown", "")
    runtime.__dict__["_messaging_infrastructure"].actors = [running]
    assert _dead_actor(runtime) is None
