"""annotate.io: atomic files and folders, temp files a killed writer leaves, the umask, and the output guards."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from annotate import io
from annotate.errors import OutputError
from annotate.io import (
    atomic_directory,
    check_writable,
    guard_output,
    has_marker,
    looks_like_records,
    remove_stale_temps,
    write_new_file,
    write_text_atomic,
)

ROOT = Path(__file__).resolve().parent.parent
UNWRITABLE = Path("/sys/annotate-test")  # even root cannot create files in sysfs


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def umask():
    previous = os.umask(0o022)
    yield lambda value: os.umask(value)
    os.umask(previous)


# ---------------------------------------------------------------------------------------------------------
# Files


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = write_text_atomic(tmp_path / "a.jsonl", "old\n")
    with pytest.raises(RuntimeError), io.atomic_open(target) as handle:
        handle.write("half of the new")
        raise RuntimeError("killed")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_data_files_honour_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    assert mode_of(write_text_atomic(tmp_path / "data.jsonl", "x\n")) == expected
    assert mode_of(io.write_bytes_atomic(tmp_path / "data.bin", b"x")) == expected
    with atomic_directory(tmp_path / "set") as staged:
        write_new_file(staged / "train.jsonl", "x\n")
    assert mode_of(tmp_path / "set" / "train.jsonl") == expected
    assert mode_of(tmp_path / "set") == 0o777 & ~mask


def test_private_files_are_0600_whatever_the_umask(tmp_path, umask):
    umask(0o000)
    assert mode_of(write_text_atomic(tmp_path / "credentials.json", "{}\n", private=True)) == 0o600


def test_a_killed_writer_leaves_a_named_temp_that_the_next_write_removes(tmp_path):
    target = tmp_path / "annotations.jsonl"
    script = textwrap.dedent(f"""
        import sys, time
        from annotate.io import atomic_open
        with atomic_open({str(target)!r}) as handle:
            handle.write("partial")
            handle.flush()
            print("writing", flush=True)
            time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout.readline() == "writing\n"
    child.send_signal(signal.SIGKILL)
    child.wait()
    leftover = tmp_path / f".annotations.jsonl.annotate-tmp-{child.pid}"
    assert leftover.read_text() == "partial"
    write_text_atomic(target, "done\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annotations.jsonl"]


def test_a_live_writers_temp_is_left_alone(tmp_path):
    target = tmp_path / "out.jsonl"
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        busy = tmp_path / f".out.jsonl.annotate-tmp-{child.pid}"
        busy.write_text("someone is writing")
        assert remove_stale_temps(target) == []
        assert busy.exists()
    finally:
        child.kill()
        child.wait()


def test_oserror_becomes_an_output_error_with_the_path_and_the_fix():
    with pytest.raises(OutputError) as caught:
        write_text_atomic(UNWRITABLE / "out.jsonl", "x")
    assert str(caught.value).startswith(f"{UNWRITABLE / 'out.jsonl'}: cannot write (")
    assert caught.value.fix


def test_an_oserror_about_an_input_is_not_blamed_on_the_output(tmp_path):
    with pytest.raises(FileNotFoundError), io.atomic_open(tmp_path / "out.txt") as handle:
        handle.write(open(tmp_path / "missing-input.txt").read())


