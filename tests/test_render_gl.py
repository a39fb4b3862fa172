"""GraphicsContext: every GL object counted (created, released, live), release safe twice,
foreign objects refused, draw calls counted per frame. Real GL (EGL on Mesa)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.render import (
    RESOURCE_KINDS,
    ForeignResourceError,
    GraphicsClosedError,
    GraphicsContext,
)

pytestmark = pytest.mark.gl

VS = """#version 330
void main() {
    vec2 c = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1)) * 2.0 - 1.0;
    gl_Position = vec4(c, 0.0, 1.0);
}"""
FS = """#version 330
out vec4 f;
void main() { f = vec4(1.0, 0.5, 0.0, 1.0); }"""


def test_every_kind_is_counted_and_released(ctx):
    gfx = GraphicsContext(ctx)
    buf = gfx.buffer(reserve=64)
    prog = gfx.program(VS, FS)
    vao = gfx.vertex_array(prog, [])
    tex = gfx.texture((4, 4), 4)
    arr = gfx.texture_array((4, 4, 2), 4)
    rb = gfx.renderbuffer((8, 8))
    fbo = gfx.framebuffer(color_attachments=[rb])
    smp = gfx.sampler()
    made = {"buffer": 1, "program": 1, "vertex_array": 1, "texture": 1, "texture_array": 1,
            "renderbuffer": 1, "framebuffer": 1, "sampler": 1}
    assert set(gfx.stats) == set(RESOURCE_KINDS)
    for kind, n in made.items():
        assert gfx.stats[kind] == [n, 0], kind
    assert gfx.live == made
    rs = gfx.render_stats
    assert (rs.gl_created, rs.gl_released, rs.gl_live) == (8, 0, 8)
    assert rs.gl_objects is gfx.stats

    gfx.release(buf)
    gfx.release(buf)  # twice: a no-op
    assert gfx.stats["buffer"] == [1, 1]
    assert rs.gl_live == 7
    released = gfx.release_all()
    assert released == 7
    assert all(v == 0 for v in gfx.live.values())
    assert (rs.gl_created, rs.gl_released, rs.gl_live) == (8, 8, 0)
    for obj in (prog, vao, tex, arr, rb, fbo, smp):
        gfx.release(obj)  # already released by release_all: still a no-op
    gfx.release()
    gfx.release()  # closing twice is safe
    assert gfx.closed
    with pytest.raises(GraphicsClosedError, match="released"):
        gfx.buffer(reserve=16)


def test_foreign_object_is_refused_with_its_type(ctx):
    gfx = GraphicsContext(ctx)
    other = GraphicsContext(ctx)
    buf = other.buffer(reserve=16)
    raw = ctx.buffer(reserve=16)
    try:
        with pytest.raises(ForeignResourceError, match="Buffer"):
            gfx.release(buf)
        with pytest.raises(ForeignResourceError):
            gfx.release(raw)
        assert other.owns(buf) and not gfx.owns(buf)
    finally:
        raw.release()
        other.release()
        gfx.release()


def test_bad_arguments_say_what_was_received(ctx):
    with pytest.raises(TypeError, match="expected a moderngl.Context, got str"):
        GraphicsContext("not a context")  # type: ignore[arg-type]
    gfx = GraphicsContext(ctx)
    try:
        with pytest.raises(ValueError, match="reserve=0"):
            gfx.buffer()
        with pytest.raises(ValueError, match="positive"):
            gfx.offscreen_target((0, 10))
    finally:
        gfx.release()


def test_failed_compile_is_not_counted(ctx):
    import moderngl

    gfx = GraphicsContext(ctx)
    try:
        with pytest.raises(moderngl.Error):
            gfx.program(VS, FS.replace("f = vec4", "f = vec3"))
        assert gfx.stats["program"] == [0, 0]
    finally:
        gfx.release()


def test_draw_calls_counted_per_frame_and_in_total(ctx):
    gfx = GraphicsContext(ctx)
    try:
        fbo = gfx.offscreen_target((8, 8))
        fbo.use()
        vao = gfx.vertex_array(gfx.program(VS, FS), [])
        for frame, draws in enumerate((3, 0, 2)):
            gfx.begin_frame()
            for _ in range(draws):
                gfx.draw(vao, vertices=4, mode=5)  # TRIANGLE_STRIP
            assert gfx.draw_calls_frame == draws
            assert gfx.render_stats.draw_calls == draws
            assert gfx.render_stats.frames == frame + 1
        assert gfx.draw_calls_total == 5
        assert gfx.render_stats.draw_calls_total == 5
        # The draw really happened: the full-screen quad is orange.
        px = np.frombuffer(fbo.read(components=4), dtype=np.uint8).reshape(8, 8, 4)
        assert tuple(px[4, 4]) == (255, 128, 0, 255)
        gfx.release_target(fbo)
        assert gfx.stats["renderbuffer"] == [1, 1]
        assert gfx.stats["framebuffer"] == [1, 1]
    finally:
        gfx.release()
    assert gfx.render_stats.gl_live == 0


def test_releasing_the_bound_framebuffer_leaves_no_gl_error(ctx):
    """moderngl rebinds its 'current' framebuffer after making a new one; releasing the bound
    one must not leave a deleted name there (GL_INVALID_OPERATION on the next framebuffer)."""
    gfx = GraphicsContext(ctx)
    try:
        fbo = gfx.offscreen_target((4, 4))
        fbo.use()
        gfx.release_target(fbo)
        again = gfx.offscreen_target((4, 4))
        assert ctx.error == "GL_NO_ERROR"
        gfx.release_target(again)
    finally:
        gfx.release()
