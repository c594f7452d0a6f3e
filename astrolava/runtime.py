"""Running Lava graphs so that the runtime is always stopped.

Stock Lava 0.10 leaves a hung child process when a process model raises, a later ``stop()``
then blocks forever, a script that forgets ``stop()`` hangs at exit, and ``run()`` after
``stop()`` can crash, SIGTERM or SIGHUP to the Python process leaves the runtime's processes
and shared memory behind, and a model's error is reported as "1 Exception(s) occurred. See
output above" with the model's traceback only in a log. :class:`LavaSession` (and the
one-shot :func:`run_graph`) own the runtime of a graph: a clean exit calls ``stop()``
(bounded by a timeout), a failure kills the runtime's child processes instead of asking
them to stop, a model's error is raised as :class:`ProcessModelError` carrying the model's
own message, SIGTERM and SIGHUP unwind the program like ``Ctrl-C``
(:class:`astrolava.stopping.Terminated`) so the runtime is shut down on the way out, SIGINT
is never lost while the runtime's processes start, and a closed session refuses to run again.
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

from astrolava.stopping import (
    forget_stop_requests,
    install_stop_handlers,
    raise_if_stop_requested,
    restore_handlers,
    signals_deferred,
)

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 30.0
"""How long a clean ``stop()`` may take before the runtime is killed instead."""
REAP_TIMEOUT_S = 10.0
"""How long the runtime's child processes may take to exit after a clean ``stop()``."""
WATCH_INTERVAL_S = 0.5
"""How often a running session checks that every child process of the runtime is alive."""

_live_sessions: weakref.WeakSet[LavaSession] = weakref.WeakSet()


class ProcessModelError(RuntimeError):
    """A Lava process model raised while the graph ran.

    Attributes
    ----------
    model_message : str
        The model's own error, ``"<ExceptionType>: <message>"``.
    model_traceback : str
        Its traceback, formatted in the worker process.
    """

    def __init__(self, model_message: str, model_traceback: str) -> None:
        super().__init__(f"a Lava process model failed: {model_message}")
        self.model_message = model_message
        self.model_traceback = model_traceback


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
        self._before: set[mp.process.BaseProcess] = set()
        self._handlers: dict[int, Any] = {}
        _live_sessions.add(self)

    def __enter__(self) -> LavaSession:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(failed=exc_type is not None)

    def run(self, steps: int | AbstractRunCondition) -> None:
        """Run the graph for ``steps`` time steps (blocking) or under a run condition.

        The first run compiles the graph and starts its runtime in this thread (a stop signal
        interrupts the compilation at once, and the start of the runtime's processes once
        they are all started); the runtime then runs in a worker thread while this thread
        watches the runtime's child processes: when one of them dies (a model raised), the
        others may stay blocked on their ports and Lava would wait forever, so the runtime
        is killed and the error is raised here instead. From the first run until
        :meth:`close`, SIGTERM and SIGHUP (at their default action) raise
        :class:`astrolava.stopping.Terminated` here, and SIGINT ``KeyboardInterrupt``, which
        closes the session on its way out; one that arrives while the runtime's processes
        start is raised once they have started.

        Raises
        ------
        ProcessModelError
            When a process model raised; its message is the model's own.
        """
        if self._closed:
            raise RuntimeError("this LavaSession is closed; Lava cannot run a stopped runtime "
                               "again: build a new graph and session")
        if isinstance(steps, int):
            if steps < 1:
                raise ValueError(f"steps={steps} must be >= 1")
            steps = RunSteps(num_steps=steps)
        if not self._handlers:
            self._handlers = install_stop_handlers(interrupt=True)
        outcome: list[BaseException | None] = []
        try:
            raise_if_stop_requested()
            if self.process.runtime is None:
                executable = self.process.compile(self.run_cfg)
                self._before = set(mp.active_children())
                with signals_deferred():
                    self.process.create_runtime(executable=executable)

            def target() -> None:
                try:
                    self.process.run(condition=steps)
                    outcome.append(None)
                except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
                    outcome.append(error)

            worker = threading.Thread(target=target, name="lava-run", daemon=True)
            worker.start()
            while worker.is_alive():
                worker.join(WATCH_INTERVAL_S)
                raise_if_stop_requested()
                failure = _dead_actor(self.process.runtime) if worker.is_alive() else None
                if failure is not None:
                    worker.join(WATCH_INTERVAL_S)  # let Lava report the error if it can
                    if worker.is_alive():
                        raise ProcessModelError(*(_failed_actor(self.process.runtime)
                                                  or failure))
        except BaseException:
            self._failed = True
            raise
        if outcome and outcome[0] is not None:
            self._failed = True
            failure = _failed_actor(self.process.runtime)
            if failure is not None:
                raise ProcessModelError(*failure) from outcome[0]
            raise outcome[0]

    def close(self, failed: bool = False) -> None:
        """Stop the runtime; after a failure (or a stuck stop) kill its child processes,
        every process started since the runtime began to start included (an interrupted
        start leaves some that Lava does not list yet). After a failure the stop signals
        received are forgotten: the exception they raised has unwound this far."""
        if self._closed:
            return
        self._closed = True
        _live_sessions.discard(self)
        try:
            runtime = self.process.runtime
            if runtime is None:
                return
            children = _runtime_processes(runtime)  # before stop(): Lava drops its handles
            if not (failed or self._failed) and _stop_within(runtime, STOP_TIMEOUT_S):
                _reap(children, REAP_TIMEOUT_S)
                return
            _reap([p for p in mp.active_children()
                   if p not in self._before and p not in children], 0.0)
            _kill_runtime(runtime, children)
        finally:
            restore_handlers(self._handlers)
            if failed or self._failed:
                forget_stop_requests()


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


def _dead_actor(runtime: Any) -> tuple[str, str] | None:
    """``(message, traceback)`` when a child process of the runtime has exited mid-run, else
    None: the error an actor reported, if any did (the process that exited first need not be
    the one that failed), else the first exit code."""
    infra = getattr(runtime, "_messaging_infrastructure", None)
    actors = getattr(infra, "actors", []) if infra is not None else []
    dead = [code for code in map(_exit_code, actors) if code is not None]
    if not dead:
        return None
    return _failed_actor(runtime) or (f"a worker process exited with code {dead[0]}", "")


def _exit_code(actor: Any) -> int | str | None:
    """An actor's exit code, None while it runs, ``"unknown"`` once Lava's shutdown has closed
    its process object (it has exited and been reaped: ``exitcode`` then raises)."""
    try:
        return actor.exitcode
    except ValueError:
        return "unknown"


def _failed_actor(runtime: Any) -> tuple[str, str] | None:
    """``(message, traceback)`` of the first child process of the runtime that reported an
    exception (Lava only logs them), else None."""
    infra = getattr(runtime, "_messaging_infrastructure", None)
    for actor in getattr(infra, "actors", []) if infra is not None else []:
        error = _actor_error(actor)
        if error is not None:
            return error
    return None


def _actor_error(actor: Any) -> tuple[str, str] | None:
    """``("<Type>: <message>", traceback)`` sent by one of Lava's ``SystemProcess`` actors."""
    try:
        error = actor.exception  # (exception, traceback text), or None
    except (OSError, EOFError, ValueError):  # its pipe is closed
        return None
    if not error:
        return None
    exception, trace = error
    return f"{type(exception).__name__}: {exception}", trace


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
