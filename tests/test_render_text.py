"""Text (engine/render/font.py, text.py): DejaVu Sans from matplotlib rasterised by Pillow into a
glyph atlas, strings drawn headless as instanced quads (pixels inside the text's box, none
outside it), one draw call per layer, and no allocation per frame for unchanged strings."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest

from engine.profiler.steady_state import measure_steady_state
from engine.render import (
    DEFAULT_SHADER_DIR,
    Camera2D,
    Font,
    FontError,
    GraphicsContext,
    ShaderLibrary,
    TextLayer,
    default_font_path,
    read_pixels,
)

BG = (0.0, 0.0, 0.0, 1.0)


@pytest.fixture(scope="module")
def font():
    return Font(size=16)


def test_default_font_is_matplotlibs_dejavu(font):
    assert default_font_path().name == "DejaVuSans.ttf"
    assert default_font_path().is_relative_to(matplotlib.get_data_path())
    assert font.path == default_font_path()
    assert font.image.dtype == np.uint8 and font.image.shape[1] == 512
    assert font.line_height >= 16 and 0 < font.ascent < font.line_height
    a = font.glyph("A")
    assert font.quads[a, 2] > 0 and font.quads[a, 3] > 0 and font.advances[a] > 0
    u0, v0, u1, v1 = font.uvs[a]
    assert 0 <= u0 < u1 <= 1 and 0 <= v0 < v1 <= 1
    x0, y0 = round(u0 * font.image.shape[1]), round(v0 * font.image.shape[0])
    w, h = int(font.quads[a, 2]), int(font.quads[a, 3])
    assert font.image[y0:y0 + h, x0:x0 + w].max() == 255  # the bitmap is where the uv says
    assert font.glyph("\u4e2d") == font.glyph("?")  # not rasterised: the fallback


def test_measure_and_layout(font):
    w1, h1 = font.measure("hp 100")
    w2, h2 = font.measure("hp 100\nkills 7", scale=2.0)
    assert h1 == font.line_height and h2 == 4 * font.line_height
    assert w1 == pytest.approx(font.line_width("hp 100"))
    out = np.zeros((8, 8), np.float32)
    n = font.layout("a b", out)
    assert n == 2  # the space takes no row
    assert out[1, 0] > out[0, 0] + font.quads[font.glyph("a"), 2]
    with pytest.raises(ValueError, match="more than 8 visible glyphs"):
        font.layout("abcdefghi", out)
    with pytest.raises(ValueError, match="expected an anchor"):
        font.layout("a", out, anchor="middle")


def test_font_errors(tmp_path):
    with pytest.raises(FontError, match="not found"):
        Font(tmp_path / "nope.ttf")
    (tmp_path / "bad.ttf").write_bytes(b"not a font at all")
    with pytest.raises(FontError, match="not a font"):
        Font(tmp_path / "bad.ttf")
    with pytest.raises(FontError, match="size"):
        Font(size=2)


@pytest.fixture
def env(ctx, font):
    gfx = GraphicsContext(ctx)
    shaders = ShaderLibrary(gfx, DEFAULT_SHADER_DIR)
    fbo = gfx.offscreen_target((200, 80))
    fbo.use()
    ctx.viewport = (0, 0, 200, 80)
    yield SimpleNamespace(gfx=gfx, shaders=shaders, fbo=fbo, font=font, ctx=ctx)
    ctx.detect_framebuffer(0).use()
    font.release()
    shaders.release()
    gfx.release()


def lit(env) -> np.ndarray:
    px = read_pixels(env.fbo).astype(np.int32)
    return np.abs(px[..., :3]).sum(axis=2) > 0


def box_check(mask, x0, y0, x1, y1, slack=1):
    """Lit pixels inside the box (many) and outside it grown by ``slack`` (none)."""
    ix0, iy0 = int(np.floor(x0)) - slack, int(np.floor(y0)) - slack
    ix1, iy1 = int(np.ceil(x1)) + slack, int(np.ceil(y1)) + slack
    inside = mask[max(iy0, 0):iy1, max(ix0, 0):ix1].sum()
    assert inside == mask.sum(), f"{mask.sum() - inside} lit pixels outside the text's box"
    return int(inside)


def test_screen_text_lands_in_its_box(env):
    layer = TextLayer(env.gfx, env.shaders, env.font)
    text = "HELLO 42"
    layer.add(text, 30.0, 12.0, color=(1.0, 1.0, 0.2))
    env.ctx.clear(*BG)
    env.gfx.begin_frame()
    assert layer.draw()
    assert env.gfx.draw_calls_frame == 1
    w, h = env.font.measure(text)
    inside = box_check(lit(env), 30, 12, 30 + w, 12 + h)
    assert inside > 60  # seven glyphs of a 16 px font
    layer.release()


def test_two_slots_one_draw_and_anchors(env):
    layer = TextLayer(env.gfx, env.shaders, env.font)
    layer.add("left", 4.0, 4.0)
    right = layer.add("right", 196.0, 76.0, anchor="rb", scale=1.5)
    env.ctx.clear(*BG)
    env.gfx.begin_frame()
    layer.draw()
    assert env.gfx.draw_calls_frame == 1
    mask = lit(env)
    w, h = env.font.measure("right", scale=1.5)
    assert mask[int(76 - h):, int(196 - w) - 1:].sum() > 40
    lw, lh = env.font.measure("left")
    assert mask[:int(4 + lh) + 1, :int(4 + lw) + 1].sum() > 20
    assert mask.sum() == mask[int(76 - h):, int(196 - w) - 1:].sum() \
        + mask[:int(4 + lh) + 1, :int(4 + lw) + 1].sum()
    layer.set_visible(right, False)
    env.ctx.clear(*BG)
    layer.draw()
    assert lit(env)[40:, 100:].sum() == 0
    layer.release()


def test_world_text_follows_the_camera(env):
    layer = TextLayer(env.gfx, env.shaders, env.font, space="world", name="labels")
    cam = Camera2D(200, 80)
    cam.move_to(50.0, 0.0)
    layer.add("boss", 50.0, 0.0, anchor="cm")  # world (50, 0) is the viewport's centre
    env.ctx.clear(*BG)
    layer.draw(cam.matrix)
    w, h = env.font.measure("boss")
    box_check(lit(env), 100 - w / 2, 40 - h / 2, 100 + w / 2, 40 + h / 2)
    with pytest.raises(ValueError, match="world space: draw it with a camera matrix"):
        layer.draw()
    layer.release()


def test_changes_repack_only_their_slot_and_grow_when_needed(env):
    layer = TextLayer(env.gfx, env.shaders, env.font, capacity=8)
    a = layer.add("hp 10", 0, 0, max_chars=4)
    b = layer.add("kills 0", 0, 20)
    assert layer.repacks == 2 and layer.used >= 4 + 16
    assert not layer.set_text(a, "hp 10") and layer.repacks == 2
    assert layer.set_text(a, "hp 9") and layer.repacks == 3
    assert layer.set_text(a, "hp 1000000")  # longer than its run: moved, storage doubled
    assert layer.text(a) == "hp 1000000" and layer.text(b) == "kills 0"
    assert layer.growths >= 1 and env.gfx.render_stats.reallocations >= 1
    layer.remove(b)
    c = layer.add("new", 0, 40)
    assert layer.slots == 2 and layer.text(c) == "new"
    with pytest.raises(KeyError, match="no text slot"):
        layer.set_text(b, "x")
    env.ctx.clear(*BG)
    layer.draw()
    mask = lit(env)
    assert mask[:18].sum() > 0 and mask[20:38].sum() == 0 and mask[40:58].sum() > 0
    layer.release()


def test_hud_frame_with_unchanged_strings_allocates_nothing(env):
    """A HUD as a game writes it: strings formatted every frame from values that do not change,
    a world label following a moving boss, one screen and one world layer drawn."""
    hud = TextLayer(env.gfx, env.shaders, env.font)
    labels = TextLayer(env.gfx, env.shaders, env.font, space="world", name="labels")
    cam = Camera2D(200, 80)
    state = SimpleNamespace(hp=87, kills=1234, time=61.5)
    hp = hud.add("", 4, 4)
    kills = hud.add("", 4, 24)
    clock = hud.add("", 196, 4, anchor="rt")
    boss = labels.add("BRUTE", 10.0, 5.0, anchor="cb", color=(1.0, 0.4, 0.4))

    pos = np.zeros(2, np.float32)  # the boss walks: its label follows every frame

    def frame():
        env.gfx.begin_frame()
        hud.set_text(hp, f"hp {state.hp}")
        hud.set_text(kills, f"kills {state.kills}")
        hud.set_text(clock, f"{int(state.time) // 60}:{int(state.time) % 60:02d}")
        pos[0] = (pos[0] + 0.25) % 40.0
        labels.set_position(boss, float(pos[0]), 5.0)
        labels.draw(cam.matrix)
        hud.draw()

    frame()
    repacks = hud.repacks + labels.repacks
    report = measure_steady_state(frame, warmup=60, window=200)
    assert report.ok, str(report)
    assert hud.repacks + labels.repacks == repacks
    assert env.gfx.draw_calls_frame == 2
    hud.release()
    labels.release()


def test_a_string_changing_every_frame_keeps_nothing(env):
    """A score that changes every frame re-packs every frame, with transients only."""
    hud = TextLayer(env.gfx, env.shaders, env.font)
    score = hud.add("", 4, 4)
    n = np.zeros(1, np.int64)

    def frame():
        n[0] += 1
        hud.set_text(score, f"score {int(n[0])}")
        hud.draw()

    before = hud.repacks
    report = measure_steady_state(frame, warmup=60, window=200)
    assert report.ok, str(report)
    assert hud.repacks - before == 60 + 2 * 200
    hud.release()
