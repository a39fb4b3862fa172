"""Stop signals: SIGINT, SIGTERM and SIGHUP end a run the same way, and none of them cuts a
shutdown short.

While a run runs (:func:`stop_signals`), each of the three raises ``KeyboardInterrupt`` in the
main thread, which :meth:`engine.core.App.run` turns into ``exit_reason == "interrupt"``: a
``kill`` or a closed terminal ends the run like Ctrl-C. SIGINT is taken over even where it was
ignored (``SIG_IGN``): a shell script that starts a program in the background (``prog &``)
ignores SIGINT in it, and ``kill -INT`` would otherwise do nothing. A handler of the program's
own for any of the three is left as it is.

While the run shuts down (:func:`shutting_down`: shutdown hooks, writing the report), a further
signal is only noted (one line on stderr): the report is finished rather than lost half way.
SIGKILL still ends the process at once (an atomic write then leaves the previous file intact).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["STOP_SIGNALS", "stop_signals", "shutting_down", "last_stop_signal"]

STOP_SIGNALS: tuple[str, ...] = tuple(
    name for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
"""The signals that end a run (those this platform has)."""


class _State:
    depth = 0  # nesting of shutting_down()
    last: str | None = None
    raised = 0  # signals since the outermost stop_signals() began, raised or noted
    installs = 0  # nesting of stop_signals()


def last_stop_signal() -> str | None:
    """The name of the last stop signal received (``"SIGTERM"``...), None if none yet."""
    return _State.last


def _on_signal(signum: int, frame: FrameType | None) -> None:
    name = signal.Signals(signum).name
    _State.last = name
    # The second signal after a raise usually lands while the first unwinds, before shutdown
    # starts: it is noted too. A third, outside shutdown, raises again (a way out of a program
    # that swallowed the first).
    if _State.depth > 0 or _State.raised == 1:
        _State.raised += 1
        print(f"engine: {name} received while stopping: the shutdown and its report finish first "
              f"(SIGKILL stops at once)", file=sys.stderr, flush=True)
        return
    _State.raised += 1
    raise KeyboardInterrupt(name)


def _ours(handler: object) -> bool:
    """Whether a handler found installed may be replaced: Python's defaults, or ours (not
    ``None``: a handler set from C, which could not be put back)."""
    return handler in (signal.SIG_DFL, signal.SIG_IGN, signal.default_int_handler, _on_signal)


@contextmanager
def stop_signals() -> Iterator[None]:
    """Within the block, SIGINT, SIGTERM and SIGHUP raise ``KeyboardInterrupt`` (see the module
    docstring); the previous handlers come back at its end. Outside the main thread (where
    Python cannot set handlers) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for name in STOP_SIGNALS:
        num = getattr(signal, name)
        old = signal.getsignal(num)
        if _ours(old):
            previous[num] = old
            signal.signal(num, _on_signal)
    _State.installs += 1
    try:
        yield
    finally:
        _State.installs -= 1
        if _State.installs == 0:
            _State.raised = 0
        for num, old in previous.items():
            signal.signal(num, old)


@contextmanager
def shutting_down() -> Iterator[None]:
    """Within the block, a stop signal is noted on stderr and otherwise ignored, so shutdown
    hooks and report writing finish (nested blocks are fine)."""
    _State.depth += 1
    try:
        yield
    finally:
        _State.depth -= 1
