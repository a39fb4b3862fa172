"""Screenshots: read any moderngl framebuffer into a top-down RGBA array, save it as PNG atomically.

GL returns rows bottom-up; ``read_pixels`` flips them so that row 0 is the top of the image (the
screen convention of ``Camera2D.world_to_screen``). Files are written to a temporary file in the
destination directory and moved into place with ``os.replace``, so a reader never sees a
half-written PNG (and a crash leaves no truncated file behind).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import moderngl
import numpy as np
from PIL import Image

from engine.data.files import atomic_write_bytes

__all__ = ["read_pixels", "save_screenshot", "write_png_atomic"]

RELEASED = ("this framebuffer was released (App.run() closes the App when it ends): take the "
            "screenshot in a frame_end hook (before the swap), or headless drive the frames "
            "with app.start() / app.step_frame() and save it before app.close()")


def read_pixels(fbo: moderngl.Framebuffer, *, attachment: int = 0,
                viewport: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """The framebuffer's RGBA8 pixels as an (H, W, 4) uint8 array, row 0 at the top.

    Args:
        fbo: any moderngl framebuffer (the window's ``ctx.screen`` or an offscreen one).
        attachment: color attachment index.
        viewport: (x, y, w, h) in GL convention (y from the bottom); default: the whole
            framebuffer.

    Allocates the returned array (a tool, not a per-frame path).

    Raises:
        TypeError: ``fbo`` is not a moderngl.Framebuffer.
        RuntimeError: ``fbo`` was released (e.g. read after ``App.run()`` returned); the
            message says where to take the screenshot instead.
    """
    if not isinstance(fbo, moderngl.Framebuffer):
        raise TypeError(f"expected a moderngl.Framebuffer, got {type(fbo).__name__}")
    if type(fbo.mglo).__name__ == "InvalidObject":
        raise RuntimeError(RELEASED)
    if viewport is None:
        w, h = fbo.size
        viewport = (0, 0, w, h)
    data = fbo.read(viewport=viewport, components=4, attachment=attachment, alignment=1)
    w, h = viewport[2], viewport[3]
    pixels = np.frombuffer(data, dtype=np.uint8).reshape(h, w, 4)
    return np.ascontiguousarray(pixels[::-1])


def write_png_atomic(image: np.ndarray, path: str | os.PathLike[str]) -> Path:
    """Write an (H, W, 4) or (H, W, 3) uint8 array as a PNG, atomically; returns the path.

    Raises:
        ValueError: not a uint8 (H, W, 3|4) array.
        OSError: the directory is missing or not writable.
    """
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"expected a uint8 array of shape (H, W, 3|4), got {image.dtype} "
                         f"{image.shape}")
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buf, format="PNG")
    return atomic_write_bytes(path, buf.getvalue(), make_dirs=False)


def save_screenshot(fbo: moderngl.Framebuffer, path: str | os.PathLike[str], *,
                    attachment: int = 0, alpha: bool = True) -> Path:
    """Save the framebuffer as a PNG at ``path`` (atomically); returns the path.

    Args:
        fbo: the framebuffer to read (window or offscreen).
        path: destination ``.png`` file; its directory must exist.
        attachment: color attachment index.
        alpha: keep the alpha channel (RGBA); False writes opaque RGB.

    Raises:
        TypeError: ``fbo`` is not a framebuffer.
        RuntimeError: ``fbo`` was released (after ``App.run()``: take it in a frame-end
            hook, or between ``app.step_frame()`` and ``app.close()``).
        OSError: the file cannot be written.
    """
    pixels = read_pixels(fbo, attachment=attachment)
    if not alpha:
        pixels = np.ascontiguousarray(pixels[:, :, :3])
    return write_png_atomic(pixels, path)
