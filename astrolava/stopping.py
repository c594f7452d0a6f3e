"""Stopping a program on a signal so that its clean-up runs.

SIGTERM (``kill PID``, ``docker stop``, batch schedulers) and SIGHUP (a closed terminal) end
a Python process on the spot by default: no ``finally`` clause or ``with`` block runs, so
child processes (Lava's workers), shared memory and locks are left behind.
:func:`exit_on_signals` (used by the command line and by ``astrolava.runtime.LavaSession``)
turns them into :class:`Terminated`, an exception that unwinds the program like
``KeyboardInterrupt`` and ends it with exit status ``128 + signal``.

SIGINT (Ctrl+C) already raises ``KeyboardInterrupt``, but Python raises it wherever the main
thread happens to be, and drops it when that is a hook that cannot propagate it: while Lava
forks its workers, ``logging``'s at-fork hook swallows it ("Exception ignored in
_releaseLock") and the program runs on. A Lava session therefore also takes SIGINT over
while its runtime lives (:func:`install_stop_handlers` with ``interrupt=True``): it is
recorded like the stop signals, held back while the runtime's processes start, and raised
again as ``KeyboardInterrupt`` where it can propagate.

No Lava or torch here (core layer): the command line installs the handlers for every
command.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Signals that ask a process to stop (``kill PID``, ``docker stop``, batch schedulers, a
closed terminal) and that :func:`exit_on_signals` turns into :class:`Terminated`."""


class Terminated(SystemExit):
    """Raised in the main thread when a signal of :data:`STOP_SIGNALS` arrives while the
    handlers of :func:`exit_on_signals` are installed. Like ``KeyboardInterrupt`` it unwinds
    every ``with`` block (closing Lava sessions, releasing locks) and, uncaught, ends the
    interpreter with exit status ``128 + signum`` (143 for SIGTERM), as a shell reports a
    process killed by that signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum

    def __str__(self) -> str:
        return f"stopped by {signal.Signals(self.signum).name}"


INTERRUPT = signal.SIGINT
"""Ctrl+C: taken over, as ``KeyboardInterrupt``, by ``install_stop_handlers(interrupt=True)``."""

_stop_requested: list[int] = []
"""Stop signals (and SIGINT, when taken over) received. One that arrives while processes
are being started is acted on once they are all started (:func:`signals_deferred`);
``LavaSession.run`` also raises it again while one is pending
(:func:`raise_if_stop_requested`), since Python drops an exception raised where it cannot
propagate (an at-fork hook, a finaliser)."""
DEFER_LIMIT_S = 5.0
"""How long a stop signal may wait for the runtime's processes to finish starting."""
_deferring: list[bool] = []
"""Non-empty while :func:`signals_deferred` holds the stop signals back."""
_resend: list[threading.Timer] = []
"""Timers that send a deferred stop signal again."""


def _on_stop_signal(signum: int, frame: Any) -> None:
    """Handler of :data:`STOP_SIGNALS` (and of :data:`INTERRUPT` when taken over): raise
    :class:`Terminated` (``KeyboardInterrupt`` for SIGINT). While processes are being
    started it only records the signal and sends it again after :data:`DEFER_LIMIT_S` (the
    start may never end: Lava waits for workers that the same signal may have killed); a
    second signal raises at once."""
    _stop_requested.append(signum)
    if _deferring and len(_stop_requested) == 1:
        _resend.append(threading.Timer(DEFER_LIMIT_S, os.kill, (os.getpid(), signum)))
        _resend[-1].daemon = True
        _resend[-1].start()
        return
    raise_if_stop_requested()


def raise_if_stop_requested() -> None:
    """Raise :class:`Terminated` (``KeyboardInterrupt`` for SIGINT) if a stop signal arrived;
    from then on further stop signals are ignored so that they cannot interrupt the shutdown
    it starts."""
    if _stop_requested:
        for timer in _resend:
            timer.cancel()
        for stop in (*STOP_SIGNALS, INTERRUPT):
            if signal.getsignal(stop) == _on_stop_signal:
                signal.signal(stop, _ignore_stop_signal)
        if _stop_requested[0] == INTERRUPT:
            raise KeyboardInterrupt
        raise Terminated(_stop_requested[0])


def forget_stop_requests() -> None:
    """Forget the stop signals received, once the program has unwound past the shutdown they
    asked for (a caught ``KeyboardInterrupt`` in a notebook must not stop the next run)."""
    _stop_requested.clear()
    for timer in _resend:
        timer.cancel()
    _resend.clear()


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold a stop signal back until the block ends: an exception raised in the middle of
    starting Lava's processes (a fork, an at-fork hook) could leave one that nobody tracks."""
    _deferring.append(True)
    try:
        yield
    except Exception:  # a start broken by the signal (its workers killed too) is a stop
        raise_if_stop_requested()
        raise
    finally:
        _deferring.pop()
    raise_if_stop_requested()


def _ignore_stop_signal(signum: int, frame: Any) -> None:
    """Handler of :data:`STOP_SIGNALS` (and of :data:`INTERRUPT` when taken over) once a
    shutdown has started."""


def install_stop_handlers(interrupt: bool = False) -> dict[int, Any]:
    """Install :func:`_on_stop_signal` for every signal of :data:`STOP_SIGNALS` that has its
    default action, and with ``interrupt`` for SIGINT if it has Python's default handler
    (``signal.default_int_handler``); returns the handlers replaced (empty outside the main
    thread, where Python cannot set handlers)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    defaults = {signum: signal.SIG_DFL for signum in STOP_SIGNALS}
    if interrupt:
        defaults[INTERRUPT] = signal.default_int_handler
    return {signum: signal.signal(signum, _on_stop_signal) for signum, default in defaults.items()
            if signal.getsignal(signum) == default}


def restore_handlers(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


@contextmanager
def exit_on_signals() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated` in the main thread
    instead of ending the process on the spot, so that ``finally`` clauses and ``with``
    blocks run (Lava runtimes shut down, temporary files removed, locks released).

    Only signals left at their default action are taken over (a handler the program
    installed itself is kept); outside the main thread the block runs unchanged.
    ``astrolava.runtime.LavaSession`` does this by itself while its runtime lives.
    """
    previous = install_stop_handlers()
    try:
        yield
    finally:
        restore_handlers(previous)


def _default_stop_signals_in_child() -> None:
    """In a forked child (a Lava worker) the stop signals end the process again, as Lava
    expects when it terminates its workers, and SIGINT raises ``KeyboardInterrupt`` again."""
    for signum in (*STOP_SIGNALS, INTERRUPT):
        if signal.getsignal(signum) in (_on_stop_signal, _ignore_stop_signal):
            signal.signal(signum, signal.SIG_DFL if signum != INTERRUPT
                          else signal.default_int_handler)


os.register_at_fork(after_in_child=_default_stop_signals_in_child)
