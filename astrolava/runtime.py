"""Running Lava graphs so that the runtime is always stopped.

Stock Lava 0.10 leaves a hung child process when a process model raises, a later ``stop()``
then blocks forever, a script that forgets ``stop()`` hangs at exit, and ``run()`` after
``stop()`` can crash. :class:`LavaSession` (and the one-shot :func:`run_graph`) own the
runtime of a graph: a clean exit calls ``stop()`` (bounded by a timeout), a failure kills
the runtime's child processes instead of asking them to stop, and a closed session refuses
to run again.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing as mp
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from lava.magma.core.process.process import AbstractProcess
from lava.magma.core.run_conditions import AbstractRunCondition, RunSteps
from lava.magma.core.run_configs import Loihi2SimCfg, RunConfig

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 30.0
"""How long a clean ``stop()`` may take before the runtime is killed instead."""
REAP_TIMEOUT_S = 10.0
"""How long the runtime's child processes may take to exit after a clean ``stop()``."""
WATCH_INTERVAL_S = 0.5
"""How often a running session checks that every child process of the runtime is alive."""

_live_sessions: weakref.WeakSet[LavaSession] = weakref.WeakSet()


def sim_config(tag: str = "floating_pt", **kwargs: Any) -> Loihi2SimCfg:
    """Lava CPU-simulator run configuration selecting ``floating_pt`` or ``fixed_pt`` models."""
    if tag not in ("floating_pt", "fixed_pt"):
        raise ValueError(f"tag={tag!r} is not allowed; use 'floating_pt' or 'fixed_pt'")
    return Loihi2SimCfg(select_tag=tag, **kwargs)


