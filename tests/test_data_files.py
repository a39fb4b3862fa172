"""atomic_write_bytes on a real filesystem: the file's mode follows the umask (not mkstemp's
0o600), a replaced file is whole, and an exception at any step leaves no temporary file."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from engine.data.files import atomic_write_bytes

posix = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes and umask")


@pytest.fixture
def umask():
    """Set the process umask for one test and put the old one back."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


@posix
@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664),
                                        (0o000, 0o666)])
def test_mode_is_0666_less_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    path = atomic_write_bytes(tmp_path / "report.json", b"{}")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_bytes() == b"{}"


@posix
def test_replacing_a_file_takes_the_umask_mode_too(tmp_path, umask):
    umask(0o022)
    path = tmp_path / "plot.png"
    path.write_bytes(b"old")
    path.chmod(0o600)
    atomic_write_bytes(path, b"new content")
    assert path.read_bytes() == b"new content"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_missing_directories_are_made_or_refused(tmp_path):
    deep = tmp_path / "a" / "b" / "out.bin"
    assert atomic_write_bytes(deep, b"x") == deep and deep.read_bytes() == b"x"
    with pytest.raises(FileNotFoundError):
        atomic_write_bytes(tmp_path / "missing" / "out.bin", b"x", make_dirs=False)


def test_a_failed_write_leaves_no_temporary_file(tmp_path):
    with pytest.raises(TypeError):
        atomic_write_bytes(tmp_path / "out.bin", "not bytes")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_failed_replace_leaves_the_target_and_no_temporary_file(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()  # a directory cannot be replaced by a file
    (target / "keep").write_bytes(b"k")
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    assert (target / "keep").read_bytes() == b"k"

