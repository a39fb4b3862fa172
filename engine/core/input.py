"""Keyboard and mouse state, and named key bindings.

Events reach :class:`Input` through one door, the ``inject_*`` methods: the GLFW window's
callbacks call them during ``glfw.poll_events()``, tests and headless runs call them directly.
Injected events wait in a queue and are applied in :meth:`Input.poll`, which the App calls
first thing in a frame - so state changes and bound callbacks happen during poll, never in
the middle of a system tick, and the headless path is the windowed path.

Keys are GLFW key constants, named in ``engine.core.keys`` (``KEY_F1``, ``MOUSE_LEFT``...;
importing them needs no display).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.core._glfw import glfw
from engine.core.keys import (
    MOD_ALT,
    MOD_CONTROL,
    MOD_SHIFT,
    MOD_SUPER,
    PRESS,
    RELEASE,
    REPEAT,
    key_name,
)

__all__ = [
    "Input", "Binding", "UnknownBindingError", "DuplicateBindingError", "key_name",
    "PRESS", "RELEASE", "REPEAT", "MOD_SHIFT", "MOD_CONTROL", "MOD_ALT", "MOD_SUPER",
]

_MOD_MASK = MOD_SHIFT | MOD_CONTROL | MOD_ALT | MOD_SUPER  # caps/num lock do not matter
_KEY_COUNT = glfw.KEY_LAST + 1
_BUTTON_COUNT = glfw.MOUSE_BUTTON_LAST + 1

_KEY_EVENT = 0
_BUTTON_EVENT = 1
_MOVE_EVENT = 2
_SCROLL_EVENT = 3


class UnknownBindingError(KeyError):
    """A binding name that is not bound; the message lists the bound ones."""

    def __init__(self, name: str, existing: list[str]) -> None:
        self.name = name
        self.existing = list(existing)
        listed = ", ".join(repr(n) for n in existing) if existing else "none"
        super().__init__(f"no binding named {name!r}; bound: {listed}")

    def __str__(self) -> str:
        return str(self.args[0])


class DuplicateBindingError(ValueError):
    """A binding name, or a key + modifiers, that is already bound."""


@dataclass(frozen=True)
class Binding:
    """One named key binding: ``callback()`` runs during poll when ``key`` is pressed with
    exactly ``mods`` held (caps/num lock ignored)."""

    name: str
    key: int
    mods: int
    callback: Callable[[], object]

    @property
    def key_name(self) -> str:
        """E.g. ``"Ctrl+S"``."""
        return key_name(self.key, self.mods)


def _check_index(kind: str, value: object, count: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{kind} must be an int (a GLFW constant), got {type(value).__name__}")
    if not 0 <= value < count:
        raise ValueError(f"{kind} must be in [0, {count - 1}], got {value}")
    return value


class Input:
    """Key and mouse state for the current frame, and named key bindings.

    ``is_down(key)`` is the state after the last poll; ``was_pressed(key)`` is true when a
    press arrived in the last poll (even if it was released in the same poll).
    """

    def __init__(self) -> None:
        self._down = np.zeros(_KEY_COUNT, dtype=bool)
        self._pressed = np.zeros(_KEY_COUNT, dtype=bool)
        self._released = np.zeros(_KEY_COUNT, dtype=bool)
        self._buttons_down = np.zeros(_BUTTON_COUNT, dtype=bool)
        self._buttons_pressed = np.zeros(_BUTTON_COUNT, dtype=bool)
        self._dirty = False
        self._queue: deque[tuple[int, float, float, int]] = deque()
        self._bindings: list[Binding] = []
        self.pump: Callable[[], object] | None = None
        """The window's event pump, called first in :meth:`poll` (``glfw.poll_events`` for a
        GLFW window, None headless). Set by the App."""
        self.mouse_x: float = 0.0
        """Cursor x in window coordinates (pixels from the left)."""
        self.mouse_y: float = 0.0
        """Cursor y in window coordinates (pixels from the top)."""
        self.scroll_x: float = 0.0
        """Horizontal scroll received in the last poll."""
        self.scroll_y: float = 0.0
        """Vertical scroll received in the last poll."""
        self.mods: int = 0
        """Modifier bits of the last key or button event."""
        self.keyboard_blocked: bool = False
        """When true (e.g. an ImGui text field has focus), key presses are ignored: no state,
        no bindings. Releases still apply so no key stays stuck down."""
        self.events_total: int = 0
        """Events applied since construction."""

    # --- event entry ----------------------------------------------------------------------

    def inject_key(self, key: int, action: int, mods: int = 0) -> None:
        """Queue a key event (``action`` is PRESS, RELEASE or REPEAT); applied at next poll.

        GLFW's ``KEY_UNKNOWN`` (-1) is accepted and ignored, as GLFW may send it.

        Raises:
            TypeError: a value is not an int.
            ValueError: ``key`` or ``action`` out of range.
        """
        if key != glfw.KEY_UNKNOWN:
            _check_index("key", key, _KEY_COUNT)
        if action not in (PRESS, RELEASE, REPEAT):
            raise ValueError(f"action must be PRESS, RELEASE or REPEAT ({PRESS}, {RELEASE}, "
                             f"{REPEAT}), got {action!r}")
        self._queue.append((_KEY_EVENT, float(key), float(action), int(mods)))

    def press(self, key: int, mods: int = 0) -> None:
        """Queue a press and a release of ``key``: after the next poll ``was_pressed(key)`` is
        true, ``is_down(key)`` false, and bindings on it have run."""
        self.inject_key(key, PRESS, mods)
        self.inject_key(key, RELEASE, mods)

    def inject_mouse_button(self, button: int, action: int, mods: int = 0) -> None:
        """Queue a mouse button event (``glfw.MOUSE_BUTTON_*``, PRESS or RELEASE).

        Raises:
            TypeError: a value is not an int.
            ValueError: ``button`` or ``action`` out of range.
        """
        _check_index("button", button, _BUTTON_COUNT)
        if action not in (PRESS, RELEASE):
            raise ValueError(f"action must be PRESS or RELEASE, got {action!r}")
        self._queue.append((_BUTTON_EVENT, float(button), float(action), int(mods)))

    def inject_mouse_move(self, x: float, y: float) -> None:
        """Queue a cursor position (window coordinates)."""
        self._queue.append((_MOVE_EVENT, float(x), float(y), 0))

    def inject_scroll(self, dx: float, dy: float) -> None:
        """Queue a scroll offset."""
        self._queue.append((_SCROLL_EVENT, float(dx), float(dy), 0))

    # --- the per-frame path ---------------------------------------------------------------

    def poll(self) -> None:
        """Start a frame's input: clear the per-frame flags, pump the window's events, apply
        the queued events in order and run the bindings they trigger.

        Allocates nothing when no event arrives (the state arrays are preallocated); each
        event is one small transient tuple.
        """
        if self._dirty:
            self._pressed.fill(False)
            self._released.fill(False)
            self._buttons_pressed.fill(False)
            self.scroll_x = self.scroll_y = 0.0
            self._dirty = False
        if self.pump is not None:
            self.pump()
        queue = self._queue
        while queue:
            kind, a, b, mods = queue.popleft()
            self._dirty = True
            self.events_total += 1
            if kind == _KEY_EVENT:
                self._apply_key(int(a), int(b), mods)
            elif kind == _BUTTON_EVENT:
                button = int(a)
                self.mods = mods
                if int(b) == PRESS:
                    self._buttons_down[button] = True
                    self._buttons_pressed[button] = True
                else:
                    self._buttons_down[button] = False
            elif kind == _MOVE_EVENT:
                self.mouse_x = a
                self.mouse_y = b
            else:
                self.scroll_x += a
                self.scroll_y += b

    def _apply_key(self, key: int, action: int, mods: int) -> None:
        if key < 0:
            return
        self.mods = mods
        if action == RELEASE:
            self._down[key] = False
            self._released[key] = True
            return
        if self.keyboard_blocked:
            return
        if action == PRESS:
            self._down[key] = True
            self._pressed[key] = True
            held = mods & _MOD_MASK
            for binding in self._bindings:
                if binding.key == key and binding.mods == held:
                    binding.callback()

    def clear(self) -> None:
        """Forget all state and queued events (e.g. when the window loses focus)."""
        self._queue.clear()
        for arr in (self._down, self._pressed, self._released, self._buttons_down,
                    self._buttons_pressed):
            arr.fill(False)
        self.scroll_x = self.scroll_y = 0.0

    # --- queries --------------------------------------------------------------------------

    def is_down(self, key: int) -> bool:
        """Whether ``key`` is held after the last poll.

        Raises:
            TypeError, ValueError: ``key`` is not a valid GLFW key constant.
        """
        return bool(self._down[_check_index("key", key, _KEY_COUNT)])

    def was_pressed(self, key: int) -> bool:
        """Whether ``key`` was pressed during the last poll.

        Raises:
            TypeError, ValueError: ``key`` is not a valid GLFW key constant.
        """
        return bool(self._pressed[_check_index("key", key, _KEY_COUNT)])

    def was_released(self, key: int) -> bool:
        """Whether ``key`` was released during the last poll.

        Raises:
            TypeError, ValueError: ``key`` is not a valid GLFW key constant.
        """
        return bool(self._released[_check_index("key", key, _KEY_COUNT)])

    def mouse_down(self, button: int = 0) -> bool:
        """Whether mouse ``button`` is held after the last poll.

        Raises:
            TypeError, ValueError: ``button`` is not a valid GLFW mouse button.
        """
        return bool(self._buttons_down[_check_index("button", button, _BUTTON_COUNT)])

    def mouse_was_pressed(self, button: int = 0) -> bool:
        """Whether mouse ``button`` was pressed during the last poll.

        Raises:
            TypeError, ValueError: ``button`` is not a valid GLFW mouse button.
        """
        return bool(self._buttons_pressed[_check_index("button", button, _BUTTON_COUNT)])

    # --- bindings -------------------------------------------------------------------------

    def bind(self, name: str, key: int, callback: Callable[[], object], mods: int = 0) -> None:
        """Run ``callback()`` during poll whenever ``key`` is pressed with exactly ``mods``.

        Raises:
            TypeError: ``name`` not a str, ``key``/``mods`` not ints, ``callback`` not callable.
            ValueError: ``key`` out of range.
            DuplicateBindingError: ``name`` is bound, or ``key`` + ``mods`` is bound to another
                name (the message names it; unbind it first).
        """
        if not isinstance(name, str):
            raise TypeError(f"a binding name must be a str, got {type(name).__name__}")
        _check_index("key", key, _KEY_COUNT)
        if isinstance(mods, bool) or not isinstance(mods, int):
            raise TypeError(f"mods must be an int of MOD_* bits, got {type(mods).__name__}")
        if not callable(callback):
            raise TypeError(f"binding {name!r}: callback must be callable, got "
                            f"{type(callback).__name__}")
        mods &= _MOD_MASK
        for b in self._bindings:
            if b.name == name:
                raise DuplicateBindingError(f"a binding named {name!r} exists ({b.key_name})")
            if b.key == key and b.mods == mods:
                raise DuplicateBindingError(
                    f"{key_name(key, mods)} is already bound to {b.name!r}; unbind it first")
        self._bindings.append(Binding(name, key, mods, callback))

    def unbind(self, name: str) -> Binding:
        """Remove binding ``name`` and return it.

        Raises:
            UnknownBindingError: ``name`` is not bound (the message lists the bound names).
        """
        for i, b in enumerate(self._bindings):
            if b.name == name:
                return self._bindings.pop(i)
        raise UnknownBindingError(name, [b.name for b in self._bindings])

    @property
    def bindings(self) -> list[tuple[str, str]]:
        """``(name, key name)`` of each binding, in binding order (for a help line)."""
        return [(b.name, b.key_name) for b in self._bindings]
