"""engine.core.keys: the public key and mouse-button constants are GLFW's values, importable in
a fresh interpreter without a display, and the key-name table is the one Input uses."""

from __future__ import annotations

import os
import string
import subprocess
import sys

import glfw
import pytest

from engine.core import Input, keys
from engine.core.keys import key_code, key_name

NAMED = ["SPACE", "ESCAPE", "ENTER", "TAB", "BACKSPACE", "LEFT", "RIGHT", "UP", "DOWN",
         "LEFT_SHIFT", "RIGHT_SHIFT", "LEFT_CONTROL", "RIGHT_CONTROL", "LEFT_ALT", "RIGHT_ALT"]


@pytest.mark.parametrize("name", [f"KEY_{c}" for c in string.ascii_uppercase + string.digits]
                         + [f"KEY_F{i}" for i in range(1, 13)] + [f"KEY_{n}" for n in NAMED])
def test_key_constants_equal_glfw(name):
    assert getattr(keys, name) == getattr(glfw, name)
    assert name in keys.__all__


def test_mouse_buttons_and_modifiers_equal_glfw():
    assert (keys.MOUSE_LEFT, keys.MOUSE_RIGHT, keys.MOUSE_MIDDLE) == (
        glfw.MOUSE_BUTTON_LEFT, glfw.MOUSE_BUTTON_RIGHT, glfw.MOUSE_BUTTON_MIDDLE)
    assert (keys.MOD_SHIFT, keys.MOD_CONTROL, keys.MOD_ALT, keys.PRESS) == (
        glfw.MOD_SHIFT, glfw.MOD_CONTROL, glfw.MOD_ALT, glfw.PRESS)


def test_importable_without_a_display():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    code = ("from engine.core.keys import KEY_SPACE, KEY_A, MOUSE_LEFT; "
            "print(KEY_SPACE, KEY_A, MOUSE_LEFT)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["32", "65", "0"]


def test_key_names_round_trip_and_input_uses_the_same_table():
    from engine.core import input as input_mod

    assert input_mod.key_name is key_name
    for code in (keys.KEY_A, keys.KEY_7, keys.KEY_F1, keys.KEY_ESCAPE, keys.KEY_LEFT_SHIFT,
                 keys.KEY_SPACE, keys.KEY_PAGE_UP):
        assert key_code(key_name(code)) == code
    assert key_code("escape") == key_code("KEY_ESCAPE") == keys.KEY_ESCAPE
    assert key_name(keys.KEY_S, keys.MOD_CONTROL) == "Ctrl+S"
    with pytest.raises(KeyError, match="unknown key name 'Hyper'"):
        key_code("Hyper")


def test_bind_by_name_with_a_constant():
    inp = Input()
    hits = []
    inp.bind("jump", key_code("Space"), lambda: hits.append(1))
    inp.press(keys.KEY_SPACE)
    inp.poll()
    assert hits == [1] and inp.was_pressed(keys.KEY_SPACE)
    assert inp.bindings == [("jump", "Space")]
