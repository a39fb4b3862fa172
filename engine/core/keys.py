"""Key and mouse-button constants, and the key-name table: importable without a window.

The values are GLFW's own (``glfw.KEY_A`` is ``KEY_A``): this module reads them from pyGLFW,
whose import needs no display, so no key number is written twice. ``engine.core.input`` takes
its modifier bits and key names from here.

``key_name(key, mods)`` gives a readable name (``"Ctrl+S"``, ``"F1"``, ``"Escape"``) and
``key_code(name)`` the reverse for one key (``key_code("Escape") == KEY_ESCAPE``), so bindings
can be read from a config file by name.
"""

from __future__ import annotations

from engine.core._glfw import glfw

__all__ = [
    "PRESS", "RELEASE", "REPEAT", "MOD_SHIFT", "MOD_CONTROL", "MOD_ALT", "MOD_SUPER",
    "MOUSE_LEFT", "MOUSE_RIGHT", "MOUSE_MIDDLE", "KEY_NAMES", "key_name", "key_code", "KEY_A",
    "KEY_B", "KEY_C", "KEY_D", "KEY_E", "KEY_F", "KEY_G", "KEY_H", "KEY_I", "KEY_J", "KEY_K",
    "KEY_L", "KEY_M", "KEY_N", "KEY_O", "KEY_P", "KEY_Q", "KEY_R", "KEY_S", "KEY_T", "KEY_U",
    "KEY_V", "KEY_W", "KEY_X", "KEY_Y", "KEY_Z", "KEY_0", "KEY_1", "KEY_2", "KEY_3", "KEY_4",
    "KEY_5", "KEY_6", "KEY_7", "KEY_8", "KEY_9", "KEY_F1", "KEY_F2", "KEY_F3", "KEY_F4", "KEY_F5",
    "KEY_F6", "KEY_F7", "KEY_F8", "KEY_F9", "KEY_F10", "KEY_F11", "KEY_F12", "KEY_SPACE",
    "KEY_ESCAPE", "KEY_ENTER", "KEY_TAB", "KEY_BACKSPACE", "KEY_INSERT", "KEY_DELETE", "KEY_HOME",
    "KEY_END", "KEY_PAGE_UP", "KEY_PAGE_DOWN", "KEY_LEFT", "KEY_RIGHT", "KEY_UP", "KEY_DOWN",
    "KEY_LEFT_SHIFT", "KEY_RIGHT_SHIFT", "KEY_LEFT_CONTROL", "KEY_RIGHT_CONTROL", "KEY_LEFT_ALT",
    "KEY_RIGHT_ALT", "KEY_LEFT_SUPER", "KEY_RIGHT_SUPER", "KEY_MINUS", "KEY_EQUAL", "KEY_COMMA",
    "KEY_PERIOD", "KEY_SLASH", "KEY_SEMICOLON", "KEY_APOSTROPHE", "KEY_GRAVE_ACCENT",
    "KEY_LEFT_BRACKET", "KEY_RIGHT_BRACKET", "KEY_BACKSLASH", "KEY_PAUSE", "KEY_PRINT_SCREEN",
]

PRESS: int = glfw.PRESS
RELEASE: int = glfw.RELEASE
REPEAT: int = glfw.REPEAT
MOD_SHIFT: int = glfw.MOD_SHIFT
MOD_CONTROL: int = glfw.MOD_CONTROL
MOD_ALT: int = glfw.MOD_ALT
MOD_SUPER: int = glfw.MOD_SUPER

MOUSE_LEFT: int = glfw.MOUSE_BUTTON_LEFT
MOUSE_RIGHT: int = glfw.MOUSE_BUTTON_RIGHT
MOUSE_MIDDLE: int = glfw.MOUSE_BUTTON_MIDDLE

KEY_A: int = glfw.KEY_A
KEY_B: int = glfw.KEY_B
KEY_C: int = glfw.KEY_C
KEY_D: int = glfw.KEY_D
KEY_E: int = glfw.KEY_E
KEY_F: int = glfw.KEY_F
KEY_G: int = glfw.KEY_G
KEY_H: int = glfw.KEY_H
KEY_I: int = glfw.KEY_I
KEY_J: int = glfw.KEY_J
KEY_K: int = glfw.KEY_K
KEY_L: int = glfw.KEY_L
KEY_M: int = glfw.KEY_M
KEY_N: int = glfw.KEY_N
KEY_O: int = glfw.KEY_O
KEY_P: int = glfw.KEY_P
KEY_Q: int = glfw.KEY_Q
KEY_R: int = glfw.KEY_R
KEY_S: int = glfw.KEY_S
KEY_T: int = glfw.KEY_T
KEY_U: int = glfw.KEY_U
KEY_V: int = glfw.KEY_V
KEY_W: int = glfw.KEY_W
KEY_X: int = glfw.KEY_X
KEY_Y: int = glfw.KEY_Y
KEY_Z: int = glfw.KEY_Z

KEY_0: int = glfw.KEY_0
KEY_1: int = glfw.KEY_1
KEY_2: int = glfw.KEY_2
KEY_3: int = glfw.KEY_3
KEY_4: int = glfw.KEY_4
KEY_5: int = glfw.KEY_5
KEY_6: int = glfw.KEY_6
KEY_7: int = glfw.KEY_7
KEY_8: int = glfw.KEY_8
KEY_9: int = glfw.KEY_9

