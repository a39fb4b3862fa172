#!/usr/bin/env python3
"""Draw the PNG plots of a stress report again (frame time, memory, enemies by tier, GC, pools).

    python tools/plot_report.py reports/stress_500.json            # beside the report
    python tools/plot_report.py reports/stress_500.json --out /tmp/plots

Exit codes: 0 plots written, 2 a missing or malformed report, or a report without series.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.acceptance.plots import write_plots  # noqa: E402
from engine.acceptance.report import ReportError, load_report  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run the tool; returns the exit code."""
    parser = argparse.ArgumentParser(prog="plot_report.py",
                                     description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("report", type=Path, help="a stress report (JSON)")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory for the PNGs (default: beside the report)")
    args = parser.parse_args(argv)
    try:
        report = load_report(args.report)
    except ReportError as exc:
        print(f"plot_report: error: {exc}", file=sys.stderr)
        return 2
    if "series" not in report:
        print(f"plot_report: error: report {args.report} has no 'series' to plot",
              file=sys.stderr)
        return 2
    for path in write_plots(report, args.out or args.report.parent, args.report.stem):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
