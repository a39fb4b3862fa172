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
    """The session's GL context, with ``ctx.error == 'GL_NO_ERROR'`` held before and after."""
    assert gl_ctx.error == "GL_NO_ERROR", "a GL error was pending before the test"
    yield gl_ctx
    err = gl_ctx.error
    assert err == "GL_NO_ERROR", f"the test left a GL error: {err}"


@pytest.fixture
def display():
    """The X display for real-window tests; skips when there is none (CI runs under Xvfb)."""
    disp = os.environ.get("DISPLAY")
    if not disp:
        pytest.skip("no DISPLAY: run under xvfb-run (make test does)")
    return disp
