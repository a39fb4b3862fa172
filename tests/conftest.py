"""Shared fixtures. The one place tests get a GL context: a standalone EGL context on Mesa
(llvmpipe here), checked for GL errors before and after each test that uses it."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def gl_ctx():
    """A standalone moderngl context (EGL, OpenGL >= 3.3 core), shared by the session."""
    moderngl = pytest.importorskip("moderngl")
    ctx = moderngl.create_standalone_context(backend="egl", require=330)
    yield ctx
    ctx.release()


@pytest.fixture
def ctx(gl_ctx):
    """The session's GL context, with ``ctx.error == 'GL_NO_ERROR'`` held before and after.

    It also fails a test that leaves a released framebuffer bound: moderngl rebinds "the bound
    framebuffer" whenever it makes the next one, so the *next* test would get the
    GL_INVALID_OPERATION (bind the default framebuffer before releasing a bound one).
    """
    assert gl_ctx.error == "GL_NO_ERROR", "a GL error was pending before the test"
    yield gl_ctx
    err = gl_ctx.error
    assert err == "GL_NO_ERROR", f"the test left a GL error: {err}"
    bound = gl_ctx.fbo
    if type(bound.mglo).__name__ == "InvalidObject":
        gl_ctx.detect_framebuffer(0).use()  # so that the following tests start clean
        pytest.fail("the test released the framebuffer that was still bound; bind another "
                    "(e.g. ctx.detect_framebuffer(0).use()) before releasing it")


@pytest.fixture
def display():
    """The X display for real-window tests; skips when there is none (CI runs under Xvfb)."""
    disp = os.environ.get("DISPLAY")
    if not disp:
        pytest.skip("no DISPLAY: run under xvfb-run (make test does)")
    return disp
