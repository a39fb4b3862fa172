"""ShaderLibrary hot reload on real GL: a broken shader keeps the last good program drawing and
records file:line; fixing it reloads; first-time failures and missing files raise clearly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from engine.horde import build_atlas
from engine.render import (
    DEFAULT_SHADER_DIR,
    Camera2D,
    GraphicsContext,
    InstanceBatch,
    ShaderCompileError,
    ShaderLibrary,
    ShaderNotFoundError,
    parse_compile_log,
    read_pixels,
)

pytestmark = pytest.mark.gl

W, H = 64, 64


def bump(path: Path) -> None:
    """Move the file's mtime forward: a poll must see it even within one timestamp tick."""
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def insert_after_main(path: Path, line_text: str) -> int:
    """Insert a line right after ``void main() {``; returns its 1-based line number."""
    lines = path.read_text().splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("void main()")) + 1
    lines.insert(at, line_text)
    path.write_text("\n".join(lines) + "\n")
    bump(path)
    return at + 1


@pytest.fixture(scope="module")
def atlas():
    return build_atlas()


@pytest.fixture
def env(ctx, atlas, tmp_path):
    for name in ("sprite.vert", "sprite.frag"):
        shutil.copy(DEFAULT_SHADER_DIR / name, tmp_path / name)
    gfx = GraphicsContext(ctx)
    lib = ShaderLibrary(gfx, tmp_path)
    fbo = gfx.offscreen_target((W, H))
    cam = Camera2D(W, H)
    batch = InstanceBatch(gfx, "swarm", lib, texture=atlas.upload(gfx),
                          frame_uvs=atlas.frame_uvs("swarm"), size=(16, 16))
    pos = np.zeros((1, 2), dtype=np.float32)

    def draw():
        fbo.use()
        fbo.clear(0.0, 0.0, 0.0, 1.0)
        batch.begin()
        batch.pack_range(1, pos)
        batch.upload()
        assert batch.draw(cam.matrix)
        return read_pixels(fbo)[H // 2 - 8:H // 2 + 8, W // 2 - 8:W // 2 + 8, :3].astype(int)

    sprite = atlas.frame_pixels("swarm", 0)
    yield SimpleNamespace(gfx=gfx, lib=lib, dir=tmp_path, draw=draw, sprite=sprite)
    batch.release()
    atlas.release()
    lib.release()
    gfx.release()


def matches_sprite(block, sprite):
    a = sprite[:, :, 3:4].astype(int) // 255
    return np.abs(block - sprite[:, :, :3].astype(int) * a).max() <= 2


def test_broken_fragment_shader_keeps_last_good_program(env):
    good = env.lib.get("sprite")
    assert matches_sprite(env.draw(), env.sprite)
    line = insert_after_main(env.dir / "sprite.frag", "    undefined_thing = 1.0;")

    assert env.lib.check_reload() == 0
    err = env.lib.errors["sprite"]
    assert err.file.endswith("sprite.frag")
    assert err.line == line
    assert "undefined_thing" in err.message
    assert str(err).startswith(f"{err.file}:{line}")
    assert env.lib.last_error == err
    assert env.lib.failed_reloads == 1
    assert env.gfx.render_stats.shader_errors == 1
    assert env.lib.get("sprite") is good
    assert matches_sprite(env.draw(), env.sprite), "the last good program keeps drawing"
    # An unchanged broken file is not recompiled on every poll.
    assert env.lib.check_reload() == 0
    assert env.lib.failed_reloads == 1


def test_fixing_the_shader_reloads_it(env):
    assert matches_sprite(env.draw(), env.sprite)
    frag = env.dir / "sprite.frag"
    original = frag.read_text()
    insert_after_main(frag, "    oops")
    env.lib.check_reload()
    assert "sprite" in env.lib.errors
    # The fix draws every opaque texel pure green, so the new program is visibly in use.
    frag.write_text(original.replace("f_color = color;",
                                     "f_color = vec4(0.0, 1.0, 0.0, color.a);"))
    bump(frag)
    programs_before = list(env.gfx.stats["program"])
    assert env.lib.check_reload() == 1
    assert "sprite" not in env.lib.errors
    assert env.lib.generation["sprite"] == 2
    assert env.lib.reloads == 1 and env.gfx.render_stats.shader_reloads == 1
    # One program made, the replaced one released: no leak across reloads.
    assert env.gfx.stats["program"] == [programs_before[0] + 1, programs_before[1] + 1]
    block = env.draw()
    opaque = env.sprite[:, :, 3] > 0
    assert (block[opaque] == (0, 255, 0)).all()
    assert (block[~opaque] == 0).all()


def test_broken_vertex_shader_names_the_vert_file(env):
    line = insert_after_main(env.dir / "sprite.vert", "    vec2 nope = vec3(1.0);")
    assert env.lib.check_reload() == 0
    err = env.lib.errors["sprite"]
    assert err.file.endswith("sprite.vert") and err.line == line
    assert matches_sprite(env.draw(), env.sprite)


def test_vanished_file_is_a_recorded_error_not_a_crash(env):
    (env.dir / "sprite.frag").unlink()
    assert env.lib.check_reload() == 0
    err = env.lib.errors["sprite"]
    assert err.file.endswith("sprite.frag")
    assert "cannot read" in err.message
    assert matches_sprite(env.draw(), env.sprite)


def test_first_compile_failure_raises_with_file_and_line(ctx, tmp_path):
    vert = (DEFAULT_SHADER_DIR / "sprite.vert").read_text()
    (tmp_path / "bad.vert").write_text(vert)
    (tmp_path / "bad.frag").write_text(
        "#version 330\nout vec4 f;\nvoid main() {\n    f = vec4(1.0)\n}\n")  # missing ';'
    gfx = GraphicsContext(ctx)
    try:
        lib = ShaderLibrary(gfx, tmp_path)
        with pytest.raises(ShaderCompileError) as info:
            lib.get("bad")
        err = info.value.error
        assert err.file.endswith("bad.frag") and err.line in (4, 5)
        assert f"bad.frag:{err.line}" in str(info.value)
        assert gfx.stats["program"] == [0, 0]
    finally:
        gfx.release()


def test_missing_files_and_directory_raise_clearly(ctx, tmp_path):
    gfx = GraphicsContext(ctx)
    try:
        with pytest.raises(ShaderNotFoundError, match="expected a directory"):
            ShaderLibrary(gfx, tmp_path / "nowhere")
        (tmp_path / "half.vert").write_text("#version 330\nvoid main() {}\n")
        lib = ShaderLibrary(gfx, tmp_path)
        with pytest.raises(ShaderNotFoundError, match=r"half\.frag"):
            lib.get("half")
        with pytest.raises(ShaderNotFoundError, match=r"ghost\.vert"):
            lib.get("ghost")
        with pytest.raises(KeyError, match="not loaded"):
            lib.reload("ghost")
    finally:
        gfx.release()


def test_parse_compile_log_formats():
    files = {"vertex_shader": Path("a.vert"), "fragment_shader": Path("a.frag")}
    mesa = ("GLSL Compiler failed\n\nfragment_shader\n===============\n"
            "0:12(5): error: `x' undeclared\n0:12(5): error: other\n\n")
    err = parse_compile_log(mesa, "a", files)
    assert (err.file, err.line, err.column, err.message) == ("a.frag", 12, 5, "`x' undeclared")
    nvidia = "GLSL Compiler failed\n\nvertex_shader\n=============\n0(7) : error C1008: bad\n"
    err = parse_compile_log(nvidia, "a", files)
    assert (err.file, err.line) == ("a.vert", 7) and "C1008" in err.message
    link = "GLSL Linker failed\n\nProgram\n=======\nerror: vertex shader lacks `main'\n"
    err = parse_compile_log(link, "a", files)
    assert err.line is None and err.file == "a.vert + a.frag" and "lacks" in err.message


BAD_BYTES = b"\xff\xfe\x00\x81 not a shader \xc3\x28\n"


def test_undecodable_bytes_under_hot_reload_keep_the_last_good_program(env):
    good = env.lib.get("sprite")
    assert matches_sprite(env.draw(), env.sprite)
    frag = env.dir / "sprite.frag"
    frag.write_bytes(BAD_BYTES)
    bump(frag)

    assert env.lib.check_reload() == 0
    err = env.lib.errors["sprite"]
    assert err.file == str(frag)
    assert (err.line, err.column) == (1, 1)
    assert "UTF-8" in err.message
    assert str(err).startswith(f"{frag}:1:1: expected UTF-8 text")
    assert "\n" not in str(err)
    assert env.lib.last_error == err
    assert env.lib.failed_reloads == 1 and env.gfx.render_stats.shader_errors == 1
    assert env.lib.get("sprite") is good
    assert env.lib.generation["sprite"] == 1
    assert matches_sprite(env.draw(), env.sprite), "the last good program keeps drawing"
    # The unchanged bad file is not read again on every poll.
    assert env.lib.check_reload() == 0
    assert env.lib.failed_reloads == 1


def test_nul_byte_under_hot_reload_is_an_error_at_its_line(env):
    env.lib.get("sprite")
    vert = env.dir / "sprite.vert"
    text = vert.read_bytes()
    vert.write_bytes(text.replace(b"void main()", b"\x00void main()", 1))
    bump(vert)
    assert env.lib.check_reload() == 0
    err = env.lib.errors["sprite"]
    assert err.file == str(vert) and "NUL byte" in err.message
    assert err.line == text[:text.index(b"void main()")].count(b"\n") + 1
    assert matches_sprite(env.draw(), env.sprite)


def test_fixing_undecodable_bytes_reloads(env):
    frag = env.dir / "sprite.frag"
    original = frag.read_bytes()
    env.lib.get("sprite")
    frag.write_bytes(BAD_BYTES)
    bump(frag)
    env.lib.check_reload()
    assert "sprite" in env.lib.errors
    frag.write_bytes(original)
    bump(frag)
    assert env.lib.check_reload() == 1
    assert "sprite" not in env.lib.errors and env.lib.generation["sprite"] == 2
    assert matches_sprite(env.draw(), env.sprite)


def test_undecodable_file_at_first_load_is_one_line_naming_it(ctx, tmp_path):
    shutil.copy(DEFAULT_SHADER_DIR / "sprite.vert", tmp_path / "bad.vert")
    (tmp_path / "bad.frag").write_bytes(b"#version 330\n// caf\xe9\nvoid main() {}\n")
    gfx = GraphicsContext(ctx)
    try:
        lib = ShaderLibrary(gfx, tmp_path)
        with pytest.raises(ShaderCompileError) as info:
            lib.get("bad")
        msg = str(info.value)
        assert "\n" not in msg
        assert f"{tmp_path / 'bad.frag'}:2:7: expected UTF-8 text" in msg
        assert lib.errors["bad"] == info.value.error
        assert "bad" not in lib and gfx.stats["program"] == [0, 0]
    finally:
        gfx.release()
