"""What an ``InstanceBatch`` does when a frame has more instances than its capacity.

Never silent. ``GROW`` (the default) doubles the capacity until the frame fits: a new staging
array (rows already packed this frame are copied), a new VBO of exactly
``capacity * STRIDE * 4`` bytes (the old one is released) and a new vertex array at the next
draw; counted in the batch's ``growths`` and in ``RenderStats.reallocations`` /
``batch_reallocations``. ``CLAMP`` keeps the capacity: the first ``capacity`` instances are
drawn and the rest are counted in ``truncated_frame``, ``truncated_total`` and
``RenderStats.truncated``.
"""

from __future__ import annotations

import enum

__all__ = ["GrowthPolicy", "grown_capacity"]


class GrowthPolicy(str, enum.Enum):
    """What a batch does when a frame has more instances than its capacity."""

    GROW = "grow"
    """Double capacity (staging + VBO recreated), counted as a reallocation."""
    CLAMP = "clamp"
    """Draw the first ``capacity`` instances, count the rest as truncated."""

    @classmethod
    def parse(cls, value: GrowthPolicy | str) -> GrowthPolicy:
        """The policy for ``value`` (a member or its name, any case).

        Raises:
            ValueError: an unknown policy.
        """
        if isinstance(value, cls):
            return value
        try:
            return cls(str(value).lower())
        except ValueError:
            raise ValueError(f"expected a growth policy in {[p.value for p in cls]}, "
                             f"got {value!r}") from None


def grown_capacity(capacity: int, needed: int) -> int:
    """``capacity`` doubled until it holds ``needed`` rows (GROW's rule)."""
    cap = capacity
    while cap < needed:
        cap *= 2
    return cap
