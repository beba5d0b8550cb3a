"""What the writing commands say about their output folder: what a run replaced, removed or kept,
and that an interrupted run left the folder as it was."""

from __future__ import annotations

__all__ = ["files", "interrupted", "report_commit", "report_replaced"]

import os
import sys
from pathlib import Path
from typing import NoReturn

import typer

from ..outdir import STATE_DIR, CommitReport, read_manifest

_SHOWN = 3


def files(count: int) -> str:
    return f"{count} file{'' if count == 1 else 's'}"


def _some(paths: tuple[str, ...] | list[str]) -> str:
    return ", ".join(paths[:_SHOWN]) + (" …" if len(paths) > _SHOWN else "")


def report_commit(out: Path, report: CommitReport, *, replaced_exam: str | None = None,
                  why: str = "of earlier runs that no longer match the key") -> None:
    """One line per thing worth knowing: files of the earlier run removed, edited files kept."""
    if replaced_exam is not None:
        typer.echo(f"replaced {replaced_exam} in {out}: of the files quizgen wrote for it, {len(report.replaced)} were "
                   f"overwritten by this run and {len(report.removed)} removed")
        _unrecorded(out)
    elif report.removed:
        typer.echo(f"removed {files(len(report.removed))} {why}: {_some(report.removed)}")
    if report.kept:
        typer.secho(f"kept {files(len(report.kept))} quizgen wrote earlier but that were changed since "
                    f"(or lie behind a symbolic link): {_some(report.kept)}", err=True, fg=typer.colors.YELLOW)


def report_replaced(replaced: tuple[str, ...], recorded: set[str]) -> None:
    """Which existing files a run overwrote: quizgen's own from an earlier run, and -- a warning --
    files quizgen has no record of writing (the user's, or from before quizgen kept a manifest)."""
    ours = [path for path in replaced if path in recorded]
    others = [path for path in replaced if path not in recorded]
    if ours:
        typer.echo(f"replaced {files(len(ours))} of the previous run: {_some(ours)}")
    if others:
        typer.secho(f"replaced {files(len(others))} quizgen has no record of writing: {_some(others)}",
                    err=True, fg=typer.colors.YELLOW)


def _unrecorded(out: Path) -> None:
    """After --force: files quizgen has no record of writing stay; say so, since they may belong to the old exam."""
    recorded = set(read_manifest(out).files)
    others = []
    for folder, dirs, names in os.walk(out):
        dirs[:] = sorted(d for d in dirs if d != STATE_DIR)
        others += [rel for name in sorted(names) if (rel := (Path(folder) / name).relative_to(out).as_posix()) not in recorded]
    if others:
        typer.secho(f"left {files(len(others))} quizgen has no record of writing (yours, or written before quizgen kept "
                    f"a manifest in {out / STATE_DIR}): {_some(others)}", err=True, fg=typer.colors.YELLOW)


def interrupted(out: Path) -> NoReturn:
    typer.secho(f"interrupted: nothing of this run was written; {out} is as the previous run left it",
                err=True, fg=typer.colors.RED if sys.stderr.isatty() else None)
    raise typer.Exit(130)
