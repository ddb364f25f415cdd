"""Writing outputs: the one place where the toolkit creates files and folders.

- A file is written to a temp file beside it (`.NAME.annotate-tmp-PID`), synced, then renamed over the target, so
  a killed run leaves the old file or the new one, never half of one.
- A folder of outputs (an export) is written whole into a sibling temp folder and then swapped in, so a killed
  run leaves the complete old set or the complete new set; files of an earlier run that this run does not write
  (stale splits) do not survive.
- Temp files and folders carry the writer's PID; the next write to the same target removes those whose process
  has died.
- Data files honour the umask (a team can share them); `private=True` (credentials) makes them 0600.
- `guard_output` refuses an output that is one of the command's inputs, and an existing file or folder that the
  command did not write unless forced; `check_writable` runs before long work starts.
- Every OSError becomes an OutputError naming the path, the problem and the fix.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import OutputError

TEMP_TAG = ".annotate-tmp-"
OLD_TAG = ".annotate-old-"
PathLike = str | os.PathLike[str]
Recogniser = Callable[[Path], bool]

_FIXES = {
    errno.EACCES: ("permission denied", "choose a folder you can write to, or change its permissions"),
    errno.EPERM: ("operation not permitted", "choose a folder you can write to, or change its permissions"),
    errno.EROFS: ("the file system is read-only", "write to a folder on a writable disk"),
    errno.ENOSPC: ("no space left on the device", "free some space or write elsewhere"),
    errno.EDQUOT: ("disk quota exceeded", "free some space or write elsewhere"),
    errno.EISDIR: ("is a folder", "give a file path, e.g. FOLDER/out.jsonl"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "check the path"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter path"),
    errno.ENOENT: ("the folder does not exist", "check the path"),
}


def os_error(path: PathLike, error: OSError) -> OutputError:
    """An OutputError for `error` while writing `path`: what went wrong, and what to do about it."""
    problem, fix = _FIXES.get(error.errno or 0, (error.strerror or str(error), "check the path and try again"))
    return OutputError(path, f"cannot write ({problem})", fix)


@contextmanager
def _reported(path: PathLike, *own_paths: PathLike) -> Iterator[None]:
    """Turn OSErrors about `path` (or its temp files, or a write with no file name) into an OutputError; an
    OSError about another file (an input read inside the block) passes through unchanged."""
    mine = {os.fspath(path), *(os.fspath(p) for p in own_paths), *(os.fspath(p) for p in Path(path).parents)}
    try:
        yield
    except OutputError:
        raise
    except OSError as error:
        if error.filename is None or os.fspath(error.filename) in mine or os.fspath(error.filename2 or "") in mine:
            raise os_error(path, error) from error
        raise


# ---------------------------------------------------------------------------------------------------------
# Temp names and stale ones


def temp_path(target: Path, tag: str = TEMP_TAG) -> Path:
    return target.with_name(f".{target.name}{tag}{os.getpid()}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def _leftovers(target: Path) -> Iterator[tuple[Path, str, int]]:
    """(path, tag, pid) of every temp or set-aside copy of `target` in its folder."""
    prefix = f".{target.name}"
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        rest = entry.name[len(prefix):]
        for tag in (TEMP_TAG, OLD_TAG):
            if rest.startswith(tag) and rest[len(tag):].isdigit():
                yield target.parent / entry.name, tag, int(rest[len(tag):])


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_stale_temps(target: PathLike) -> list[Path]:
    """Remove what killed writers of `target` left behind (their PID is dead); return what was removed.

    A writer killed between setting the old folder aside and moving the new one in (only where the kernel cannot
    swap two folders in one step) leaves no target but a complete new set: that set is moved in first.
    """
    target = Path(target)
    found = [item for item in _leftovers(target) if item[2] != os.getpid() and not _pid_alive(item[2])]
    by_pid = {(tag, pid): path for path, tag, pid in found}
    removed = []
    if not os.path.lexists(target):
        for tag, pid in by_pid:
            new = by_pid.get((TEMP_TAG, pid))
            if tag == OLD_TAG and new is not None and new.is_dir():
                os.rename(new, target)
                break
    for path, _, _ in found:
        if os.path.lexists(path):
            _remove(path)
            removed.append(path)
    return removed


# ---------------------------------------------------------------------------------------------------------
# Atomic files


def _create(path: Path, private: bool) -> int:
    """A new file; mode 0666 minus the umask for data, 0600 for private files (credentials)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags, 0o600 if private else 0o666)
    except FileExistsError:  # our own PID's leftover from an earlier process with the same PID
        path.unlink()
        return os.open(path, flags, 0o600 if private else 0o666)


@contextmanager
def atomic_open(path: PathLike, *, binary: bool = False, private: bool = False) -> Iterator[IO[Any]]:
    """A handle on a temp file beside `path`, renamed over it only when the block finishes cleanly.

    Text handles are UTF-8 with "\\n" line ends whatever the platform.
    """
    target = Path(path)
    temp = temp_path(target)
    with _reported(target, temp):
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            raise OutputError(target, "is a folder", "give a file path, e.g. FOLDER/out.jsonl")
        remove_stale_temps(target)
        fd = _create(temp, private)
        try:
            handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
            with handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise


def write_text_atomic(path: PathLike, content: str, *, private: bool = False) -> Path:
    with atomic_open(path, private=private) as handle:
        handle.write(content)
    return Path(path)


def write_bytes_atomic(path: PathLike, data: bytes, *, private: bool = False) -> Path:
    with atomic_open(path, binary=True, private=private) as handle:
        handle.write(data)
    return Path(path)


