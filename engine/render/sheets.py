"""Sprite sheets from files: PNG grids and Aseprite JSON exports, as ``SpriteSheet`` objects.

The loaders return the same ``SpriteSheet`` / ``Animation`` objects the procedural art is made
of, so ``build_atlas({**default_sheets(), "hero": load_grid_sheet(...)})`` packs both into one
texture. Everything happens at load time (Pillow decodes the PNG once); nothing here runs per
frame.

* ``load_image(path)``: one PNG, one frame (animation ``"idle"``).
* ``load_grid_sheet(path, frame_size, animations)``: a grid of equal cells (optionally with a
  margin around the grid and spacing between cells); each named animation is a run of cells
  along one row: ``{"walk": (row, frames, fps)}`` or ``(row, frames, fps, loop)`` or a dict
  with ``row``, ``frames``, ``fps``, ``loop``, ``column`` (the first cell, default 0).
* ``load_aseprite(json_path)``: Aseprite's "Export Sprite Sheet" JSON, both the array and the
  hash ``frames`` forms; ``meta.frameTags`` are the animations (``forward``, ``reverse``,
  ``pingpong``, ``pingpong_reverse``; ``repeat`` N plays N passes and holds), each frame's
  ``duration`` (ms) is honoured by ``TimedAnimation.frame_at``. Trimmed frames are placed back
  in their ``sourceSize`` cell; rotated frames (other packers) are refused.

A sheet's frames are stored in play order, one run per animation, because an ``Animation`` is a
contiguous run of frames: a frame shared by two tags (or played twice by a ping-pong) is copied.

Every failure is one ``SheetError`` line naming the file and what was expected: a missing file
(``SheetNotFoundError``, also a ``FileNotFoundError``), a file that is not an image, a frame
size that does not divide the image, a malformed JSON, a frame or tag outside the image.
"""

from __future__ import annotations

import bisect
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .atlas import Animation, SpriteSheet

__all__ = ["SheetError", "SheetNotFoundError", "TimedAnimation", "load_image",
           "load_grid_sheet", "load_aseprite"]

_DIRECTIONS = ("forward", "reverse", "pingpong", "pingpong_reverse")


class SheetError(ValueError):
    """A sprite sheet file that cannot be loaded as asked (the message names file and cause)."""


class SheetNotFoundError(SheetError, FileNotFoundError):
    """A sprite sheet file (image or JSON) that does not exist."""


@dataclass(frozen=True)
class TimedAnimation(Animation):
    """An animation whose frames have their own durations (Aseprite's per-frame ``duration``).

    ``fps`` is the mean rate (``count / duration``), for code that only reads ``fps``;
    ``frame_at`` follows the durations exactly.
    """

    durations: tuple[float, ...] = ()
    """Seconds each frame is shown, one per frame of the animation."""
    _ends: tuple[float, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.durations) != self.count:
            raise ValueError(f"animation {self.name!r}: expected {self.count} durations, got "
                             f"{len(self.durations)}")
        ends, t = [], 0.0
        for d in self.durations:
            t += d
            ends.append(t)
        object.__setattr__(self, "_ends", tuple(ends))

    def frame_at(self, time_s: float) -> int:
        """Frame (0-based within the animation) shown ``time_s`` seconds after it started.

        A looping animation wraps; a one-shot holds its last frame. Allocates nothing retained
        (a float and a bisection over a tuple).
        """
        if time_s <= 0.0:
            return 0
        total = self._ends[-1]
        if self.loop:
            time_s = time_s % total
        elif time_s >= total:
            return self.count - 1
        f = bisect.bisect_right(self._ends, time_s)
        return f if f < self.count else self.count - 1

    @property
    def duration(self) -> float:
        """Seconds for one pass of the animation."""
        return self._ends[-1]


