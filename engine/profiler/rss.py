"""The process's resident set size, read cheaply once a second by the meter."""

from __future__ import annotations

import os
import sys

__all__ = ["RssReader"]


class RssReader:
    """Resident set size of this process, cheaply and without psutil.

    On Linux: ``os.pread`` of a ``/proc/self/statm`` fd kept open (~0.7 us; page-granular).
    Elsewhere: ``resource.getrusage`` max RSS, which is the *peak*, not the current size
    (``self.kind`` says which), or 0 where neither exists.
    """

    def __init__(self) -> None:
        self._fd = -1
        self.kind = "none"
        self._page = 4096
        try:
            self._fd = os.open("/proc/self/statm", os.O_RDONLY)
            self._page = os.sysconf("SC_PAGE_SIZE")
            self.kind = "rss"
        except (OSError, AttributeError, ValueError):
            self._fd = -1
            try:
                import resource  # noqa: F401  (absent on Windows)

                self.kind = "peak_rss"
            except ImportError:
                self.kind = "none"

    def read(self) -> int:
        """RSS in bytes now (or peak RSS, or 0; see ``kind``). Allocates a few transients."""
        if self._fd >= 0:
            data = os.pread(self._fd, 64, 0)
            # statm: size resident shared text lib data dt (pages)
            start = data.index(b" ") + 1
            end = data.index(b" ", start)
            return int(data[start:end]) * self._page
        if self.kind == "peak_rss":
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            # Linux reports KiB, macOS bytes.
            return int(peak) if sys.platform == "darwin" else int(peak) * 1024
        return 0

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

