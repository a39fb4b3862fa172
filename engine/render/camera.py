"""Camera2D: an orthographic 2D camera that follows a target, zooms, and maps world <-> screen.

Conventions. World coordinates are y-up, in world units; at ``zoom == 1`` one world unit is one
pixel. Screen coordinates are pixels with the origin at the top-left of the viewport and y down
(as GLFW reports the cursor, and as ``read_pixels`` / screenshots return rows).

Matrix. ``matrix`` is one preallocated float32 (4, 4) array in pyrr's layout (row vectors,
translation in the last row), which uploads as-is to a GLSL ``mat4`` (``u_proj * vec4(p, 0, 1)``).
pyrr builds it at construction and on ``resize`` (pyrr returns new arrays, which is fine there);
per frame only the four entries that change with position and zoom are written in place, so
``update()`` allocates nothing retained. ``view_rect`` (x0, y0, x1, y1 of the visible world) is
also a preallocated array updated in place: the combat layer may keep it and spawn enemies just
outside it.
"""

from __future__ import annotations

import math

import numpy as np
from pyrr import matrix44

__all__ = ["Camera2D"]


class Camera2D:
    """Orthographic 2D camera.

    Attributes:
        x, y: world position of the viewport's center.
        zoom: pixels per world unit (> 0).
        width, height: viewport size in pixels.
        smoothing: follow time constant in seconds (0 snaps to the target).
        matrix: float32 (4, 4) world -> clip matrix, updated in place.
        view_rect: float64 (4,) visible world rect (x0, y0, x1, y1), updated in place.
    """

    def __init__(self, width: int, height: int, *, x: float = 0.0, y: float = 0.0,
                 zoom: float = 1.0, smoothing: float = 0.0) -> None:
        """Make a camera for a viewport of ``width`` x ``height`` pixels.

        Raises:
            ValueError: non-positive size or zoom, or negative smoothing.
        """
        self.matrix = np.zeros((4, 4), dtype=np.float32)
        self.view_rect = np.zeros(4, dtype=np.float64)
        self.x = float(x)
        self.y = float(y)
        self.zoom = 1.0
        self.smoothing = 0.0
        self.width = 1
        self.height = 1
        self.set_smoothing(smoothing)
        self.set_zoom(zoom)
        self.resize(width, height)

    # ------------------------------------------------------------------ set-up
    def resize(self, width: int, height: int) -> None:
        """Set the viewport size (rebuilds the matrix with pyrr).

        Raises:
            ValueError: a non-positive size.
        """
        if int(width) <= 0 or int(height) <= 0:
            raise ValueError(f"expected a positive viewport size, got {width}x{height}")
        self.width = int(width)
        self.height = int(height)
        hw, hh = self.width / 2.0, self.height / 2.0
        # pyrr at set-up: the full projection, to fix the constant entries (z, w).
        proj = matrix44.create_orthogonal_projection(-hw, hw, -hh, hh, -1.0, 1.0,
                                                     dtype=np.float32)
        self.matrix[...] = proj
        self.update()

    def set_zoom(self, zoom: float) -> None:
        """Set pixels per world unit.

        Raises:
            ValueError: zoom not a finite positive number.
        """
        if not (math.isfinite(zoom) and zoom > 0.0):
            raise ValueError(f"expected a finite zoom > 0, got {zoom!r}")
        self.zoom = float(zoom)
        if hasattr(self, "width"):
            self.update()

    def set_smoothing(self, seconds: float) -> None:
        """Set the follow time constant (0 = snap).

        Raises:
            ValueError: a negative or non-finite value.
        """
        if not (math.isfinite(seconds) and seconds >= 0.0):
            raise ValueError(f"expected a finite smoothing >= 0 seconds, got {seconds!r}")
        self.smoothing = float(seconds)

    # ------------------------------------------------------------------ per frame
    def move_to(self, x: float, y: float) -> None:
        """Center the camera on (x, y) now. Allocates nothing retained."""
        self.x = x
        self.y = y
        self.update()

    def follow(self, target_x: float, target_y: float, dt: float) -> None:
        """Move toward the target: exponential smoothing over ``smoothing`` seconds.

        Frame-rate independent: after ``smoothing`` seconds ~63% of the gap is closed. With
        ``smoothing == 0`` (or ``dt <= 0`` with no smoothing) the camera snaps. Allocates
        nothing retained (transient Python floats only).
        """
        if self.smoothing <= 0.0:
            self.x = target_x
            self.y = target_y
        elif dt > 0.0:
            k = 1.0 - math.exp(-dt / self.smoothing)
            self.x += (target_x - self.x) * k
            self.y += (target_y - self.y) * k
        self.update()

    def update(self) -> None:
        """Write the position/zoom entries of ``matrix`` and ``view_rect`` in place.

        Allocates nothing retained.
        """
        sx = 2.0 * self.zoom / self.width
        sy = 2.0 * self.zoom / self.height
        m = self.matrix
        m[0, 0] = sx
        m[1, 1] = sy
        m[3, 0] = -self.x * sx
        m[3, 1] = -self.y * sy
        half_w = self.width * 0.5 / self.zoom
        half_h = self.height * 0.5 / self.zoom
        r = self.view_rect
        r[0] = self.x - half_w
        r[1] = self.y - half_h
        r[2] = self.x + half_w
        r[3] = self.y + half_h

    # ------------------------------------------------------------------ mapping
    def world_to_screen(self, wx: float, wy: float) -> tuple[float, float]:
        """Screen pixel (x right, y down from the top-left) of world point (wx, wy)."""
        sx = (wx - self.x) * self.zoom + self.width * 0.5
        sy = self.height * 0.5 - (wy - self.y) * self.zoom
        return (sx, sy)

    def screen_to_world(self, sx: float, sy: float) -> tuple[float, float]:
        """World point under screen pixel (sx, sy) (inverse of ``world_to_screen``)."""
        wx = (sx - self.width * 0.5) / self.zoom + self.x
        wy = (self.height * 0.5 - sy) / self.zoom + self.y
        return (wx, wy)

    def world_to_screen_array(self, points: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Map an (n, 2) array of world points into ``out`` (n, 2), in place; returns ``out``.

        Allocates nothing retained when ``points`` and ``out`` are float64 (0-d operands are
        made per call: a few transient bytes).

        Raises:
            ValueError: shapes differ or are not (n, 2).
        """
        if points.ndim != 2 or points.shape[1] != 2 or out.shape != points.shape:
            raise ValueError(f"expected points and out of the same shape (n, 2), got "
                             f"{points.shape} and {out.shape}")
        np.subtract(points[:, 0], self.x, out=out[:, 0])
        np.multiply(out[:, 0], self.zoom, out=out[:, 0])
        np.add(out[:, 0], self.width * 0.5, out=out[:, 0])
        np.subtract(points[:, 1], self.y, out=out[:, 1])
        np.multiply(out[:, 1], -self.zoom, out=out[:, 1])
        np.add(out[:, 1], self.height * 0.5, out=out[:, 1])
        return out

    def is_visible(self, wx: float, wy: float, margin: float = 0.0) -> bool:
        """True when world point (wx, wy) is inside the visible rect grown by ``margin``."""
        r = self.view_rect
        return (r[0] - margin <= wx <= r[2] + margin) and (r[1] - margin <= wy <= r[3] + margin)

    @property
    def visible_rect(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the visible world (a new tuple; ``view_rect`` is the array)."""
        r = self.view_rect
        return (float(r[0]), float(r[1]), float(r[2]), float(r[3]))

    def __repr__(self) -> str:
        return (f"Camera2D(x={self.x:.2f}, y={self.y:.2f}, zoom={self.zoom}, "
                f"viewport={self.width}x{self.height})")
