"""Argument checks of the spatial hash and its neighbour passes: each error names the argument,
what was expected and what was given. Called once per call, before any work."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["grid_args", "positions", "points", "index_out", "pair_outs", "force_out",
           "pass_args", "finite_point", "query_args"]


def _as_pair(value: object, name: str) -> tuple[float, float]:
    try:
        items = list(value)  # type: ignore[call-overload]
        if len(items) != 2:
            raise ValueError
        fx, fy = float(items[0]), float(items[1])
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair of numbers (x, y), got {value!r}") from None
    if not (math.isfinite(fx) and math.isfinite(fy)):
        raise ValueError(f"{name} must be finite, got ({fx}, {fy})")
    return fx, fy


def grid_args(capacity: object, cell_size: object, world_min: object, world_max: object
              ) -> tuple[int, float, tuple[float, float], tuple[float, float]]:
    """The constructor's arguments as (capacity, cell, (x0, y0), (x1, y1))."""
    if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)):
        raise TypeError(f"capacity must be an int, got {type(capacity).__name__}")
    cap = int(capacity)
    if cap <= 0 or cap >= 1 << 31:
        raise ValueError(f"capacity must be in [1, 2**31), got {cap}")
    try:
        cell = float(cell_size)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"cell_size must be a number, got {cell_size!r}") from None
    if not (math.isfinite(cell) and cell > 0.0):
        raise ValueError(f"cell_size must be a finite number > 0, got {cell_size!r}")
    x0, y0 = _as_pair(world_min, "world_min")
    x1, y1 = _as_pair(world_max, "world_max")
    if not (x1 > x0 and y1 > y0):
        raise ValueError(
            f"world_max must exceed world_min on both axes, got world_min=({x0}, {y0}) "
            f"world_max=({x1}, {y1})")
    return cap, cell, (x0, y0), (x1, y1)


def positions(pos: object, capacity: int) -> int:
    """Rows of ``pos``, a C-contiguous (n, 2) float32 array with n <= capacity."""
    if not isinstance(pos, np.ndarray):
        raise TypeError(f"pos must be a numpy float32 array of shape (n, 2), got "
                        f"{type(pos).__name__}")
    if pos.dtype != np.float32:
        raise TypeError(f"pos must have dtype float32, got {pos.dtype}")
    if pos.ndim != 2 or pos.shape[1] != 2:
        raise ValueError(f"pos must have shape (n, 2), got {pos.shape}")
    n = pos.shape[0]
    if n > capacity:
        raise ValueError(f"pos has {n} rows, more than the capacity of {capacity}")
    if not pos.flags.c_contiguous:
        raise ValueError("pos must be C-contiguous (a row slice of an (N, 2) column is)")
    return int(n)


def index_out(out: object, name: str) -> np.ndarray:
    """``out`` as a writeable 1-D int32/int64 array."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of int32 or int64, got {type(out).__name__}")
    if out.dtype not in (np.dtype(np.int32), np.dtype(np.int64)):
        raise TypeError(f"{name} must have dtype int32 or int64, got {out.dtype}")
    if out.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {out.shape}")
    if not out.flags.writeable:
        raise ValueError(f"{name} must be writeable")
    return out


def points(x: np.ndarray, y: np.ndarray, out: np.ndarray) -> int:
    """Points of ``cells_of``: 1-D float32/float64 x and y of one length, an index ``out`` at
    least as long; returns the length."""
    for name, a in (("x", x), ("y", y)):
        if not isinstance(a, np.ndarray) or a.dtype not in (np.float32, np.float64):
            got = a.dtype if isinstance(a, np.ndarray) else type(a).__name__
            raise TypeError(f"{name} must be a float32 or float64 numpy array, got {got}")
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"x and y must be 1-D of one length, got shapes {x.shape} and "
                         f"{y.shape}")
    index_out(out, "out")
    n = x.shape[0]
    if out.shape[0] < n:
        raise ValueError(f"out must hold {n} cell ids, got length {out.shape[0]}")
    return int(n)


def pair_outs(out_i: object, out_j: object) -> None:
    """The two index buffers of ``neighbour_pairs``: int32/int64, 1-D, one length."""
    a = index_out(out_i, "out_i")
    b = index_out(out_j, "out_j")
    if a.shape != b.shape:
        raise ValueError(f"out_i and out_j must have the same length, got {a.shape[0]} "
                         f"and {b.shape[0]}")


def force_out(out_force: object, n: int) -> None:
    """The force buffer of ``separation``: float32, C-contiguous, writeable, (>= n, 2)."""
    if not isinstance(out_force, np.ndarray):
        raise TypeError(f"out_force must be a float32 numpy array of shape (count, 2), got "
                        f"{type(out_force).__name__}")
    if out_force.dtype != np.float32:
        raise TypeError(f"out_force must have dtype float32, got {out_force.dtype}")
    if out_force.ndim != 2 or out_force.shape[1] != 2 or out_force.shape[0] < n:
        raise ValueError(f"out_force must have shape ({n}, 2) or more rows, got "
                         f"{out_force.shape}")
    if not (out_force.flags.c_contiguous and out_force.flags.writeable):
        raise ValueError("out_force must be C-contiguous and writeable")


def pass_args(radius: float, cap: object, name: str, cell_size: float) -> int:
    """A neighbour pass's radius (in (0, cell_size]) and cap (an int >= 0); returns the cap."""
    if isinstance(cap, bool) or not isinstance(cap, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(cap).__name__}")
    c = int(cap)
    if c < 0:
        raise ValueError(f"{name} must be >= 0, got {c}")
    if not (radius > 0.0 and radius <= cell_size):
        raise ValueError(f"radius must be in (0, cell_size={cell_size}], got {radius}")
    return c


def finite_point(where: str, x: float, y: float) -> None:
    """A query point: both coordinates finite numbers."""
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"{where}: expected finite x, y, got {x}, {y}")


def query_args(where: str, x: float, y: float, r: float, name: str) -> None:
    """A point query's point (finite) and radius (finite, >= 0)."""
    finite_point(where, x, y)
    if not (math.isfinite(r) and r >= 0.0):
        raise ValueError(f"{where}: expected a finite {name} >= 0, got {r}")
