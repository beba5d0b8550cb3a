"""Write an exam's worksheets and answer keys: HTML and PDF files, per student and combined.

Layout of the output directory::

    students/<id>.html  students/<id>.pdf    one worksheet per student
    keys/<id>.html      keys/<id>.pdf        the answer key of that student's variant
    class.pdf           keys.pdf             every worksheet / every key, in roster order
    answers.csv         answers.pdf          with the PDFs, the class answer grid: student, variant code, each answer

With ``--shard i/n`` only the i-th slice of the roster is rendered and the combined files are
``class-i-of-n.pdf`` / ``keys-i-of-n.pdf`` (and ``answers-i-of-n.*``), so the shards of a batch job never overwrite each
other and print in shard order.
"""

from __future__ import annotations

__all__ = ["check_pdf_fonts", "render_outputs"]

import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import write_bytes_atomic, write_text_atomic
from ..cores import usable_cores
from ..errors import QuizgenError
from ..exam import Exam, Variant
from .answers import AnswerGrid, answers_csv, answers_html, grid_answers
from .documents import PAPERS, DocumentSet, Target, compile_templates, key_html, student_html, views_for
from .pdf import CJK_TEXT, MissingFontError, MissingFontWarning, check_writable, cjk_font_missing, merge_pdfs, pdf_bytes, render_pdfs
from .shared import share_work, spare_processes
from .slicing import Shard, parse_shard, safe_names

if TYPE_CHECKING:
    from ..solver import ModelSolution
    from ..spec import NetworkSpec

RENDERED_FORMATS = frozenset({"html", "pdf"})


_cores = usable_cores  # a module name of its own: tests set it


def _needs_cjk(exam: Exam, lang: str) -> bool:
    if lang == "zh":
        return True
    texts: Iterable[str] = (exam.title, exam.course, *(v.student_name for v in exam.variants))
    return any(CJK_TEXT.search(text) for text in texts)


def check_pdf_fonts(exam: Exam, lang: str, *, allow_missing_font: bool = False) -> None:
    """Refuse (MissingFontError) to make PDFs whose Chinese text would print as empty boxes;
    with ``allow_missing_font`` only warn (MissingFontWarning)."""
    if _needs_cjk(exam, lang) and (problem := cjk_font_missing()):
        if not allow_missing_font:
            raise MissingFontError(f"{problem}; or pass --allow-missing-font to write them anyway")
        warnings.warn(problem, MissingFontWarning, stacklevel=3)


