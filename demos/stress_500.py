#!/usr/bin/env python3
"""Stress 500: the engine's acceptance run, from the command line.

The run, its criteria and its report live in ``engine.acceptance`` (``cli.py``: the options,
``session.py``: the wired run, ``run.py``: the ramp / settle / hold plan); ``--help`` is the
documentation. Hold your own game to it with ``engine.acceptance.cli.run_acceptance``.
"""

from engine.acceptance.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
