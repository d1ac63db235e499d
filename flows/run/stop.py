"""Ending a night early, from any thread: SIGTERM, SIGINT or the night's deadline.

A night's harvest threads spend their time asleep (the per-host throttle, back-off before a
retry) or blocked in a socket read; neither notices a flag. So the stop is an event they sleep
on, and a list of callbacks (the open requests' watchdogs) that shut their sockets down at once.
What was harvested before the stop is kept: the stages after the harvest decide what to do with
it (``flows.nightly``).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any


class NightStop:
    """Whether, and why, tonight's harvest must end now."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: set[Callable[[], None]] = set()
        self.reason: str | None = None
        self.signal: int | None = None  # set when a signal, not the deadline, stopped the night

    def __reduce__(self) -> tuple[Callable[[], NightStop], tuple[()]]:
        """Pickled as a reference to the process's own: Dask ships the flow's and the tasks'
        functions by value, with the globals they use, to workers that have their own night."""
        return _this_process_night, ()

    @property
    def stopped(self) -> bool:
        return self._event.is_set()

    def reset(self) -> None:
        """A new night in the same process (tests, `fazhi schedule`) starts unstopped."""
        with self._lock:
            self._event.clear()
            self.reason = None
            self.signal = None

    def stop(self, reason: str, signum: int | None = None) -> None:
        """Stop the night (the first reason given is the one reported) and wake every sleeper."""
        with self._lock:
            if self.reason is None:
                self.reason = reason
            if signum is not None and self.signal is None:
                self.signal = signum
            self._event.set()
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when the night was stopped meanwhile (or before)."""
        return self._event.wait(max(0.0, seconds))

    @contextmanager
    def on_stop(self, callback: Callable[[], None]) -> Iterator[None]:
        """Call ``callback`` if the night stops while the block runs (at once if it already has)."""
        with self._lock:
            self._callbacks.add(callback)
            already = self._event.is_set()
        if already:
            callback()
        try:
            yield
        finally:
            with self._lock:
                self._callbacks.discard(callback)


NIGHT = NightStop()  # one per process: the HTTP clients of every source task look here


def _this_process_night() -> NightStop:
    return NIGHT


def describe_seconds(seconds: float) -> str:
    """4 h, 90 min, 45 s: how a deadline is said in a failure reason."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


MAX_DURATION_SECONDS = 7 * 24 * 3600.0


def parse_duration(text: str) -> float:
    """'4h', '90m', '45s' or plain seconds ('3600') → seconds; anything else is a ValueError."""
    value = text.strip().lower()
    units = {"h": 3600.0, "m": 60.0, "min": 60.0, "s": 1.0}
    for suffix in sorted(units, key=len, reverse=True):
        if value.endswith(suffix):
            number, factor = value[: -len(suffix)], units[suffix]
            break
    else:
        number, factor = value, 1.0
    try:
        seconds = float(number) * factor
    except ValueError:
        raise ValueError(f"{text!r} is not a duration (e.g. 4h, 90m, 3600)") from None
    if not 0 < seconds < float("inf"):
        raise ValueError(f"{text!r} is not a positive, finite duration")
    if seconds > MAX_DURATION_SECONDS:  # 1e300 killed the deadline's timer thread (OverflowError) and the night ran unbounded
        raise ValueError(f"{text!r} is longer than a week; a night's deadline is counted in hours (e.g. 4h)")
    return seconds


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Stop the night's harvest when ``seconds`` have passed (None: no deadline)."""
    if seconds is None:
        yield
        return
    timer = threading.Timer(seconds, NIGHT.stop, args=(f"not finished by the night's deadline ({describe_seconds(seconds)})",))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGINT stop the night cleanly instead of killing it; a
    second signal kills at once (the data lock is an flock: the kernel releases it either way).
    Only the main thread can set signal handlers; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        if NIGHT.signal is not None:  # the second one: the operator means it
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        NIGHT.stop(f"stopped by {signal.Signals(signum).name}", signum)

    previous = {signum: signal.signal(signum, handle) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def shield_temporary_server(log: Path | None = None) -> None:
    """Keep the Prefect temporary server that ``fazhi nightly`` starts (when no PREFECT_API_URL is
    set) out of the terminal's process group, so that Ctrl+C or systemd's SIGTERM to the group
    reaches the night, which stops cleanly, and not the server, whose death would leave the night
    unable to record its end (it then hung). The server still dies with the night: it is asked
    to (PR_SET_PDEATHSIG) when its parent goes, even by kill -9.

    ``log``: the server's own output (its tracebacks under load, thousands with 10,000 sources)
    goes to this file instead of the terminal (``--quiet``: failures only on the console)."""
    import ctypes
    import subprocess

    from prefect.server.api import server as server_module

    def die_with_parent() -> None:
        os.setsid()
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG (Linux)
        except (AttributeError, OSError):
            pass

    class ShieldedServer(server_module.SubprocessASGIServer):
        def _run_uvicorn_command(self) -> subprocess.Popen:  # type: ignore[type-arg]
            popen: Any = subprocess.Popen  # the module Prefect's server module uses (tests/system/test_orchestration.py checks it is this one)

            def detached(*args, **kwargs):  # type: ignore[no-untyped-def]
                if log is not None:
                    log.parent.mkdir(parents=True, exist_ok=True)
                    with log.open("ab") as output:  # the child keeps its own descriptor
                        return popen(*args, **kwargs, stdout=output, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
                return popen(*args, **kwargs, preexec_fn=die_with_parent)

            setattr(subprocess, "Popen", detached)  # for this one call, in the main thread, before any task runs  # noqa: B010
            try:
                return super()._run_uvicorn_command()
            finally:
                setattr(subprocess, "Popen", popen)  # noqa: B010

    ShieldedServer()  # registers itself as the instance Prefect's client will start
