"""Where the stock shaders and boss scenes are found from a checkout: the repository's own
folders (hot reload edits the files under version control). The installed copies are found
by tests/test_wheel.py, from a wheel installed into a fresh venv."""

from __future__ import annotations

from pathlib import Path

import pytest

import engine
from engine.combat import load_boss_scene
from engine.combat.stock_scenes import STOCK_SCENE_DIR, stock_scene
from engine.data.resources import PACKAGE_DIR, resource_dir

ROOT = Path(__file__).resolve().parents[1]


def test_a_checkout_finds_its_top_level_folders():
    assert PACKAGE_DIR == ROOT / "engine"
    assert engine.DEFAULT_SHADER_DIR == ROOT / "shaders"
    assert STOCK_SCENE_DIR == ROOT / "demos" / "scenes"


def test_a_folder_the_checkout_lacks_is_looked_for_in_the_package():
    assert resource_dir("fonts", "no/such/folder") == PACKAGE_DIR / "fonts"


def test_stock_scenes_load_by_name():
    assert load_boss_scene(stock_scene("brute")).name == "brute"
    assert load_boss_scene(stock_scene("spitter")).name == "spitter"


def test_an_unknown_stock_scene_names_the_ones_there_are():
    with pytest.raises(FileNotFoundError, match=r"expected one of \['brute', 'spitter'\]"):
        stock_scene("dragon")