class LavaSession:
    """Own the runtime of one Lava process graph and always shut it down.

    Parameters
    ----------
    process : AbstractProcess
        Any process of the graph; Lava compiles everything connected to it.
    run_cfg : RunConfig, optional
        Defaults to :func:`sim_config` ``("floating_pt")``.

    Examples
    --------
    >>> with LavaSession(net, sim_config("fixed_pt")) as session:   # doctest: +SKIP
    ...     session.run(100)
    ...     weights = net.weights.get()
    """

    def __init__(self, process: AbstractProcess, run_cfg: RunConfig | None = None) -> None:
        self.process = process
        self.run_cfg = run_cfg if run_cfg is not None else sim_config()
        self._closed = False
        self._failed = False
        _live_sessions.add(self)

    def __enter__(self) -> LavaSession:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(failed=exc_type is not None)

    def run(self, steps: int | AbstractRunCondition) -> None:
        """Run the graph for ``steps`` time steps (blocking) or under a run condition.

        Lava's ``run`` executes in a worker thread while this thread watches the runtime's
        child processes: when one of them dies (a model raised), the others may stay blocked
        on their ports and Lava would wait forever, so the runtime is killed and the error is
        raised here instead.
        """
        if self._closed:
            raise RuntimeError("this LavaSession is closed; Lava cannot run a stopped runtime "
                               "again: build a new graph and session")
        if isinstance(steps, int):
            if steps < 1:
                raise ValueError(f"steps={steps} must be >= 1")
            steps = RunSteps(num_steps=steps)
        outcome: list[BaseException | None] = []

        def target() -> None:
            try:
                self.process.run(condition=steps, run_cfg=self.run_cfg)
                outcome.append(None)
            except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
                outcome.append(error)

        worker = threading.Thread(target=target, name="lava-run", daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                worker.join(WATCH_INTERVAL_S)
                failure = _dead_actor(self.process.runtime) if worker.is_alive() else None
                if failure is not None:
                    worker.join(WATCH_INTERVAL_S)  # let Lava report the error if it can
                    if worker.is_alive():
                        raise RuntimeError(
                            "a Lava process model failed and the rest of the graph is blocked "
                            f"on its ports, so the runtime was killed. The model's error:\n"
                            f"{failure}")
        except BaseException:
            self._failed = True
            raise
        if outcome and outcome[0] is not None:
            self._failed = True
            raise outcome[0]

    def close(self, failed: bool = False) -> None:
        """Stop the runtime; after a failure (or a stuck stop) kill its child processes."""
        if self._closed:
            return
        self._closed = True
        _live_sessions.discard(self)
        runtime = self.process.runtime
        if runtime is None:
            return
        children = _runtime_processes(runtime)  # before stop(): Lava drops its handles
        if not (failed or self._failed) and _stop_within(runtime, STOP_TIMEOUT_S):
            _reap(children, REAP_TIMEOUT_S)
            return
        _kill_runtime(runtime, children)


def _stop_within(runtime: Any, timeout: float) -> bool:
    """Call ``runtime.stop()`` in a thread; report whether it returned within ``timeout``."""
    errors: list[BaseException] = []

    def stop() -> None:
        try:
            runtime.stop()
        except BaseException as e:  # noqa: BLE001 - reported below, then the runtime is killed
            errors.append(e)

    worker = threading.Thread(target=stop, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive() or errors:
        log.warning("Lava runtime did not stop cleanly (%s); killing its processes",
                    errors[0] if errors else f"timeout after {timeout} s")
        return False
    return True


def _kill_runtime(runtime: Any, children: list[mp.Process]) -> None:
    """Terminate the child processes of a Lava runtime (``_runtime_processes``) and release
    its shared memory: the actors first, then the managers are asked to shut down (the
    shared-memory manager unlinks its segments), then whatever is left is reaped."""
    infra = getattr(runtime, "_messaging_infrastructure", None)
    actors = set(getattr(infra, "actors", [])) if infra is not None else set()
    _reap([p for p in children if p in actors], 0.0)
    smm = getattr(infra, "smm", None)
    if smm is not None:
        try:
            smm.shutdown()
        except Exception:  # noqa: BLE001 - already shut down by Lava's own error path
            pass
    watchdog = getattr(runtime, "_watchdog_manager", None)
    if watchdog is not None:
        try:
            watchdog.stop()
        except Exception:  # noqa: BLE001 - already stopped
            pass
    _reap(children, REAP_TIMEOUT_S)
    runtime._is_running = False
    runtime._is_started = False


def _runtime_processes(runtime: Any) -> list[mp.Process]:
    """Every child process a Lava runtime started: its actors, the shared-memory manager's
    server and, when enabled, the watchdog's manager and monitors."""
    infra = getattr(runtime, "_messaging_infrastructure", None)
    processes = list(getattr(infra, "actors", [])) if infra is not None else []
    smm = getattr(infra, "_smm", None)
    watchdog = getattr(runtime, "_watchdog_manager", None)
    manager = getattr(watchdog, "_mp_manager", None)
    candidates = [getattr(smm, "_process", None), getattr(manager, "_process", None),
                  getattr(watchdog, "_lm", None), getattr(watchdog, "_sm", None)]
    return processes + [p for p in candidates if isinstance(p, mp.process.BaseProcess)]


def _reap(processes: list[mp.Process], timeout: float) -> None:
    """Wait up to ``timeout`` seconds in all for ``processes`` to exit, then terminate the
    rest: a manager server that exits slowly after ``shutdown()`` is otherwise left behind
    (``multiprocessing`` gives it 0.1 s after ``terminate()`` and then forgets it)."""
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            mp.Process.join(process, max(0.0, deadline - time.monotonic()))
        except (ValueError, AssertionError):  # closed, or not started by this process
            continue
        _terminate(process)


def _dead_actor(runtime: Any) -> str | None:
    """The error of a child process of the runtime that has exited mid-run, else None."""
    infra = getattr(runtime, "_messaging_infrastructure", None)
    for actor in getattr(infra, "actors", []) if infra is not None else []:
        if actor.exitcode is not None:
            error = actor.exception  # (exception, traceback text) sent by Lava's SystemProcess
            return error[1] if error else f"exit code {actor.exitcode}"
    return None


def _terminate(process: mp.Process) -> None:
    """Terminate, then kill, one child process (``mp.Process.join``: Lava's own ``join``
    of its ``SystemProcess`` takes no timeout)."""
    try:
        if process.is_alive():
            process.terminate()
            mp.Process.join(process, 2.0)
            if process.is_alive():
                process.kill()
                mp.Process.join(process, 2.0)
    except (ValueError, AssertionError):  # closed, or not our child
        pass


def run_graph(process: AbstractProcess, steps: int | AbstractRunCondition,
              run_cfg: RunConfig | None = None) -> None:
    """Run a graph once and shut its runtime down, whatever happens.

    Read results inside a :class:`LavaSession` instead when you need ``Var.get()``.
    """
    with LavaSession(process, run_cfg) as session:
        session.run(steps)


@contextmanager
def lava_session(process: AbstractProcess,
                 run_cfg: RunConfig | None = None) -> Iterator[LavaSession]:
    """Functional spelling of ``with LavaSession(...)``."""
    with LavaSession(process, run_cfg) as session:
        yield session


@atexit.register
def _close_forgotten_sessions() -> None:
    """A session that was never closed would hang interpreter exit: close it here."""
    for session in list(_live_sessions):
        session.close()
