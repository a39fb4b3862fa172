"""Render counters for the profiler: plain attributes, written by the render layer, read by others.

One ``RenderStats`` belongs to one ``GraphicsContext`` (``gfx.render_stats``); every batch and the
``Renderer`` facade made on that context write into it. Per-frame fields are zeroed by
``GraphicsContext.begin_frame()``. Dict fields have their keys registered when a batch is created,
so a frame only replaces values and never inserts keys.
"""

from __future__ import annotations

__all__ = ["RenderStats"]


class RenderStats:
    """Counters of the render layer (read-only for the profiler)."""

    def __init__(self) -> None:
        self.frames = 0
        """Frames begun (``GraphicsContext.begin_frame`` calls)."""
        self.draw_calls = 0
        """Draw calls issued through the GraphicsContext in the current frame."""
        self.draw_calls_total = 0
        """Draw calls since the context was made."""
        self.instances: dict[str, int] = {}
        """Batch name -> instances drawn by that batch this frame."""
        self.capacity: dict[str, int] = {}
        """Batch name -> current capacity (instances) of that batch."""
        self.batch_reallocations: dict[str, int] = {}
        """Batch name -> growth events (staging doubled, VBO recreated) of that batch."""
        self.reallocations = 0
        """Growth events of all batches together."""
        self.truncated: dict[str, int] = {}
        """Batch name -> instances dropped by the CLAMP policy, since start."""
        self.truncated_frame = 0
        """Instances dropped by the CLAMP policy in the current frame, all batches."""
        self.upload_bytes = 0
        """Bytes written into instance VBOs in the current frame."""
        self.upload_bytes_total = 0
        """Bytes written into instance VBOs since start."""
        self.pack_ns = 0
        """CPU ns spent packing instances into staging arrays in the current frame."""
        self.upload_ns = 0
        """CPU ns spent writing staging arrays into VBOs in the current frame."""
        self.submit_ns = 0
        """CPU ns spent issuing draw calls (uniforms, state, draw) in the current frame."""
        self.gl_objects: dict[str, list[int]] = {}
        """GL resource kind -> [created, released] (the GraphicsContext's own dict)."""
        self.gl_created = 0
        """GL objects created through the GraphicsContext, all kinds."""
        self.gl_released = 0
        """GL objects released through the GraphicsContext, all kinds."""
        self.gl_live = 0
        """GL objects created and not yet released."""
        self.shader_reloads = 0
        """Successful hot reloads of shader programs."""
        self.shader_errors = 0
        """Failed compiles seen by hot reload (the last good program kept drawing)."""

    def register_batch(self, name: str, capacity: int) -> None:
        """Create the per-batch keys (called once per batch, at construction).

        Raises:
            KeyError: a batch of that name is already registered.
        """
        if name in self.instances:
            raise KeyError(f"a batch named {name!r} is already registered in these stats; "
                           f"batch names must be unique per GraphicsContext")
        self.instances[name] = 0
        self.capacity[name] = capacity
        self.batch_reallocations[name] = 0
        self.truncated[name] = 0

    def unregister_batch(self, name: str) -> None:
        """Forget a released batch's keys (a no-op for an unknown name)."""
        for table in (self.instances, self.capacity, self.batch_reallocations, self.truncated):
            table.pop(name, None)

    def begin_frame(self) -> None:
        """Zero the per-frame fields. Allocates nothing."""
        self.frames += 1
        self.draw_calls = 0
        self.upload_bytes = 0
        self.truncated_frame = 0
        self.pack_ns = 0
        self.upload_ns = 0
        self.submit_ns = 0

    def __repr__(self) -> str:
        return (f"RenderStats(frames={self.frames}, draw_calls={self.draw_calls}, "
                f"instances={self.instances}, reallocations={self.reallocations}, "
                f"upload_bytes={self.upload_bytes}, gl_live={self.gl_live})")
