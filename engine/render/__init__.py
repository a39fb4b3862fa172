"""Render layer: GL resources, instance batches, sprite atlas packing and sheets from files,
camera, boss sprites, particles, text, shaders, screenshots.

Generic: it draws what it is given and knows no game. Reads data columns, never writes them;
never imports combat, profiler or horde (the horde's renderer and art live in
``engine.horde``). Everything GL is made through one ``GraphicsContext``. See
docs/ARCHITECTURE.md and each module's docstring.
"""

from __future__ import annotations

from .atlas import (
    ATLAS_WIDTH,
    Animation,
    AnimationSpec,
    SpriteAtlas,
    SpriteSheet,
    animation_spec,
    sheet_from_frames,
)
from .batch import BLOCKS, MAX_FRAMES, STRIDE, Blend, GrowthPolicy, InstanceBatch
from .boss_sprites import BossSprites
from .camera import Camera2D
from .font import ANCHORS, DEFAULT_CHARS, Font, FontError, default_font_path
from .gl import RESOURCE_KINDS, ForeignResourceError, GraphicsClosedError, GraphicsContext
from .particles import ParticleRenderer
from .screenshot import read_pixels, save_screenshot, write_png_atomic
from .select import RowGrouper
from .shaders import (
    DEFAULT_SHADER_DIR,
    ShaderCompileError,
    ShaderError,
    ShaderLibrary,
    ShaderNotFoundError,
    parse_compile_log,
)
from .sheets import (
    SheetError,
    SheetNotFoundError,
    TimedAnimation,
    load_aseprite,
    load_grid_sheet,
    load_image,
)
from .sprite_layer import SpriteKind, SpriteLayer
from .sprites import Sprites
from .stats import RenderStats
from .text import TEXT_STRIDE, TextLayer

__all__ = [
    "ATLAS_WIDTH", "Animation", "AnimationSpec", "SpriteAtlas", "SpriteSheet", "animation_spec",
    "sheet_from_frames",
    "BLOCKS", "MAX_FRAMES", "STRIDE", "Blend", "GrowthPolicy", "InstanceBatch",
    "BossSprites", "Camera2D",
    "RESOURCE_KINDS", "ForeignResourceError", "GraphicsClosedError", "GraphicsContext",
    "ParticleRenderer",
    "read_pixels", "save_screenshot", "write_png_atomic",
    "RowGrouper",
    "DEFAULT_SHADER_DIR", "ShaderCompileError", "ShaderError", "ShaderLibrary",
    "ShaderNotFoundError", "parse_compile_log",
    "RenderStats", "SpriteKind", "SpriteLayer", "Sprites",
    "SheetError", "SheetNotFoundError", "TimedAnimation", "load_aseprite", "load_grid_sheet",
    "load_image",
    "ANCHORS", "DEFAULT_CHARS", "Font", "FontError", "default_font_path",
    "TEXT_STRIDE", "TextLayer",
]
