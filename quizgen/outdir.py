"""Output folders: what quizgen wrote there, and runs that land whole or not at all.

Every command that writes a folder (``generate``, ``render``, ``grade``) goes through one
`OutputRun`. Its state lives in a hidden folder inside the output folder DIR, so nothing outside
``--out`` is touched::

    DIR/.quizgen/manifest.json   the files quizgen wrote in DIR (size, mtime, tags) and the exam DIR holds
    DIR/.quizgen/lock            held while a run moves its files in: parallel shards take turns
    DIR/.quizgen/stage-XXXX/     a run in progress writes here, never into DIR itself
    DIR/.quizgen/journal.json    a commit in progress; if the process was killed, the next run finishes it

A run writes every file into its stage. `OutputRun.commit` then, holding the lock and with
Ctrl-C held back, moves the files into DIR, removes the earlier files the caller calls stale,
and rewrites the manifest: a few milliseconds of renames. Interrupted before the commit (Ctrl-C,
an error, a crash), the run leaves DIR exactly as the previous run left it and its stage is
removed (by this process, or by the next run if this one was killed).

Deleting is held to three rules: only files the manifest lists (quizgen wrote them), only if
they are still the regular file quizgen wrote (same size and modification time: a file the user
edited or replaced is kept and reported), and never through a symbolic link.

Typical use::

    with OutputRun(out, "render") as run:
        write_things(run.stage)                      # the writers write into the stage
        report = run.commit(tags=..., stale=...)     # then everything lands at once
"""

from __future__ import annotations

__all__ = ["MANIFEST", "STATE_DIR", "CommitReport", "Entry", "Manifest", "OutputRun", "read_manifest", "remove_written"]

import contextlib
import errno
import json
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import write_text_atomic
from .errors import Location, QuizgenError

try:
    import fcntl
except ImportError:  # Windows: no locks; parallel runs into one folder are not supported there
    fcntl = None  # type: ignore[assignment]

STATE_DIR = ".quizgen"
MANIFEST = f"{STATE_DIR}/manifest.json"
_JOURNAL = "journal.json"
_LOCK = "lock"
_STAGE_PREFIX = "stage-"
_STAGE_LOCK = ".stage-lock"
_FORMAT = 1
# Held back while files move into place, so Ctrl-C (or a batch system's SIGTERM) waits until the
# folder is whole again; the signal is delivered right after.
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM} | ({signal.SIGHUP} if hasattr(signal, "SIGHUP") else set())


@dataclass(frozen=True, slots=True)
class Entry:
    """One file quizgen wrote: where (relative to DIR, '/'-separated), by which command, and what it
    looked like then (to tell it from a file the user has since edited or put there)."""

    path: str
    command: str
    size: int
    mtime_ns: int
    tags: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "command": self.command, "size": self.size, "mtime_ns": self.mtime_ns, "tags": dict(self.tags)}


@dataclass(slots=True)
class Manifest:
    exam: dict[str, Any] | None = None  # what the folder holds (set by generate); None: nothing recorded
    files: dict[str, Entry] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"quizgen_manifest": _FORMAT, "exam": self.exam, "files": [self.files[p].to_json() for p in sorted(self.files)]}


@dataclass(frozen=True, slots=True)
class CommitReport:
    """What a commit did, as paths relative to DIR (sorted)."""

    written: tuple[str, ...]
    replaced: tuple[str, ...]  # among written: a file was there before (and is now the new one)
    removed: tuple[str, ...]  # earlier files of quizgen's found stale and deleted
    kept: tuple[str, ...]  # stale, but edited or replaced since quizgen wrote them: left alone


def _relative(path: str, where: str) -> str:
    """A manifest path must stay inside DIR: relative, no '..', no empty parts."""
    if not path or path.startswith("/") or any(part in ("", ".", "..") for part in path.split("/")) or "\\" in path:
        raise QuizgenError(f"not a path inside the output folder: {path!r}", Location(file=where))
    return path


def _entry_from_json(data: Any, where: str) -> Entry:
    if not isinstance(data, dict) or not isinstance(data.get("path"), str):
        raise QuizgenError("a file entry is not an object with a path", Location(file=where))
    tags = data.get("tags") or {}
    if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
        raise QuizgenError(f"{data['path']}: tags must map text to text", Location(file=where))
    size, mtime = data.get("size"), data.get("mtime_ns")
    if not isinstance(size, int) or not isinstance(mtime, int):
        raise QuizgenError(f"{data['path']}: size and mtime_ns must be integers", Location(file=where))
    return Entry(_relative(data["path"], where), str(data.get("command", "")), size, mtime, tags)


def _manifest_from_json(data: Any, where: str) -> Manifest:
    if not isinstance(data, dict) or data.get("quizgen_manifest") != _FORMAT or not isinstance(data.get("files"), list):
        raise QuizgenError("not a quizgen manifest of this version (delete the .quizgen folder to start afresh; "
                           "quizgen then deletes none of the files it wrote there before)", Location(file=where))
    exam = data.get("exam")
    entries = [_entry_from_json(item, where) for item in data["files"]]
    return Manifest(exam if isinstance(exam, dict) else None, {e.path: e for e in entries})