# ---------------------------------------------------------------------- images
def _read_rgba(path: str | os.PathLike[str], what: str = "image") -> np.ndarray:
    """(H, W, 4) uint8 pixels of an image file, row 0 at the top."""
    from PIL import Image, UnidentifiedImageError

    p = Path(path)
    if not p.is_file():
        raise SheetNotFoundError(f"{what} {str(p)!r} not found: expected an image file "
                                 f"(PNG) there")
    try:
        with Image.open(p) as img:
            img.load()
            rgba = np.asarray(img.convert("RGBA"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise SheetError(f"{what} {str(p)!r} is not an image Pillow can read (expected a PNG): "
                         f"{exc}") from None
    return np.ascontiguousarray(rgba)


def _kind(kind: str) -> str:
    if kind not in ("sprite", "boss"):
        raise SheetError(f"expected kind 'sprite' or 'boss', got {kind!r}")
    return kind


def _sheet_name(path: str | os.PathLike[str], name: str | None) -> str:
    return name if name is not None else Path(path).stem


def load_image(path: str | os.PathLike[str], *, name: str | None = None,
               kind: str = "sprite") -> SpriteSheet:
    """A one-frame sheet of a whole image (its animation is ``"idle"``).

    Args:
        path: a PNG (any format Pillow reads; converted to RGBA).
        name: the sheet's name; default the file's stem (``hero.png`` -> ``"hero"``).
        kind: ``"boss"`` for a sheet ``BossSprites`` draws, else ``"sprite"``.

    Raises:
        SheetNotFoundError: no such file. SheetError: not an image.
    """
    rgba = _read_rgba(path)
    return SpriteSheet(_sheet_name(path, name), rgba[None].copy(),
                       {"idle": Animation("idle", 0, 1, 1.0, True)}, kind=_kind(kind))


# ---------------------------------------------------------------------- grids
def _grid_spec(path: Path, anim: str, spec: Any) -> tuple[int, int, int, float, bool]:
    """(row, column, frames, fps, loop) of one grid animation spec."""
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"row", "frames", "fps", "loop", "column"}
        if unknown:
            raise SheetError(f"{path}: animation {anim!r}: unknown keys {sorted(unknown)}; "
                             f"expected row, frames, fps, loop, column")
        try:
            row, frames, fps = spec["row"], spec["frames"], spec["fps"]
        except KeyError as exc:
            raise SheetError(f"{path}: animation {anim!r}: expected keys row, frames, fps; "
                             f"missing {exc.args[0]!r}") from None
        loop, column = spec.get("loop", True), spec.get("column", 0)
    elif isinstance(spec, (tuple, list)) and len(spec) in (3, 4):
        row, frames, fps = spec[:3]
        loop = spec[3] if len(spec) == 4 else True
        column = 0
    else:
        raise SheetError(f"{path}: animation {anim!r}: expected (row, frames, fps[, loop]) or "
                         f"a dict, got {spec!r}")
    for label, v in (("row", row), ("column", column), ("frames", frames)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0 \
                or (label == "frames" and v < 1):
            low = 1 if label == "frames" else 0
            raise SheetError(f"{path}: animation {anim!r}: expected {label} an int >= {low}, "
                             f"got {v!r}")
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not fps > 0 \
            or not np.isfinite(fps):
        raise SheetError(f"{path}: animation {anim!r}: expected fps > 0, got {fps!r}")
    return int(row), int(column), int(frames), float(fps), bool(loop)


def load_grid_sheet(
    path: str | os.PathLike[str],
    frame_size: tuple[int, int],
    animations: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
    margin: int = 0,
    spacing: int = 0,
    fps: float = 10.0,
    kind: str = "sprite",
) -> SpriteSheet:
    """A sheet cut from a grid of equal cells.

    Args:
        path: the PNG.
        frame_size: (width, height) of one cell in pixels.
        animations: name -> ``(row, frames, fps)``, ``(row, frames, fps, loop)`` or a dict
            (``row``, ``frames``, ``fps``, optional ``loop`` and ``column``); rows and columns
            count from 0 at the top-left. Default: one animation ``"all"`` of every cell in
            reading order at ``fps``.
        name: the sheet's name; default the file's stem.
        margin: pixels around the whole grid. spacing: pixels between cells.
        fps: the rate of the default ``"all"`` animation.
        kind: ``"boss"`` for a sheet ``BossSprites`` draws, else ``"sprite"``.

    Raises:
        SheetNotFoundError: no such file. SheetError: not an image, a frame size (with margin
        and spacing) that does not divide the image, an animation outside the grid or a bad
        animation spec.
    """
    p = Path(path)
    fw, fh = (int(v) for v in frame_size)
    if fw < 1 or fh < 1 or margin < 0 or spacing < 0:
        raise SheetError(f"{p}: expected a positive frame size and margin, spacing >= 0, got "
                         f"frame_size={tuple(frame_size)}, margin={margin}, spacing={spacing}")
    rgba = _read_rgba(p)
    h, w = rgba.shape[:2]
    span_w, span_h = w - 2 * margin + spacing, h - 2 * margin + spacing
    if span_w <= 0 or span_h <= 0 or span_w % (fw + spacing) or span_h % (fh + spacing):
        raise SheetError(f"{p}: frame size {fw}x{fh} (margin {margin}, spacing {spacing}) does "
                         f"not divide the {w}x{h} image into whole cells")
    cols, rows = span_w // (fw + spacing), span_h // (fh + spacing)

    def cell(r: int, c: int) -> np.ndarray:
        x, y = margin + c * (fw + spacing), margin + r * (fh + spacing)
        return rgba[y:y + fh, x:x + fw]

    specs = ({"all": (0, 0, rows * cols, float(fps), True)} if animations is None
             else {a: _grid_spec(p, a, s) for a, s in animations.items()})
    if not specs:
        raise SheetError(f"{p}: expected at least one animation, got none")
    frames: list[np.ndarray] = []
    anims: dict[str, Animation] = {}
    for anim, (row, col, count, rate, loop) in specs.items():
        if animations is None:
            cells = [(i // cols, i % cols) for i in range(count)]
        else:
            if row >= rows or col + count > cols:
                raise SheetError(f"{p}: animation {anim!r} needs row {row}, columns "
                                 f"{col}..{col + count - 1}; the grid is {rows} rows x {cols} "
                                 f"columns of {fw}x{fh}")
            cells = [(row, col + i) for i in range(count)]
        anims[anim] = Animation(anim, len(frames), count, rate, loop)
        frames.extend(cell(r, c) for r, c in cells)
    return SpriteSheet(_sheet_name(p, name), np.stack(frames), anims, kind=_kind(kind))


# ---------------------------------------------------------------------- Aseprite
def _rect(p: Path, where: str, obj: Any, keys: str) -> tuple[int, ...]:
    if not isinstance(obj, Mapping):
        raise SheetError(f"{p}: {where}: expected an object with {', '.join(keys)}, got "
                         f"{obj!r}")
    out = []
    for k in keys:
        v = obj.get(k)
        if isinstance(v, bool) or not isinstance(v, int):
            raise SheetError(f"{p}: {where}.{k}: expected an int, got {v!r}")
        out.append(v)
    return tuple(out)


def _aseprite_frames(p: Path, doc: Any) -> list[tuple[str, Mapping[str, Any]]]:
    if not isinstance(doc, Mapping) or "frames" not in doc:
        raise SheetError(f"{p}: expected an Aseprite export (an object with \"frames\" and "
                         f"\"meta\"), got {type(doc).__name__} without \"frames\"")
    raw = doc["frames"]
    if isinstance(raw, Mapping):
        items = list(raw.items())
    elif isinstance(raw, list):
        items = [(str(f.get("filename", i)) if isinstance(f, Mapping) else str(i), f)
                 for i, f in enumerate(raw)]
    else:
        raise SheetError(f"{p}: \"frames\": expected an array or an object, got "
                         f"{type(raw).__name__}")
    if not items:
        raise SheetError(f"{p}: \"frames\" is empty: expected at least one frame")
    for key, f in items:
        if not isinstance(f, Mapping):
            raise SheetError(f"{p}: frame {key!r}: expected an object, got {f!r}")
    return items


def _repeat(p: Path, where: str, value: Any) -> int:
    if value is None or value == "":
        return 0
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = -1
    if n < 0 or isinstance(value, bool):
        raise SheetError(f"{p}: {where}.repeat: expected a count >= 0, got {value!r}")
    return n


def load_aseprite(json_path: str | os.PathLike[str], image: str | os.PathLike[str] | None = None,
                  *, name: str | None = None, kind: str = "sprite") -> SpriteSheet:
    """A sheet from Aseprite's JSON export (File > Export Sprite Sheet, "JSON Data").

    Args:
        json_path: the ``.json`` file (array or hash ``frames``).
        image: the sheet PNG; default ``meta.image`` beside the JSON.
        name: the sheet's name; default the JSON file's stem.
        kind: ``"boss"`` for a sheet ``BossSprites`` draws, else ``"sprite"``.

    The animations are ``meta.frameTags`` (as ``TimedAnimation``, durations from each frame's
    ``duration`` in ms); with no tags, one animation ``"all"`` of every frame.

    Raises:
        SheetNotFoundError: no such JSON or image. SheetError: malformed JSON or not an
        Aseprite export, not an image, ``meta.size`` not the image's size, a frame outside the
        image, frames of different ``sourceSize``, a rotated frame, a bad tag.
    """
    p = Path(json_path)
    if not p.is_file():
        raise SheetNotFoundError(f"Aseprite JSON {str(p)!r} not found")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SheetError(f"{p}: malformed JSON at line {exc.lineno} column {exc.colno}: "
                         f"{exc.msg}") from None
    except UnicodeDecodeError:
        raise SheetError(f"{p}: expected a UTF-8 JSON file, got bytes that are not text") \
            from None
    items = _aseprite_frames(p, doc)
    meta = doc.get("meta") or {}
    if not isinstance(meta, Mapping):
        raise SheetError(f"{p}: \"meta\": expected an object, got {meta!r}")
    if image is None:
        img_name = meta.get("image")
        if not isinstance(img_name, str) or not img_name:
            raise SheetError(f"{p}: meta.image is missing: pass image= (the sheet PNG)")
        image = p.parent / img_name
    rgba = _read_rgba(image, "sheet image")
    ih, iw = rgba.shape[:2]
    if "size" in meta:
        mw, mh = _rect(p, "meta.size", meta["size"], "wh")
        if (mw, mh) != (iw, ih):
            raise SheetError(f"{p}: meta.size is {mw}x{mh} but {image} is {iw}x{ih}: the JSON "
                             f"and the image are from different exports")
    cells: list[np.ndarray] = []
    durations: list[float] = []
    size: tuple[int, int] | None = None
    for key, f in items:
        where = f"frame {key!r}"
        if f.get("rotated"):
            raise SheetError(f"{p}: {where} is rotated; expected unrotated frames (Aseprite "
                             f"never rotates; re-export without rotation)")
        x, y, w, h = _rect(p, f"{where}.frame", f.get("frame"), "xywh")
        if w < 1 or h < 1 or x < 0 or y < 0 or x + w > iw or y + h > ih:
            raise SheetError(f"{p}: {where} is the rect x={x} y={y} w={w} h={h}, outside the "
                             f"{iw}x{ih} image")
        sw, sh = _rect(p, f"{where}.sourceSize", f.get("sourceSize", {"w": w, "h": h}), "wh")
        ox, oy = _rect(p, f"{where}.spriteSourceSize",
                       f.get("spriteSourceSize", {"x": 0, "y": 0}), "xy")
        if size is None:
            size = (sw, sh)
        elif (sw, sh) != size:
            raise SheetError(f"{p}: {where} has sourceSize {sw}x{sh}, the first frame "
                             f"{size[0]}x{size[1]}: expected one size for all frames")
        if ox < 0 or oy < 0 or ox + w > sw or oy + h > sh:
            raise SheetError(f"{p}: {where}: its trimmed rect at ({ox}, {oy}) does not fit "
                             f"its {sw}x{sh} sourceSize")
        out = np.zeros((sh, sw, 4), dtype=np.uint8)
        out[oy:oy + h, ox:ox + w] = rgba[y:y + h, x:x + w]
        cells.append(out)
        ms = f.get("duration", 100)
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not ms > 0:
            raise SheetError(f"{p}: {where}.duration: expected milliseconds > 0, got {ms!r}")
        durations.append(float(ms) / 1000.0)
    tags = meta.get("frameTags") or [{"name": "all", "from": 0, "to": len(cells) - 1}]
    if not isinstance(tags, list):
        raise SheetError(f"{p}: meta.frameTags: expected an array, got {tags!r}")
    frames: list[np.ndarray] = []
    anims: dict[str, Animation] = {}
    for i, tag in enumerate(tags):
        order = _tag_order(p, f"meta.frameTags[{i}]", tag, len(cells))
        tag_name = tag["name"]
        if tag_name in anims:
            raise SheetError(f"{p}: meta.frameTags[{i}]: a second tag named {tag_name!r}")
        repeat = _repeat(p, f"meta.frameTags[{i}]", tag.get("repeat"))
        passes = order * max(repeat, 1)
        secs = tuple(durations[k] for k in passes)
        anims[tag_name] = TimedAnimation(tag_name, len(frames), len(passes),
                                         len(passes) / sum(secs), repeat == 0, durations=secs)
        frames.extend(cells[k] for k in passes)
    return SpriteSheet(_sheet_name(p, name), np.stack(frames), anims, kind=_kind(kind))


def _tag_order(p: Path, where: str, tag: Any, n: int) -> list[int]:
    """The frame indices one pass of a frame tag plays, in order."""
    if not isinstance(tag, Mapping) or not isinstance(tag.get("name"), str) or not tag["name"]:
        raise SheetError(f"{p}: {where}: expected an object with a non-empty \"name\", got "
                         f"{tag!r}")
    lo, hi = tag.get("from"), tag.get("to")
    if isinstance(lo, bool) or isinstance(hi, bool) or not isinstance(lo, int) \
            or not isinstance(hi, int) or not 0 <= lo <= hi < n:
        raise SheetError(f"{p}: {where} ({tag['name']!r}): expected 0 <= from <= to < {n} "
                         f"(the frame count), got from={lo!r} to={hi!r}")
    direction = tag.get("direction", "forward")
    if direction not in _DIRECTIONS:
        raise SheetError(f"{p}: {where} ({tag['name']!r}): expected direction in "
                         f"{list(_DIRECTIONS)}, got {direction!r}")
    fwd = list(range(lo, hi + 1))
    if direction == "forward":
        return fwd
    if direction == "reverse":
        return fwd[::-1]
    if direction == "pingpong_reverse":
        fwd.reverse()
    return fwd + fwd[-2:0:-1]  # there and back, the ends shown once per pass