def write_new_file(path: PathLike, data: str | bytes) -> Path:
    """A plain write for a file inside a folder that `atomic_directory` is staging (the folder swap is what makes
    the set atomic). Text goes out as UTF-8 bytes with no newline translation, so offsets stay file offsets."""
    target = Path(path)
    with _reported(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return target


# ---------------------------------------------------------------------------------------------------------
# Atomic folders

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the kernel or libc cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), os.fspath(second))


def _sync_tree(root: Path) -> None:
    for folder, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(folder, name), "rb") as handle:
                os.fsync(handle.fileno())


def _swap_in(staged: Path, target: Path) -> None:
    if not os.path.lexists(target):
        os.rename(staged, target)
    elif _exchange(staged, target):
        shutil.rmtree(staged)  # now holds the old set
    else:
        aside = temp_path(target, OLD_TAG)
        os.rename(target, aside)
        os.rename(staged, target)
        shutil.rmtree(aside)


@contextmanager
def atomic_directory(path: PathLike) -> Iterator[Path]:
    """A fresh sibling temp folder to write the whole output set into; swapped in for `path` (which is replaced
    entirely) only when the block finishes cleanly. Write the files inside with `write_new_file`."""
    target = Path(path)
    staged = temp_path(target)
    with _reported(target, staged):
        if target.exists() and not target.is_dir():
            raise OutputError(target, "is a file, not a folder", "give a folder path for the output set")
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(target)
        if os.path.lexists(staged):
            _remove(staged)
        staged.mkdir()
        try:
            yield staged
            _sync_tree(staged)
            _swap_in(staged, target)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise


# ---------------------------------------------------------------------------------------------------------
# Guards


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def json_with_keys(*keys: str) -> Recogniser:
    """Recognises a JSON file holding one object with all of `keys` (a report or manifest we wrote)."""
    def recognise(path: Path) -> bool:
        try:
            value = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return False
        return isinstance(value, dict) and set(keys) <= value.keys()
    return recognise


def jsonl_with_keys(*keys: str) -> Recogniser:
    """Recognises a JSON Lines file whose first record is an object with all of `keys`."""
    def recognise(path: Path) -> bool:
        try:
            with open(path, "rb") as handle:
                for line in handle:
                    if line.strip():
                        record = json.loads(line)
                        return isinstance(record, dict) and set(keys) <= record.keys()
        except (OSError, ValueError):
            return False
        return True  # only blank lines
    return recognise


# What every record-writing command writes: AnnotatedDoc JSONL.
looks_like_records = jsonl_with_keys("doc_id", "text")


def has_marker(marker: str, head: int = 4096) -> Recogniser:
    """Recognises a file whose first `head` bytes contain `marker` (a line our writer puts in every such file)."""
    def recognise(path: Path) -> bool:
        try:
            with open(path, "rb") as handle:
                return marker.encode("utf-8") in handle.read(head)
        except OSError:
            return False
    return recognise


def folder_with(manifest: str, recognise: Recogniser) -> Recogniser:
    """Recognises a folder that holds `manifest` and whose manifest our writer would have written."""
    def recognise_folder(path: Path) -> bool:
        return (path / manifest).is_file() and recognise(path / manifest)
    return recognise_folder


def guard_output(path: PathLike, *, inputs: Iterable[PathLike] = (), ours: Recogniser | None = None,
                 force: bool = False, folder: bool = False, option: str = "-o") -> Path:
    """Check an output path before any work: raise OutputError if writing it would destroy an input or a file the
    command did not write, or if it cannot be written. Return it as a Path.

    - never (not even forced): the output is one of `inputs` (same path or same file through a link), or, for a
      folder output, an input lies inside the folder that is about to be replaced;
    - allowed: a new path, an empty file or folder, or one that `ours` recognises as this command's own output
      (users rerun commands constantly);
    - anything else only with `force`.
    """
    target = Path(path)
    for source in inputs:
        source = Path(source)
        if _same(target, source):
            raise OutputError(target, "is also an input of this command; writing it would destroy that input",
                              f"give {option} another path")
        if folder and target.is_dir() and _inside(source, target):
            raise OutputError(target, f"holds the input {source}, and the output folder is replaced as a whole",
                              f"give {option} a folder that does not hold the input")
    if folder:
        if target.exists() and not target.is_dir():
            raise OutputError(target, "is a file, not a folder", f"give {option} a folder path (it is created)")
        occupied = target.is_dir() and any(target.iterdir())
    else:
        if target.is_dir():
            raise OutputError(target, "is a folder", f"give {option} a file path, e.g. {target / 'out.jsonl'}")
        occupied = target.is_file() and target.stat().st_size > 0
    if occupied and not force and not (ours is not None and ours(target)):
        what = "folder holds files that this command did not write" if folder else \
            "exists and was not written by this command"
        raise OutputError(target, what, "choose a new path, or pass --force to replace it")
    check_writable(target, folder=folder)
    return target


def check_writable(path: PathLike, *, folder: bool = False) -> None:
    """Raise OutputError now, before long work starts, if `path` cannot be written: its folder (or the nearest
    one that exists, since missing folders are created) must take a new file."""
    target = Path(path)
    if not folder and target.is_dir():
        raise OutputError(target, "is a folder", "give a file path, e.g. FOLDER/out.jsonl")
    parent = target.parent
    while not parent.exists():
        if parent == parent.parent:
            break
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(target, f"cannot be created: {parent} is a file, not a folder", "check the path")
    probe = parent / f".{target.name}.annotate-probe-{os.getpid()}"  # not a temp name: a write may be under way
    with _reported(target, probe):
        os.close(_create(probe, private=True))
        probe.unlink()
