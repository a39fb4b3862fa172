"""Render layer: GL resources, instance batches, sprite atlas and sheets from files, camera, bosses,
particles, text, shaders.

Reads data columns, never writes them; never imports combat or profiler. Everything GL is made
through one ``GraphicsContext``. See docs/ARCHITECTURE.md and each module's docstring.
"""

from __future__ import annotations

from .atlas import (
    BOSS_SHEETS,
    Animation,
    SpriteAtlas,
    SpriteSheet,
    boss_sheet,
    build_atlas,
    default_sheets,
)
from .batch import BLOCKS, MAX_FRAMES, STRIDE, Blend, GrowthPolicy, InstanceBatch
from .boss_sprites import BossSprites
from .camera import Camera2D
from .font import ANCHORS, DEFAULT_CHARS, Font, FontError, default_font_path
from .gl import RESOURCE_KINDS, ForeignResourceError, GraphicsClosedError, GraphicsContext
from .particles import ParticleRenderer
from .renderer import (
    DEFAULT_SHADER_DIR,
    DEFAULT_TIERS,
    Renderer,
    TierSpec,
    tier_specs_from_table,
)
from .screenshot import read_pixels, save_screenshot, write_png_atomic
from .select import RowGrouper
from .shaders import (
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
from .stats import RenderStats
from .text import TEXT_STRIDE, TextLayer

__all__ = [
    "BOSS_SHEETS", "Animation", "SpriteAtlas", "SpriteSheet", "boss_sheet", "build_atlas",
    "default_sheets",
    "BLOCKS", "MAX_FRAMES", "STRIDE", "Blend", "GrowthPolicy", "InstanceBatch",
    "BossSprites", "Camera2D",
    "RESOURCE_KINDS", "ForeignResourceError", "GraphicsClosedError", "GraphicsContext",
    "ParticleRenderer",
    "DEFAULT_SHADER_DIR", "DEFAULT_TIERS", "Renderer", "TierSpec", "tier_specs_from_table",
    "read_pixels", "save_screenshot", "write_png_atomic",
    "RowGrouper",
    "ShaderCompileError", "ShaderError", "ShaderLibrary", "ShaderNotFoundError",
    "parse_compile_log",
    "RenderStats",
    "SheetError", "SheetNotFoundError", "TimedAnimation", "load_aseprite", "load_grid_sheet",
    "load_image",
    "ANCHORS", "DEFAULT_CHARS", "Font", "FontError", "default_font_path",
    "TEXT_STRIDE", "TextLayer",
]
