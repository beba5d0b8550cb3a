"""HTML to PDF with WeasyPrint: worker processes, combined class files, the CJK font check.

Rendering is CPU-bound layout in Python, so documents go to a pool of processes (one
FontConfiguration each, reused for every document it renders). The forkserver start
method keeps workers clean: no half-initialised font library state is copied from a parent
that has already rendered. PDFs carry no creation date and no random file identifier, so the
same HTML gives the same bytes.
"""

from __future__ import annotations

__all__ = ["MissingFontError", "MissingFontWarning", "check_writable", "cjk_font_missing", "merge_pdfs", "render_pdfs"]

import multiprocessing
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from ..atomic import write_bytes_atomic
from ..errors import QuizgenError

# Families fontconfig may know for Simplified Chinese; the first is what Debian's fonts-noto-cjk installs.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
                "Droid Sans Fallback", "Microsoft YaHei", "PingFang SC")
CJK_TEXT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


class MissingFontWarning(UserWarning):
    """Chinese (or other CJK) text is rendered without a font that has its glyphs (only when allowed)."""


class MissingFontError(QuizgenError):
    """Chinese (or other CJK) text would be rendered without a font: PDFs of empty boxes, refused."""


_font_config: Any = None


def _init_worker() -> None:
    global _font_config
    from weasyprint.text.fonts import FontConfiguration

    _font_config = FontConfiguration()


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # Worksheets are self-contained; nothing in one may make the renderer touch the network or the disk.
    raise ValueError(f"quizgen worksheets load no external resources (asked for {url[:80]!r})")


def pdf_bytes(html: str) -> bytes:
    """One document. No metadata dates are given and no PDF identifier is requested: the same
    HTML gives the same bytes."""
    import weasyprint

    if _font_config is None:
        _init_worker()
    document = weasyprint.HTML(string=html, url_fetcher=_no_fetch).render(font_config=_font_config)
    data: bytes = document.write_pdf()
    return data


def _render_one(job: tuple[str, str]) -> str:
    html, path = job
    write_bytes_atomic(Path(path), pdf_bytes(html))
    return path


def _context() -> multiprocessing.context.BaseContext:
    if sys.platform != "win32" and "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has WeasyPrint imported already, not re-import it each.
        context.set_forkserver_preload([__name__, "weasyprint"])
        return context
    return multiprocessing.get_context("spawn")


def check_writable(folder: Path) -> None:
    """Fail in this process, at once, when a folder cannot be written: otherwise the error would
    surface only after the worker processes have started and rendered, from inside a worker."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".quizgen-probe-")  # a unique name: nobody else's file
    except PermissionError as error:
        raise PermissionError(error.errno, error.strerror, str(folder)) from None
    os.close(fd)
    Path(probe).unlink()


def render_pdfs(jobs: Iterable[tuple[str, Path]], total: int, processes: int, progress: Callable[[int], None] | None = None) -> None:
    """Write each (html, path) as a PDF, with up to ``processes`` worker processes.

    ``jobs`` is consumed lazily and at most a few documents per worker wait in the queue, so
    the HTML of a large class is never all in memory, and workers never wait for the main
    process to write the next document's HTML.
    """
    processes = max(1, min(processes, total))
    done = 0
    checked: set[Path] = set()
    if processes == 1:
        for html, path in jobs:
            if path.parent not in checked:
                check_writable(path.parent)
                checked.add(path.parent)
            _render_one((html, str(path)))
            done += 1
            if progress is not None:
                progress(done)
        return
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    window = 4 * processes
    pending: set[Future[str]] = set()
    with ProcessPoolExecutor(max_workers=processes, mp_context=_context(), initializer=_init_worker) as pool:
        try:
            for html, path in jobs:
                if path.parent not in checked:
                    check_writable(path.parent)
                    checked.add(path.parent)
                pending.add(pool.submit(_render_one, (html, str(path))))
                if len(pending) < window:
                    continue
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    future.result()  # a worker's exception is raised here, not lost
                    done += 1
                    if progress is not None:
                        progress(done)
            for future in pending:
                future.result()
                done += 1
                if progress is not None:
                    progress(done)
        except BrokenProcessPool as error:
            pool.shutdown(wait=True, cancel_futures=True)
            raise QuizgenError(f"a PDF worker process stopped unexpectedly ({error}); try again with --jobs 1") from None
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # the documents still queued are not rendered for nothing
            raise


def merge_pdfs(parts: Sequence[tuple[Path, str]], target: Path, *, duplex: bool = True) -> None:
    """Concatenate PDFs (each with a bookmark ``label``) into ``target``, deterministically.

    ``duplex``: a part with an odd page count is followed by a blank page, so printed on both
    sides every part starts on a fresh sheet (never on the back of the previous one's last page).
    """
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for path, label in parts:
        writer.append(str(path), outline_item=label)
        if duplex and len(writer.pages) % 2:
            box = writer.pages[-1].mediabox
            writer.add_blank_page(width=float(box.width), height=float(box.height))
    # pypdf's own producer string; no dates and no /ID are written, so the bytes are reproducible.
    writer.add_metadata({"/Producer": "quizgen"})
    buffer = io.BytesIO()
    writer.write(buffer)
    write_bytes_atomic(target, buffer.getvalue())


@cache
def _matched_family(family: str) -> str | None:
    """The family fontconfig actually picks for ``family`` (it always picks something)."""
    from weasyprint.text.ffi import ffi, fontconfig

    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", family.encode())
        fontconfig.FcConfigSubstitute(ffi.NULL, pattern, fontconfig.FcMatchPattern)
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fontconfig.FcFontMatch(ffi.NULL, pattern, result)
        if match == ffi.NULL:
            return None
        try:
            value = ffi.new("FcChar8 **")
            if fontconfig.FcPatternGetString(match, b"family", 0, value) != fontconfig.FcResultMatch:
                return None
            return str(ffi.string(value[0]).decode("utf-8", "replace"))
        finally:
            fontconfig.FcPatternDestroy(match)
    finally:
        fontconfig.FcPatternDestroy(pattern)


def cjk_font_missing() -> str | None:
    """None if a Chinese font is installed, else the warning to give (naming the package to install)."""
    try:
        found = any((_matched_family(f) or "").lower() == f.lower() for f in CJK_FAMILIES)
    except (ImportError, AttributeError, OSError) as error:  # WeasyPrint internals moved: say so rather than guess
        return f"could not check for a Chinese font ({error}); Chinese text may print as empty boxes"
    if found:
        return None
    return (f"no Chinese font found (looked for {', '.join(CJK_FAMILIES[:3])}, ...): Chinese text in the PDFs "
            "would print as empty boxes; install the package fonts-noto-cjk (apt-get install fonts-noto-cjk; "
            "elsewhere Noto Sans CJK SC)")
