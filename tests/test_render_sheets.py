"""Sprite sheets from files (engine/render/sheets.py): PNG grids and Aseprite JSON exports written
by the test, packed into the atlas next to the procedural sheets, drawn headless; and each
failure as one SheetError line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from engine.horde import build_atlas, default_sheets
from engine.profiler.steady_state import measure_steady_state
from engine.render import (
    DEFAULT_SHADER_DIR,
    Camera2D,
    GraphicsContext,
    InstanceBatch,
    ShaderLibrary,
    SheetError,
    SheetNotFoundError,
    TimedAnimation,
    load_aseprite,
    load_grid_sheet,
    load_image,
    read_pixels,
)

FW, FH, COLS, ROWS = 8, 6, 4, 2


def cell_color(r: int, c: int) -> tuple[int, int, int, int]:
    return (40 + 50 * c, 60 + 120 * r, 200, 255)


def grid_png(path, margin=0, spacing=0):
    """COLS x ROWS cells of FW x FH, each filled with cell_color(row, col)."""
    w = 2 * margin + COLS * FW + (COLS - 1) * spacing
    h = 2 * margin + ROWS * FH + (ROWS - 1) * spacing
    img = np.zeros((h, w, 4), dtype=np.uint8)
    for r in range(ROWS):
        for c in range(COLS):
            x, y = margin + c * (FW + spacing), margin + r * (FH + spacing)
            img[y:y + FH, x:x + FW] = cell_color(r, c)
    Image.fromarray(img, "RGBA").save(path)
    return path


def test_grid_sheet_named_rows(tmp_path):
    path = grid_png(tmp_path / "hero.png")
    sheet = load_grid_sheet(path, (FW, FH), {"walk": (0, 4, 8.0),
                                            "jump": {"row": 1, "frames": 2, "fps": 12,
                                                     "loop": False, "column": 1}})
    assert sheet.name == "hero" and sheet.frame_size == (FW, FH) and sheet.frame_count == 6
    walk, jump = sheet.animation("walk"), sheet.animation("jump")
    assert (walk.first, walk.count, walk.fps, walk.loop) == (0, 4, 8.0, True)
    assert (jump.first, jump.count, jump.fps, jump.loop) == (4, 2, 12.0, False)
    for i in range(4):
        assert tuple(sheet.frames[walk.first + i][0, 0]) == cell_color(0, i)
    assert tuple(sheet.frames[jump.first][0, 0]) == cell_color(1, 1)
    assert tuple(sheet.frames[jump.first + 1][-1, -1]) == cell_color(1, 2)


def test_grid_with_margin_spacing_and_the_default_animation(tmp_path):
    path = grid_png(tmp_path / "tiles.png", margin=2, spacing=1)
    sheet = load_grid_sheet(path, (FW, FH), margin=2, spacing=1, name="tiles", fps=5)
    anim = sheet.animation("all")
    assert (anim.count, anim.fps) == (COLS * ROWS, 5.0)
    for i in range(COLS * ROWS):
        frame = sheet.frames[i]
        assert (frame == np.array(cell_color(i // COLS, i % COLS), np.uint8)).all()


def test_file_sheets_pack_next_to_the_procedural_ones(tmp_path):
    hero = load_grid_sheet(grid_png(tmp_path / "hero.png"), (FW, FH), {"walk": (1, 4, 8)},
                           name="hero_png")
    atlas = build_atlas({**default_sheets(), "hero_png": hero})
    assert "swarm" in atlas.sheets and "hero_png" in atlas.sheets
    for i in range(4):
        assert (atlas.frame_pixels("hero_png", i) == hero.frames[i]).all()
    assert atlas.frame_uvs("hero_png").shape == (4, 4)


def test_load_image_is_one_frame(tmp_path):
    img = np.zeros((5, 7, 4), np.uint8)
    img[..., 0] = 255
    img[..., 3] = 255
    Image.fromarray(img, "RGBA").save(tmp_path / "dot.png")
    sheet = load_image(tmp_path / "dot.png")
    assert sheet.name == "dot" and sheet.frame_size == (7, 5) and sheet.frame_count == 1
    assert sheet.animation("idle").count == 1


def one_line(exc_info) -> str:
    msg = str(exc_info.value)
    assert "\n" not in msg, msg
    return msg


def test_grid_errors_are_one_line(tmp_path):
    path = grid_png(tmp_path / "hero.png")
    with pytest.raises(SheetNotFoundError) as e:
        load_grid_sheet(tmp_path / "nope.png", (8, 8))
    assert isinstance(e.value, FileNotFoundError) and "nope.png" in one_line(e)
    (tmp_path / "notes.png").write_text("this is not a picture")
    with pytest.raises(SheetError, match="not an image") as e:
        load_grid_sheet(tmp_path / "notes.png", (8, 8))
    one_line(e)
    with pytest.raises(SheetError, match=r"frame size 10x6 .* does not divide the 32x12") as e:
        load_grid_sheet(path, (10, FH))
    one_line(e)
    with pytest.raises(SheetError, match=r"'run' needs row 2.*2 rows x 4 columns") as e:
        load_grid_sheet(path, (FW, FH), {"run": (2, 4, 8)})
    one_line(e)
    with pytest.raises(SheetError, match=r"columns 2\.\.4") as e:
        load_grid_sheet(path, (FW, FH), {"run": {"row": 0, "frames": 3, "fps": 8,
                                                 "column": 2}})
    with pytest.raises(SheetError, match="expected fps > 0"):
        load_grid_sheet(path, (FW, FH), {"run": (0, 4, 0)})
    with pytest.raises(SheetError, match=r"expected \(row, frames, fps"):
        load_grid_sheet(path, (FW, FH), {"run": 3})


# ---------------------------------------------------------------------- Aseprite
def aseprite_doc(form: str, image: str = "knight.png", trimmed: bool = False) -> dict:
    """Six 8 x 6 frames in a row, as Aseprite 1.3 writes them; frame 5 (optionally) trimmed."""
    durations = [100, 100, 200, 100, 50, 150]
    frames = []
    for i, ms in enumerate(durations):
        rect = {"x": i * FW, "y": 0, "w": FW, "h": FH}
        frame = {"filename": f"knight {i}.aseprite", "frame": rect, "rotated": False,
                 "trimmed": False, "spriteSourceSize": {"x": 0, "y": 0, "w": FW, "h": FH},
                 "sourceSize": {"w": FW, "h": FH}, "duration": ms}
        if trimmed and i == 5:
            frame["frame"] = {"x": i * FW + 2, "y": 1, "w": 4, "h": 3}
            frame["trimmed"] = True
            frame["spriteSourceSize"] = {"x": 2, "y": 1, "w": 4, "h": 3}
        frames.append(frame)
    meta = {
        "app": "https://www.aseprite.org/", "version": "1.3.7-x64", "image": image,
        "format": "RGBA8888", "size": {"w": 6 * FW, "h": FH}, "scale": "1",
        "frameTags": [
            {"name": "idle", "from": 0, "to": 1, "direction": "forward", "color": "#000000ff"},
            {"name": "walk", "from": 2, "to": 4, "direction": "pingpong",
             "color": "#000000ff"},
            {"name": "back", "from": 0, "to": 2, "direction": "reverse", "color": "#000000ff"},
            {"name": "die", "from": 3, "to": 5, "direction": "forward", "color": "#000000ff",
             "repeat": "1"},
        ],
        "layers": [{"name": "Layer 1", "opacity": 255, "blendMode": "normal"}], "slices": [],
    }
    if form == "hash":
        return {"frames": {f.pop("filename"): f for f in frames}, "meta": meta}
    return {"frames": frames, "meta": meta}


def knight_png(path):
    img = np.zeros((FH, 6 * FW, 4), dtype=np.uint8)
    for i in range(6):
        img[:, i * FW:(i + 1) * FW] = (30 * i + 10, 100, 50, 255)
    Image.fromarray(img, "RGBA").save(path)


def frame_id(frame: np.ndarray) -> int:
    """The source frame index a test frame was cut from (its red channel)."""
    r = int(frame[frame[..., 3] > 0][0][0])
    return (r - 10) // 30


@pytest.mark.parametrize("form", ["array", "hash"])
def test_aseprite_tags_directions_and_durations(tmp_path, form):
    knight_png(tmp_path / "knight.png")
    (tmp_path / "knight.json").write_text(json.dumps(aseprite_doc(form), indent=1))
    sheet = load_aseprite(tmp_path / "knight.json")
    assert sheet.name == "knight" and sheet.frame_size == (FW, FH)
    plays = {name: [frame_id(sheet.frames[a.first + i]) for i in range(a.count)]
             for name, a in sheet.animations.items()}
    assert plays == {"idle": [0, 1], "walk": [2, 3, 4, 3], "back": [2, 1, 0], "die": [3, 4, 5]}
    walk = sheet.animation("walk")
    assert isinstance(walk, TimedAnimation)
    assert walk.durations == (0.2, 0.1, 0.05, 0.1) and walk.loop
    assert walk.duration == pytest.approx(0.45)
    assert [walk.frame_at(t) for t in (0.0, 0.19, 0.21, 0.31, 0.36, 0.44, 0.46)] == \
        [0, 0, 1, 2, 3, 3, 0]
    die = sheet.animation("die")
    assert not die.loop and die.frame_at(10.0) == 2
    assert die.fps == pytest.approx(3 / 0.3)


def test_aseprite_trimmed_frame_goes_back_in_its_cell(tmp_path):
    knight_png(tmp_path / "knight.png")
    (tmp_path / "k.json").write_text(json.dumps(aseprite_doc("array", trimmed=True)))
    sheet = load_aseprite(tmp_path / "k.json", tmp_path / "knight.png", name="k", kind="boss")
    assert sheet.kind == "boss" and build_atlas({"k": sheet}).boss_sheets == ("k",)
    die = sheet.animation("die")
    last = sheet.frames[die.first + 2]
    assert last.shape == (FH, FW, 4)
    assert (last[1:4, 2:6, 3] == 255).all() and last[..., 3].sum() == 4 * 3 * 255


def test_aseprite_without_tags_is_one_animation(tmp_path):
    knight_png(tmp_path / "knight.png")
    doc = aseprite_doc("array")
    del doc["meta"]["frameTags"]
    (tmp_path / "k.json").write_text(json.dumps(doc))
    sheet = load_aseprite(tmp_path / "k.json")
    assert list(sheet.animations) == ["all"] and sheet.animation("all").count == 6


def test_aseprite_errors_are_one_line(tmp_path):
    knight_png(tmp_path / "knight.png")
    path = tmp_path / "k.json"
    with pytest.raises(SheetNotFoundError):
        load_aseprite(path)
    path.write_text('{"frames": [ {"frame": ')
    with pytest.raises(SheetError, match="malformed JSON at line 1") as e:
        load_aseprite(path)
    one_line(e)
    path.write_text('{"meta": {}}')
    with pytest.raises(SheetError, match="expected an Aseprite export"):
        load_aseprite(path)

    def bad(mutate, match):
        doc = aseprite_doc("array")
        mutate(doc)
        path.write_text(json.dumps(doc))
        with pytest.raises(SheetError, match=match) as e:
            load_aseprite(path)
        one_line(e)

    bad(lambda d: d["frames"][5]["frame"].update(x=45), r"'knight 5.aseprite' is the rect "
        r"x=45 y=0 w=8 h=6, outside the 48x6 image")
    bad(lambda d: d["meta"]["size"].update(w=64), r"meta.size is 64x6 but .* is 48x6")
    bad(lambda d: d["meta"]["frameTags"][1].update(to=6), r"expected 0 <= from <= to < 6")
    bad(lambda d: d["meta"]["frameTags"][1].update(direction="sideways"), "direction")
    bad(lambda d: d["frames"][2].update(duration=0), "duration: expected milliseconds > 0")
    bad(lambda d: d["meta"].update(image="missing.png"), "not found")
    (tmp_path / "bogus.png").write_bytes(b"\x89PNG but not really")
    bad(lambda d: d["meta"].update(image="bogus.png"), "not an image")


def test_timed_animation_frame_at_allocates_nothing():
    anim = TimedAnimation("walk", 0, 4, 10.0, True, durations=(0.1, 0.2, 0.05, 0.1))
    t = [0.0]

    def frame_fn():
        t[0] += 0.016
        anim.frame_at(t[0])

    report = measure_steady_state(frame_fn, warmup=60, window=200)
    assert report.ok, str(report)


@pytest.mark.gl
def test_a_png_sprite_draws(ctx, tmp_path):
    """A 16 x 16 PNG frame drawn at the centre of a 32 x 32 target, 1 px per unit: its colour
    covers the centre and nothing outside the 16 x 16 square."""
    img = np.zeros((16, 16, 4), dtype=np.uint8)
    img[...] = (250, 40, 20, 255)
    Image.fromarray(img, "RGBA").save(tmp_path / "red.png")
    atlas = build_atlas({"red": load_image(tmp_path / "red.png")})
    gfx = GraphicsContext(ctx)
    shaders = ShaderLibrary(gfx, DEFAULT_SHADER_DIR)
    fbo = gfx.offscreen_target((32, 32))
    batch = InstanceBatch(gfx, "red", shaders, texture=atlas.upload(gfx),
                          frame_uvs=atlas.frame_uvs("red"), size=(16, 16), capacity=4)
    fbo.use()
    ctx.clear(0.0, 0.0, 0.0, 1.0)
    xy = np.zeros((1, 2), np.float32)
    batch.begin()
    batch.pack_range(1, xy, xy, 1.0)
    batch.upload()
    batch.draw(Camera2D(32, 32).matrix)
    px = read_pixels(fbo)
    lit = (px[..., 0] > 200) & (px[..., 1] < 80)
    assert lit[8:24, 8:24].all() and lit.sum() == 16 * 16
    ctx.detect_framebuffer(0).use()
    atlas.release()
    gfx.release()