def read_manifest(out: Path) -> Manifest:
    """The manifest of ``out``; an empty one when quizgen has not written there (or before manifests)."""
    path = Path(out) / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Manifest()
    except (OSError, UnicodeDecodeError) as error:
        raise QuizgenError(f"cannot read: {error}", Location(file=str(path))) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise QuizgenError(f"invalid JSON: {error.msg}", Location(file=str(path), line=error.lineno)) from None
    return _manifest_from_json(data, str(path))


def _no_symlink_below(out: Path, rel: str, *, create: bool, checked: set[str] | None = None) -> str:
    """``out/rel``, after checking that no folder between ``out`` and the file is a symbolic link
    (writing or deleting through one would reach outside ``--out``). ``create`` makes missing folders;
    ``checked`` remembers folders already checked (a commit moves thousands of files into a few)."""
    parts = rel.split("/")[:-1]
    current = str(out)
    for part in parts:
        current = f"{current}/{part}"
        if checked is not None and current in checked:
            continue
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            if not create:
                raise
            os.mkdir(current)  # noqa: PTH102 -- strings, not Path objects: see _checked below
        else:
            if stat.S_ISLNK(info.st_mode):
                raise QuizgenError(f"{rel}: {current} is a symbolic link; quizgen writes and deletes only inside the "
                                   "output folder", Location(file=str(out)))
            if not stat.S_ISDIR(info.st_mode):
                raise QuizgenError(f"{rel}: {current} is a file, not a folder", Location(file=str(out)))
        if checked is not None:
            checked.add(current)
    return f"{out}/{rel}"


def remove_written(out: Path, entry: Entry) -> bool:
    """Delete ``out/entry.path`` if it is still the regular file quizgen wrote, reached without a
    symbolic link. True if deleted or already gone; False if kept (edited, replaced, a link, ...)."""
    try:
        path = Path(_no_symlink_below(out, entry.path, create=False))
        info = path.lstat()
    except FileNotFoundError:
        return True
    except QuizgenError:
        return False
    if not stat.S_ISREG(info.st_mode) or info.st_size != entry.size or info.st_mtime_ns != entry.mtime_ns:
        return False
    try:
        path.unlink(missing_ok=True)
    except OSError:  # a folder that may not be written: the file stays, and is reported as kept
        return False
    # Folders left empty go too (rmdir never removes anything inside a folder).
    for parent in path.relative_to(out).parents:
        if parent == Path():
            break
        try:
            (out / parent).rmdir()
        except OSError:
            break
    return True


@contextlib.contextmanager
def _held_signals() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield  # closing the file releases the lock


def _check_writable(folders: Iterable[str]) -> None:
    """Fail before any work (or before any file moves) rather than with the folder half updated."""
    for folder in folders:
        if os.path.isdir(folder) and not os.access(folder, os.W_OK | os.X_OK):  # noqa: PTH112 -- strings, as in commit
            raise PermissionError(errno.EACCES, "Permission denied", folder)


def _stage_is_orphan(stage: Path) -> bool:
    """A stage whose process is gone: its lock can be taken. Live stages hold theirs."""
    if fcntl is None:
        return False
    try:
        with (stage / _STAGE_LOCK).open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
    except OSError:
        return False


def _staged_files(stage: Path) -> list[str]:
    """The regular files of a stage, as sorted '/'-separated relative paths (links are not followed)."""
    found: list[str] = []

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                rel = f"{prefix}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{rel}/")
                elif entry.is_file(follow_symlinks=False) and rel != _STAGE_LOCK and not (
                        entry.name.startswith(".") and entry.name.endswith(".tmp")):
                    found.append(rel)

    walk(str(stage), "")
    return found


