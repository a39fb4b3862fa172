"""What every render target shares: its configuration, the size check and the base class.

A target owns a moderngl context and the framebuffer the App draws into. Sizes are
framebuffer sizes in pixels. A size of 0 in either dimension (a minimised window) is legal:
the App then skips rendering and keeps ticking. ``target`` may be replaced when the size
changes, and the default framebuffer's ``Framebuffer.size`` is the size at creation, so read
``window.size`` and ``window.target`` each frame rather than caching them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

import moderngl

from engine.core.target._egl import EglCurrent

if TYPE_CHECKING:
    from engine.core.input import Input

__all__ = ["BaseWindow", "TargetConfig", "DisplayUnavailableError", "check_size"]


class DisplayUnavailableError(RuntimeError):
    """A real window was asked for and cannot be made (no display, no GL on it)."""


def check_size(width: object, height: object, *, allow_zero: bool) -> tuple[int, int]:
    """``(width, height)`` as ints, checked: ints > 0, or >= 0 with ``allow_zero``.

    Raises:
        TypeError: a value is not an int (bools refused).
        ValueError: a value is negative, or 0 without ``allow_zero``.
    """
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if value < 0 or (value == 0 and not allow_zero):
            bound = ">= 0" if allow_zero else "> 0"
            raise ValueError(f"{name} must be {bound}, got {value}")
    return int(width), int(height)  # type: ignore[call-overload]


@dataclass(frozen=True)
class TargetConfig:
    """What a target needs to open: its size, title, vsync, MSAA and which backend."""

    width: int = 1280
    """Requested framebuffer width in pixels (> 0)."""
    height: int = 720
    """Requested framebuffer height in pixels (> 0)."""
    title: str = "horde engine"
    """Window title (window only)."""
    vsync: bool = True
    """Swap on vertical blank (window only)."""
    headless: bool | None = None
    """None = auto (a window if a display is usable, else headless with a notice on stderr);
    True = offscreen EGL; False = a window or an error."""
    samples: int = 0
    """MSAA samples of the target (0 = none)."""

    def validate(self, owner: str = "TargetConfig") -> None:
        """Check the fields' types and ranges; messages name ``owner.field`` and the value.

        Raises:
            TypeError: a field has the wrong type.
            ValueError: a field is out of range.
        """
        for name in ("width", "height"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{owner}.{name} must be an int, got {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{owner}.{name} must be > 0, got {value}")
        if not isinstance(self.title, str):
            raise TypeError(f"{owner}.title must be a str, got {type(self.title).__name__}")
        if self.headless is not None and not isinstance(self.headless, bool):
            raise TypeError(f"{owner}.headless must be None, True or False, got "
                            f"{self.headless!r}")
        if isinstance(self.samples, bool) or not isinstance(self.samples, int) \
                or self.samples < 0:
            raise ValueError(f"{owner}.samples must be an int >= 0, got {self.samples!r}")


class BaseWindow(ABC):
    """What the App needs from a render target. Subclasses create ``ctx`` and ``target``
    and implement :meth:`swap`, :meth:`_resize` and :meth:`_release`.

    Attributes are plain (no per-frame allocation to read them): ``ctx``, ``target``,
    ``width``, ``height``, ``headless``, ``closed``.

    Args:
        config: the target's configuration (validated here).

    Raises:
        TypeError, ValueError: an invalid configuration.
    """

    headless: bool = False
    """True for the offscreen backend."""

    def __init__(self, config: TargetConfig) -> None:
        config.validate()
        self.config: TargetConfig = config
        """The configuration the target was opened with."""
        self.ctx: moderngl.Context
        """The moderngl context everything is drawn with."""
        self.target: moderngl.Framebuffer
        """The framebuffer to draw into this frame (re-read after a resize)."""
        self.width: int = 0
        """Framebuffer width in pixels (0 while minimised)."""
        self.height: int = 0
        """Framebuffer height in pixels (0 while minimised)."""
        self.closed: bool = False
        """True once :meth:`close` ran."""
        self.input: Input | None = None
        """The Input that receives this window's events (see :meth:`attach_input`)."""
        self._should_close = False
        # Creating a context makes it current and forgets the one that was; close() makes
        # this snapshot current again (see _egl).
        self._previous = EglCurrent()

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` of the framebuffer (a new tuple each read)."""
        return (self.width, self.height)

    @property
    def renderable(self) -> bool:
        """False while the framebuffer is 0 x 0 (minimised): nothing should be drawn."""
        return self.width > 0 and self.height > 0

    def attach_input(self, input: Input) -> None:
        """Route this target's events into ``input`` and set ``input.pump`` (none here:
        ``input`` is driven by its ``inject_*`` calls only)."""
        self.input = input
        input.pump = None

    def should_close(self) -> bool:
        """Whether the target was asked to close (:meth:`set_should_close`)."""
        return self._should_close

    def set_should_close(self, value: bool = True) -> None:
        """Ask the target to close (the App's loop ends at the next frame boundary)."""
        self._should_close = bool(value)

    @abstractmethod
    def swap(self) -> None:
        """Present the frame. Per frame; allocates nothing lasting."""

    def resize(self, width: int, height: int) -> None:
        """Ask for a new framebuffer size; 0 in either dimension means minimised.

        Raises:
            TypeError, ValueError: sizes that are not ints >= 0.
        """
        width, height = check_size(width, height, allow_zero=True)
        self._resize(width, height)

    @abstractmethod
    def _resize(self, width: int, height: int) -> None:
        """The backend's resize, with checked sizes."""

    def read_pixels(self, components: int = 4) -> bytes:
        """The current target's pixels, rows bottom-up (GL order), ``components`` bytes each.

        Call it before :meth:`swap` (e.g. from a frame-end hook): after a swap the back
        buffer's content is undefined. Allocates the returned bytes (a tool, not per frame).

        Raises:
            RuntimeError: the framebuffer is 0 x 0 or the window is closed.
        """
        if self.closed or not self.renderable:
            raise RuntimeError(f"nothing to read: window closed={self.closed}, "
                               f"size={self.width}x{self.height}")
        bound = self.ctx.fbo
        try:
            return self._read_target(components)
        finally:
            if bound is not None:  # a resolve/blit rebinds framebuffers; put back the draw one
                bound.use()

    def _read_target(self, components: int) -> bytes:
        return self.target.read(viewport=(0, 0, self.width, self.height),
                                components=components)

    def close(self) -> None:
        """Release the GL objects and context, then the backend's own resources, and make
        the EGL context that was current before the target current again. Safe twice."""
        if self.closed:
            return
        self.closed = True
        try:
            self._release()
        finally:
            self._previous.restore()

    @abstractmethod
    def _release(self) -> None:
        """The backend's release: its GL objects, the context, then the window."""
