"""``python -m engine.examples``: the gallery's programs and how to run one."""

from __future__ import annotations

import importlib

from engine.examples import EXAMPLES


def main() -> int:
    for name in EXAMPLES:
        doc = importlib.import_module(f"engine.examples.{name}").__doc__ or ""
        print(f"  python -m engine.examples.{name:<20} {doc.strip().splitlines()[0]}")
    print("options: --frames N, --headless, --size WxH, --screenshot PATH (with --frames)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