KEY_F1: int = glfw.KEY_F1
KEY_F2: int = glfw.KEY_F2
KEY_F3: int = glfw.KEY_F3
KEY_F4: int = glfw.KEY_F4
KEY_F5: int = glfw.KEY_F5
KEY_F6: int = glfw.KEY_F6
KEY_F7: int = glfw.KEY_F7
KEY_F8: int = glfw.KEY_F8
KEY_F9: int = glfw.KEY_F9
KEY_F10: int = glfw.KEY_F10
KEY_F11: int = glfw.KEY_F11
KEY_F12: int = glfw.KEY_F12

KEY_SPACE: int = glfw.KEY_SPACE
KEY_ESCAPE: int = glfw.KEY_ESCAPE
KEY_ENTER: int = glfw.KEY_ENTER
KEY_TAB: int = glfw.KEY_TAB
KEY_BACKSPACE: int = glfw.KEY_BACKSPACE
KEY_INSERT: int = glfw.KEY_INSERT
KEY_DELETE: int = glfw.KEY_DELETE
KEY_HOME: int = glfw.KEY_HOME
KEY_END: int = glfw.KEY_END
KEY_PAGE_UP: int = glfw.KEY_PAGE_UP
KEY_PAGE_DOWN: int = glfw.KEY_PAGE_DOWN
KEY_LEFT: int = glfw.KEY_LEFT
KEY_RIGHT: int = glfw.KEY_RIGHT
KEY_UP: int = glfw.KEY_UP
KEY_DOWN: int = glfw.KEY_DOWN
KEY_LEFT_SHIFT: int = glfw.KEY_LEFT_SHIFT
KEY_RIGHT_SHIFT: int = glfw.KEY_RIGHT_SHIFT
KEY_LEFT_CONTROL: int = glfw.KEY_LEFT_CONTROL
KEY_RIGHT_CONTROL: int = glfw.KEY_RIGHT_CONTROL
KEY_LEFT_ALT: int = glfw.KEY_LEFT_ALT
KEY_RIGHT_ALT: int = glfw.KEY_RIGHT_ALT
KEY_LEFT_SUPER: int = glfw.KEY_LEFT_SUPER
KEY_RIGHT_SUPER: int = glfw.KEY_RIGHT_SUPER
KEY_MINUS: int = glfw.KEY_MINUS
KEY_EQUAL: int = glfw.KEY_EQUAL
KEY_COMMA: int = glfw.KEY_COMMA
KEY_PERIOD: int = glfw.KEY_PERIOD
KEY_SLASH: int = glfw.KEY_SLASH
KEY_SEMICOLON: int = glfw.KEY_SEMICOLON
KEY_APOSTROPHE: int = glfw.KEY_APOSTROPHE
KEY_GRAVE_ACCENT: int = glfw.KEY_GRAVE_ACCENT
KEY_LEFT_BRACKET: int = glfw.KEY_LEFT_BRACKET
KEY_RIGHT_BRACKET: int = glfw.KEY_RIGHT_BRACKET
KEY_BACKSLASH: int = glfw.KEY_BACKSLASH
KEY_PAUSE: int = glfw.KEY_PAUSE
KEY_PRINT_SCREEN: int = glfw.KEY_PRINT_SCREEN


def _build_key_names() -> dict[int, str]:
    names: dict[int, str] = {}
    for attr in sorted(dir(glfw)):
        if not attr.startswith("KEY_") or attr in ("KEY_LAST", "KEY_UNKNOWN"):
            continue
        value = getattr(glfw, attr)
        if not isinstance(value, int) or value in names:
            continue
        words = attr[4:].split("_")
        names[value] = "".join(w if w.isdigit() or len(w) <= 1 else w.capitalize()
                               for w in words) if len(words) > 1 else words[0].capitalize()
    for value in range(glfw.KEY_0, glfw.KEY_9 + 1):
        names[value] = chr(value)
    for value in range(glfw.KEY_A, glfw.KEY_Z + 1):
        names[value] = chr(value)
    for i in range(1, 26):
        names[getattr(glfw, f"KEY_F{i}")] = f"F{i}"
    return names


KEY_NAMES: dict[int, str] = _build_key_names()
"""GLFW key code -> readable name (``"A"``, ``"F1"``, ``"Escape"``, ``"LeftShift"``)."""
_KEY_CODES = {name.lower(): code for code, name in KEY_NAMES.items()}


def key_name(key: int, mods: int = 0) -> str:
    """A readable name for a key and modifiers, e.g. ``"Ctrl+S"``, ``"F1"``, ``"Escape"``."""
    parts = []
    if mods & MOD_CONTROL:
        parts.append("Ctrl")
    if mods & MOD_SHIFT:
        parts.append("Shift")
    if mods & MOD_ALT:
        parts.append("Alt")
    if mods & MOD_SUPER:
        parts.append("Super")
    parts.append(KEY_NAMES.get(key, f"key {key}"))
    return "+".join(parts)


def key_code(name: str) -> int:
    """The key code of a key name as ``key_name`` writes it (any case), e.g. ``"Escape"``.

    ``"KEY_ESCAPE"`` (the constant's name) is accepted too.

    Raises:
        KeyError: an unknown name (the message gives examples of known ones).
    """
    if not isinstance(name, str):
        raise TypeError(f"expected a key name (str), got {type(name).__name__}")
    key = name.strip()
    if key.upper().startswith("KEY_") and isinstance(getattr(glfw, key.upper(), None), int):
        return int(getattr(glfw, key.upper()))
    code = _KEY_CODES.get(key.lower())
    if code is None:
        raise KeyError(f"unknown key name {name!r}; expected a name like 'A', '7', 'F1', "
                       f"'Space', 'Escape', 'Left', 'LeftShift' or a constant like 'KEY_A'")
    return code