def render_outputs(exam: Exam, out_dir: Path, formats: set[str] | frozenset[str], *, jobs: int | None, shard: str | Shard | None,
                   paper: str = "a4", progress: Callable[[int, int], None] | None = None, duplex: bool = True,
                   allow_missing_font: bool = False, solved: Mapping[int, tuple[NetworkSpec, ModelSolution]] | None = None,
                   alongside: Callable[[], None] | None = None) -> list[str]:
    """Render the formats among {"html", "pdf"} in ``formats`` (others belong to other writers) and
    return the paths written, in a stable order.

    ``duplex``: the combined class and key PDFs give every student an even page count (blank
    pages added), for double-sided printing. Without a Chinese font, PDFs with Chinese text are
    refused before anything is written, unless ``allow_missing_font``. ``solved``: solutions the caller
    already has, by ``id`` of the exam's spec objects (`generate` solved every network it drew).
    ``alongside``: other work of the caller's (`generate` writes key.json), done in this process while
    helper processes render HTML pages, or first when there are none."""
    wanted = set(formats) & RENDERED_FORMATS
    if not wanted:
        return []
    if paper not in PAPERS:
        raise QuizgenError(f"paper must be one of {', '.join(PAPERS)}, got {paper!r}")
    if jobs is not None and jobs < 1:
        raise QuizgenError(f"jobs must be at least 1, got {jobs}")
    part = shard if isinstance(shard, Shard) or shard is None else parse_shard(shard)
    out_dir = Path(out_dir)
    docs = DocumentSet(exam, exam.lang if exam.lang in ("en", "zh") else "en", paper, dict(solved or {}))
    if "pdf" in wanted:
        check_pdf_fonts(exam, docs.lang, allow_missing_font=allow_missing_font)
    # Names come from the whole roster so a student's files are named the same in every shard.
    names = safe_names([v.student_id for v in exam.variants])
    positions = part.slice(len(exam.variants)) if part is not None else range(len(exam.variants))
    written: list[str] = []
    students = [(out_dir / "students" / f"{names[p]}.pdf", f"{exam.variants[p].student_id} {exam.variants[p].student_name}".strip())
                for p in positions]
    keys = [(out_dir / "keys" / f"{names[p]}.pdf", label) for p, (_, label) in zip(positions, students, strict=True)]
    grid_rows: list[tuple[Variant, dict[str, str]]] = []
    if students:  # a folder nobody may write is named now, not after the first documents are built and rendered
        for folder in (out_dir, out_dir / "students", out_dir / "keys"):
            check_writable(folder)

    def documents() -> Iterator[tuple[str, Path]]:
        """Per student: its views once, the HTML files, then the PDF jobs. Lazy, so a large class is
        never in memory as HTML and the workers render while the next student's pages are built."""
        for position, (student_pdf, _), (key_pdf, _) in zip(positions, students, keys, strict=True):
            variant = exam.variants[position]
            views = views_for(docs, variant)
            grid_rows.append((variant, grid_answers(views)))
            if "html" in wanted:
                for folder, build in (("students", student_html), ("keys", key_html)):
                    path = out_dir / folder / f"{names[position]}.html"
                    write_text_atomic(path, build(docs, variant, views, Target.HTML))
                    written.append(str(path))
            if "pdf" in wanted:
                yield student_html(docs, variant, views, Target.PDF), student_pdf
                yield key_html(docs, variant, views, Target.PDF), key_pdf

    if "pdf" not in wanted:
        def pages(start: int, stop: int) -> None:
            for position in positions[start:stop]:
                variant = exam.variants[position]
                views = views_for(docs, variant)
                for folder, build in (("students", student_html), ("keys", key_html)):
                    write_text_atomic(out_dir / folder / f"{names[position]}.html", build(docs, variant, views, Target.HTML))

        # HTML alone: the pages are shared with forked helpers (render/shared.py): --jobs of them, or
        # without --jobs all cores when one is idle.
        compile_templates()
        share_work(len(positions), pages, processes=jobs or spare_processes(_cores()), alongside=alongside)
        return [str(out_dir / folder / f"{names[p]}.html") for p in positions for folder in ("students", "keys")]
    if alongside is not None:
        alongside()
    suffix = part.suffix if part is not None else ""
    if not students:
        return written
    total = 2 * len(students)
    render_pdfs(documents(), total, jobs or _cores(), None if progress is None else (lambda done: progress(done, total)))
    for parts, combined in ((students, out_dir / f"class{suffix}.pdf"), (keys, out_dir / f"keys{suffix}.pdf")):
        merge_pdfs(parts, combined, duplex=duplex)
    written += [str(p) for p, _ in students] + [str(p) for p, _ in keys]
    written += [str(out_dir / f"class{suffix}.pdf"), str(out_dir / f"keys{suffix}.pdf")]
    written += _write_grid(exam, AnswerGrid.build(exam, grid_rows), docs, out_dir, suffix)
    return written


def _write_grid(exam: Exam, grid: AnswerGrid, docs: DocumentSet, out_dir: Path, suffix: str) -> list[str]:
    """The class answer grid, printed with the PDFs: answers.pdf (one small document, rendered here) and answers.csv."""
    csv_path = out_dir / f"answers{suffix}.csv"
    write_text_atomic(csv_path, answers_csv(grid))
    pdf_path = out_dir / f"answers{suffix}.pdf"
    write_bytes_atomic(pdf_path, pdf_bytes(answers_html(exam, grid, docs.lang, PAPERS[docs.paper])))
    return [str(csv_path), str(pdf_path)]
