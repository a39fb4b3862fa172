"""tools.soak: a short soak at a small horde keeps nothing, held by counts; its command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tools import soak
from tools.common import ROOT


def test_short_soak_keeps_nothing():
    """60 simulated seconds at 2,000 enemies after the warm-up: allocated blocks within the
    stress run's limit of 2 and no GC-tracked object retained."""
    res = soak.soak(2000, 60.0, warmup=20.0)
    assert len(res.blocks) == 61
    assert res.blocks_growth <= soak.BLOCKS_LIMIT, res.jumps()
    assert res.tracked_growth <= 0, res.jumps()
    # No second may keep a lasting step either (a +1/-1 flicker is an int or float that
    # lives across the sample in one tick and not the next).
    assert res.blocks.max() - res.blocks[0] <= soak.BLOCKS_LIMIT, res.jumps()


@pytest.mark.parametrize(("args", "words"), [
    (["--enemies", "0"], "--enemies must be in [1, 200000], got 0"),
    (["--minutes", "-1"], "--minutes must be in"),
    (["--warmup", "nan"], "--warmup must be in"),
    (["--trace-at", "999", "--minutes", "1"], "--trace-at must be in [0, 60], got 999"),
    (["--enemies", "many"], "invalid int value"),
])
def test_bad_arguments_are_one_line_and_exit_2(args, words):
    proc = subprocess.run([sys.executable, "-m", "tools.soak", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert words in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert proc.stdout == ""


def test_figures_line_and_exit_code(capsys):
    assert soak.main(["--enemies", "300", "--minutes", "0.25", "--warmup", "5",
                      "--settle", "5"]) in (0, 1)
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert out.startswith("soak 300 enemies, 0.25 min simulated")
    for words in ("blocks growth", "tracked objects", "RSS drift", "MB"):
        assert words in out