class OutputRun:
    """One command's writes into ``out``: into a private stage first, into ``out`` at `commit`.

    Use as a context manager; leaving it without a commit (an error, Ctrl-C) throws the stage away.
    """

    def __init__(self, out: Path, command: str, *, folders: Iterable[str] = ()) -> None:
        """``folders``: the subfolders of ``out`` the run will write into, checked before any work."""
        self.out = Path(out)
        self.command = command
        self.folders = tuple(folders)
        self.state = self.out / STATE_DIR
        self.stage = self.state  # set in __enter__
        self._stage_lock: Any = None
        self.committed = False

    def __enter__(self) -> OutputRun:
        if self.out.exists() and not self.out.is_dir():
            raise QuizgenError("exists and is not a folder", Location(file=str(self.out)))
        self.state.mkdir(parents=True, exist_ok=True)
        with _locked(self.state / _LOCK):
            self._recover()
            for stage in self.state.glob(f"{_STAGE_PREFIX}*"):
                if stage.is_dir() and not stage.is_symlink() and _stage_is_orphan(stage):
                    shutil.rmtree(stage, ignore_errors=True)  # left by a killed run; all of it is ours
            # The folders this run and earlier runs write into: a run that could not move its files there fails now.
            earlier = {path.split("/")[0] for path in read_manifest(self.out).files if "/" in path}
            _check_writable([str(self.out), *(f"{self.out}/{folder}" for folder in sorted(earlier | set(self.folders)))])
            self.stage = Path(tempfile.mkdtemp(prefix=f"{_STAGE_PREFIX}{self.command}-", dir=self.state))
        self._stage_lock = (self.stage / _STAGE_LOCK).open("a")
        if fcntl is not None:
            fcntl.flock(self._stage_lock.fileno(), fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stage_lock is not None:
            self._stage_lock.close()
            self._stage_lock = None
        if not self._journal_needs_stage():
            shutil.rmtree(self.stage, ignore_errors=True)

    def _journal_needs_stage(self) -> bool:
        """A commit that failed half way (a folder became unwritable) leaves its journal: the files
        not moved yet stay in the stage, for the next run to finish the move."""
        try:
            journal = json.loads((self.state / _JOURNAL).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(journal, dict) and journal.get("stage") == self.stage.name

    def manifest(self) -> Manifest:
        return read_manifest(self.out)

    def commit(self, *, tags: Callable[[str], Mapping[str, str]] | None = None,
               stale: Callable[[Entry], bool] | None = None, exam: dict[str, Any] | None = None) -> CommitReport:
        """Move every staged file into ``out``, then delete the earlier files of the manifest for which
        ``stale(entry)`` is true (files this run rewrote are replaced, not deleted), then record the
        run in the manifest, with ``tags(path)`` per new file and ``exam`` as what the folder holds."""
        if self.committed:
            raise RuntimeError("this run is already committed")
        staged = _staged_files(self.stage)
        with _locked(self.state / _LOCK):
            self._recover()  # a run killed mid-commit while this one was working
            old = read_manifest(self.out)
            new = Manifest(exam if exam is not None else old.exam, dict(old.files))
            checked: set[str] = set()
            replaced = []
            for rel in staged:
                target = _no_symlink_below(self.out, rel, create=True, checked=checked)
                try:
                    if stat.S_ISDIR(os.lstat(target).st_mode):
                        raise QuizgenError(f"{rel} is a folder; quizgen wants to write a file there", Location(file=str(self.out)))
                    replaced.append(rel)
                except FileNotFoundError:
                    pass
                # Plain os calls on strings: pathlib's overhead was most of the time of a 4000-file commit.
                info = os.stat(f"{self.stage}/{rel}")  # noqa: PTH116
                new.files[rel] = Entry(rel, self.command, info.st_size, info.st_mtime_ns, dict(tags(rel)) if tags else {})
            _check_writable([str(self.out), *sorted(checked)])
            written = set(staged)
            doomed = [e for p, e in sorted(old.files.items()) if p not in written and stale is not None and stale(e)]
            for entry in doomed:
                del new.files[entry.path]
            journal = {"stage": self.stage.name, "moves": staged, "remove": [e.to_json() for e in doomed],
                       "manifest": new.to_json()}
            with _held_signals():
                write_text_atomic(self.state / _JOURNAL, json.dumps(journal, ensure_ascii=False))
                removed, kept = self._apply(journal)
            self.committed = True
        return CommitReport(tuple(staged), tuple(replaced), removed, kept)

    def _apply(self, journal: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Carry out a journal: moves (those not done yet), removals, the new manifest. Idempotent."""
        where = str(self.state / _JOURNAL)
        stage = self.state / _relative(str(journal["stage"]), where)
        checked: set[str] = set()
        for rel in journal["moves"]:
            rel = _relative(rel, where)
            target = _no_symlink_below(self.out, rel, create=True, checked=checked)
            with contextlib.suppress(FileNotFoundError):  # moved already, before a kill
                os.replace(f"{stage}/{rel}", target)  # noqa: PTH105 -- see commit
        removed: list[str] = []
        kept: list[str] = []
        manifest = _manifest_from_json(journal["manifest"], where)
        for item in journal["remove"]:
            entry = _entry_from_json(item, where)
            (removed if remove_written(self.out, entry) else kept).append(entry.path)
        write_text_atomic(self.out / MANIFEST, json.dumps(manifest.to_json(), ensure_ascii=False) + "\n")
        (self.state / _JOURNAL).unlink()
        if stage != self.stage:
            shutil.rmtree(stage, ignore_errors=True)
        return tuple(removed), tuple(kept)

    def _recover(self) -> None:
        """Finish a commit whose process was killed (the lock is held)."""
        path = self.state / _JOURNAL
        if not path.exists():
            return
        try:
            journal = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise QuizgenError(f"cannot finish an interrupted run: {error}", Location(file=str(path))) from None
        if not isinstance(journal, dict) or not {"stage", "moves", "remove", "manifest"} <= journal.keys():
            raise QuizgenError("cannot finish an interrupted run: not a quizgen journal", Location(file=str(path)))
        with _held_signals():
            self._apply(journal)