# ---------------------------------------------------------------------------------------------------------
# Folders


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_folder_is_replaced_as_a_set(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(io, "_exchange", lambda first, second: False)
    out = tmp_path / "export"
    with atomic_directory(out) as staged:
        for name in ("train", "dev", "test"):
            write_new_file(staged / f"{name}.jsonl", f"old {name}\n")
    with atomic_directory(out) as staged:
        for name in ("train", "dev"):
            write_new_file(staged / f"{name}.jsonl", f"new {name}\n")
    # The stale test split of the earlier set does not survive.
    assert files_of(out) == {"dev.jsonl": b"new dev\n", "train.jsonl": b"new train\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]


def test_a_failed_folder_write_keeps_the_old_set(tmp_path):
    out = tmp_path / "export"
    with atomic_directory(out) as staged:
        write_new_file(staged / "all.jsonl", "old\n")
    with pytest.raises(RuntimeError), atomic_directory(out) as staged:
        write_new_file(staged / "train.jsonl", "new\n")
        raise RuntimeError("killed")
    assert files_of(out) == {"all.jsonl": b"old\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]


def test_a_swap_cut_between_its_two_renames_is_completed_by_the_next_write(tmp_path):
    # Where the kernel cannot exchange two folders, the old set is renamed aside and the new one in; a kill between
    # the two leaves both beside a missing target. The new set is complete by then, so it is moved in.
    pid = dead_pid()
    old, new = tmp_path / f".export.annotate-old-{pid}", tmp_path / f".export.annotate-tmp-{pid}"
    old.mkdir()
    (old / "all.jsonl").write_text("old\n")
    new.mkdir()
    (new / "train.jsonl").write_text("new\n")
    remove_stale_temps(tmp_path / "export")
    assert files_of(tmp_path / "export") == {"train.jsonl": b"new\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export"]


# ---------------------------------------------------------------------------------------------------------
# Guards


def test_an_output_that_is_an_input_is_refused_even_with_force(tmp_path):
    source = write_text_atomic(tmp_path / "a.jsonl", '{"doc_id": "d", "text": "t"}\n')
    (tmp_path / "link.jsonl").symlink_to(source)
    for output in (source, tmp_path / "link.jsonl", tmp_path / "sub" / ".." / "a.jsonl"):
        with pytest.raises(OutputError, match="is also an input of this command; writing it would destroy that input"):
            guard_output(output, inputs=[source], ours=looks_like_records, force=True)


def test_an_export_folder_that_holds_its_input_is_refused(tmp_path):
    source = write_text_atomic(tmp_path / "gold.jsonl", "")
    with pytest.raises(OutputError, match="holds the input .*gold.jsonl, and the output folder is replaced as a whole"):
        guard_output(tmp_path, inputs=[source], folder=True, force=True)


def test_overwriting_needs_our_own_output_or_force(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# My project\n")
    with pytest.raises(OutputError) as caught:
        guard_output(readme, ours=has_marker("<!-- written by annotate gold -->"))
    assert str(caught.value) == (f"{readme}: exists and was not written by this command; "
                                 "choose a new path, or pass --force to replace it")
    assert guard_output(readme, ours=has_marker("# My"), force=False) == readme
    assert guard_output(readme, force=True) == readme
    records = write_text_atomic(tmp_path / "old.jsonl", '{"doc_id": "d", "text": "t"}\n')
    assert guard_output(records, ours=looks_like_records) == records
    empty = write_text_atomic(tmp_path / "empty.jsonl", "")
    assert guard_output(empty) == empty
    other = write_text_atomic(tmp_path / "notes.jsonl", '{"note": "mine"}\n')
    with pytest.raises(OutputError, match="was not written by this command"):
        guard_output(other, ours=looks_like_records)


def test_folders_and_files_are_not_mistaken_for_each_other(tmp_path):
    (tmp_path / "dir").mkdir()
    with pytest.raises(OutputError, match=r"dir: is a folder; give -o a file path"):
        guard_output(tmp_path / "dir")
    afile = write_text_atomic(tmp_path / "file", "x")
    with pytest.raises(OutputError, match=r"file: is a file, not a folder"):
        guard_output(afile, folder=True)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(OutputError, match="folder holds files that this command did not write"):
        guard_output(tmp_path / "full", folder=True)


def test_writability_is_checked_up_front(tmp_path):
    with pytest.raises(OutputError, match=r"cannot write \("):
        check_writable(UNWRITABLE / "predictions.jsonl")
    blocker = write_text_atomic(tmp_path / "blocker", "x")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        check_writable(blocker / "sub" / "out.jsonl")
    check_writable(tmp_path / "new" / "deeper" / "out.jsonl")  # missing folders are created later
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]  # the probe leaves nothing behind


def test_checking_writability_during_a_write_does_not_disturb_it(tmp_path):
    target = tmp_path / "out.jsonl"
    with io.atomic_open(target) as handle:
        handle.write("x")
        check_writable(target)
        handle.write("y")
    assert target.read_text() == "xy"
