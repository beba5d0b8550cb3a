"""Practice pages driven for real in headless Chromium: type answers, read the verdicts.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON
messages ending in NUL on file descriptors 3 and 4), so the test needs no websocket client,
no Playwright and no network port. Skipped, saying why, when no Chromium is installed
(Debian: apt-get install chromium).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from system import missing
from test_practice_drill import practice_exam
from test_practice_html import page_data

from quizgen.bank import load_bank
from quizgen.exam import DECIMAL_KINDS, Exam, Question, QuestionKind
from quizgen.generate import generate_exam
from quizgen.practice.boxes import canon_decimal
from quizgen.practice.html import write_practice_pages
from quizgen.practice.seal import canon_count, canon_formula, canon_shape, canon_values, tag
from quizgen.resources import banks_dir
from quizgen.roster import numbered_students
from quizgen.summary import shape_text

pytestmark = pytest.mark.browser

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)
TIMEOUT = 30.0


def _high(fd: int) -> int:
    """A copy of ``fd`` numbered 100 or more: moving it onto 3 or 4 in the child can then never
    overwrite the other pipe end (os.pipe() itself may return 3 or 4)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100)
    os.close(fd)
    return high


class Browser:
    """A minimal DevTools client over Chromium's debugging pipe."""

    def __init__(self, binary: str) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        to_chrome_r, from_chrome_w = _high(to_chrome_r), _high(from_chrome_w)
        self._profile = tempfile.TemporaryDirectory()

        def wire() -> None:  # in the child: the pipe ends go to the descriptors Chromium expects
            os.dup2(to_chrome_r, 3)  # dup2 clears close-on-exec on the copy
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", "--no-default-browser-check", "--remote-debugging-pipe",
             f"--user-data-dir={self._profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, close_fds=False,  # fds 3 and 4 are set up in the child, nothing else is inherited
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._id = 0
        self.session: str | None = None

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = True) -> dict[str, Any]:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            while b"\0" not in self._buffer:
                left = deadline - time.monotonic()
                ready, _, _ = select.select([self._from_chrome], [], [], max(0.0, left))
                if not ready:
                    raise TimeoutError(f"no answer to {method}")
                chunk = os.read(self._from_chrome, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the debugging pipe")
                self._buffer += chunk
            raw, _, self._buffer = self._buffer.partition(b"\0")
            reply = json.loads(raw)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        self.send("Page.navigate", {"url": url})
        self.wait_for("document.readyState === 'complete' && !!window.quizgenPractice")

    def eval(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str) -> Any:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            value = self.eval(expression)
            if value:
                return value
            time.sleep(0.05)
        raise TimeoutError(expression)

    def type_answer(self, box: str, text: str) -> tuple[str, str]:
        """Type into a box like a person (focus, keystrokes, Enter); return (verdict, explanation text)."""
        form = f"document.querySelector('form[data-box={json.dumps(box)}]')"
        # The last verdict is cleared first, so that waiting for one cannot read the previous answer's.
        self.eval(f"(() => {{ {form}.querySelector('output').dataset.verdict = ''; const i = {form}.querySelector('input');"
                  " i.value = ''; i.focus(); })()")
        self.send("Input.insertText", {"text": text})
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13,
                                                 **({"text": "\r"} if kind == "keyDown" else {})})
        self.wait_for(f"{form}.querySelector('output').dataset.verdict !== '' && !{form}.dataset.checking")
        return self.eval(f"[{form}.querySelector('output').dataset.verdict, {form}.querySelector('.explanation').innerText]")

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close", session=False)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        self._profile.cleanup()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        missing("Chromium is not installed; the practice page is tested in a real browser", "chromium")
    b = Browser(CHROMIUM)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def exam(tmp_path_factory: pytest.TempPathFactory) -> Exam:
    return practice_exam(tmp_path_factory.mktemp("bank"))


@pytest.fixture(scope="module")
def page(browser: Browser, exam: Exam, tmp_path_factory: pytest.TempPathFactory) -> Browser:
    (path,) = write_practice_pages(exam, tmp_path_factory.mktemp("out"))
    browser.open(Path(path).resolve().as_uri())
    return browser


def test_file_pages_are_a_secure_context(page: Browser) -> None:
    # crypto.subtle exists only in secure contexts; Chromium counts file:// as one.
    assert page.eval("window.isSecureContext && !!crypto.subtle") is True
    assert page.eval("document.getElementById('no-crypto').hidden") is True


# (box, typed, verdict, text the explanation shows). The practice bank's questions, in order:
# q1 conv-params 18207 · q2 keras-shape · q3 torch-shape · q4 size · q5 kernel-two · q6 formula · q7 choice
# · q8 dense-macs · q9 summary (one box per cell)
CASES = [
    ("q1", "18207", "correct", "63·(3·3·32 + 1) = 18207"),  # the worked solution, unsealed by the right answer
    ("q1", "18,144", "mistake", "you left out the bias terms"),
    ("q1", "18144", "mistake", "forgot_bias"),
    ("q1", "１８２０７", "correct", ""),  # full-width digits
    ("q1", "18 207", "correct", ""),
    ("q1", "18_207 params", "correct", ""),
    ("q1", "63*(3*3*32+1)", "correct", ""),
    ("q1", "63×(3×3×32 + 1)", "correct", ""),
    ("q1", "12", "wrong", "not a mistake quizgen knows"),
    ("q1", "a lot", "unparseable", "expected a whole number"),
    ("q1", "", "blank", "Type an answer first"),
    ("q2", "(None, 26, 26, 32)", "correct", ""),
    ("q2", "26x26x32", "correct", ""),
    ("q2", "[26, 26, 32]", "correct", ""),
    ("q2", "(None, 32, 26, 26)", "mistake", "channels-last"),
    ("q2", "(None, 25, 25, 32)", "mistake", "the first window also counts"),
    ("q2", "(None, 26, 26", "unparseable", "expected a shape"),
    ("q3", "torch.Size([8, 15, 15])", "correct", ""),
    ("q3", "[1, 8, 15, 15]", "correct", ""),  # a batch entry is allowed
    ("q3", "8@15x15", "correct", ""),
    ("q3", "[8, 30, 30]", "mistake", "with stride 2"),
    ("q3", "[8, 15]", "wrong", "3 dimensions expected"),
    ("q4", "12", "correct", ""),
    ("q4", "24", "mistake", "with stride 2"),
    ("q5", "3, 4", "correct", "kernel_size ∈ {3, 4}"),
    ("q5", "{4, 3}", "correct", ""),
    ("q5", "kernel_size = 3 or 4", "correct", ""),
    ("q5", "3", "wrong", "3 fits, but it is not the only value"),
    ("q5", "5", "wrong", "not a mistake quizgen knows"),
    ("q6", "C_out*(K_h*K_w*C_in+1)", "correct", ""),
    ("q6", "c_in c_out k_h k_w + c_out", "correct", ""),  # equivalent, case-insensitive, implicit products
    ("q6", "C_out·(K_h·K_w + 1)", "mistake", "each filter spans all 32 input channels"),
    ("q6", "C_out(K^2 C_in + 1)", "correct", ""),  # the prompt: "The kernel is square: you may write K for K_h = K_w"
    ("q6", "C_out(F^2 C_in + 1)", "unparseable", "unknown name F"),
    ("q7", "18207", "correct", ""),  # the option's value
    ("q7", "Z", "unparseable", "expected one of A-D"),
    ("q8", "1024000", "correct", ""),
    ("q8", "2,048,000", "mistake", "FLOPs = 2·MACs"),
    ("q9-0-shape", "(None, 26, 26, 32)", "correct", ""),
    ("q9-1-shape", "21632", "correct", ""),
    ("q9-0-params", "288", "mistake", "bias"),
    ("q9-2-params", "216330", "correct", ""),
    ("q9-total", "216650", "correct", ""),
]


@pytest.mark.parametrize(("box", "typed", "verdict", "shown"), CASES)
def test_typed_answers(page: Browser, box: str, typed: str, verdict: str, shown: str) -> None:
    got, explanation = page.type_answer(box, typed)
    assert got == verdict, explanation
    assert shown in explanation


def test_choice_by_letter(page: Browser, exam: Exam) -> None:
    choice = next(q for q in exam.variants[0].questions if q.kind is QuestionKind.CHOICE)
    options = list(choice.details["options"])
    verdict, explanation = page.type_answer("q7", "ABCD"[choice.answer].lower())
    assert (verdict, explanation) == ("correct", "parameters: C_out·(K_h·K_w·C_in + 1) = 63·(3·3·32 + 1) = 18207")
    verdict, explanation = page.type_answer("q7", f"({'ABCD'[options.index(18144)]})")
    assert verdict == "mistake" and "bias" in explanation


def test_progress_and_worked_solution(page: Browser) -> None:
    page.type_answer("q4", "12")
    page.type_answer("q8", "1024000")
    assert int(page.eval("document.getElementById('progress-count').textContent")) >= 2
    # Offered once the student has tried, then shown on request.
    assert page.eval("document.querySelector('#q4 button.reveal').hidden") is False
    page.eval("document.querySelector('#q4 button.reveal').click()")
    steps = page.wait_for("(() => { const s = document.querySelector('#q4 ol.revealed-solution'); return !s.hidden && s.innerText; })()")
    assert "H_out = ⌊(H_in − D_h·(K_h − 1) − 1)/S_h⌋ + 1" in steps and "= 12" in steps


def test_hints(page: Browser) -> None:
    page.eval("document.querySelector('#q4 details.hint-box').open = true")
    assert "H_out = ⌊(H_in − D_h·(K_h − 1) − 1)/S_h⌋ + 1" in page.eval("document.querySelector('#q4 details.hint-box').innerText")
    # q1's hint would be its parameter formula, which is q6's answer: the page leaves it out.
    assert page.eval("document.querySelector('#q1 details.hint-box')") is None


def _typed_forms(q: Question, value: Any, kind: str) -> list[str]:
    """How quizgen itself writes a value (worksheet, key, explanations): the page must read it back."""
    if kind == "count":
        return [str(value), f"{value:,}"]
    if kind == "shape":
        return [shape_text(tuple(value), q.spec.framework)]
    if kind == "choice":
        return ["ABCDEFGH"[value]]
    if kind == "values":
        return [", ".join(map(str, value))]
    return [str(value)]


def _python_canon(value: Any, box: dict[str, Any]) -> str | None:
    kind = box["kind"]
    if kind == "count":
        return canon_count(value)
    if kind == "shape":
        return canon_shape(value, box["dims"])
    if kind == "choice":
        return str(value)
    if kind == "values":
        return canon_values(value)
    return canon_formula(str(value), box["symbols"], box["probes"])


def test_every_answer_and_mistake_of_the_shipped_banks_reads_back(browser: Browser, tmp_path: Path) -> None:
    """The script's canonical form of each value, as quizgen writes it, is the one seal.py hashed."""
    banks = [load_bank(path) for path in sorted(banks_dir().glob("*.yaml"))]
    exam = generate_exam(banks, 5, numbered_students(1))[0]
    (path,) = write_practice_pages(exam, tmp_path)
    data = page_data(Path(path).read_text(encoding="utf-8"))
    cases: list[tuple[str, str, str, str]] = []  # (box, typed, "answer" | "mistake", canonical form in Python)
    for number, q in enumerate(exam.variants[0].questions, start=1):
        base = f"q{number}"
        if q.kind is QuestionKind.SUMMARY:
            cells = [(f"{base}-{i}-shape", f"{i}.shape", row["output_shape"]) for i, row in enumerate(q.answer["rows"])]
            cells += [(f"{base}-{i}-params", f"{i}.params", row["params"]) for i, row in enumerate(q.answer["rows"])]
            cells.append((f"{base}-total", "total_params", q.answer["total_params"]))
        elif q.kind in DECIMAL_KINDS:
            # Read on the box's grid (boxes.canon_decimal), with and without the unit; the verdicts are
            # test_practice_decimals' (the same tags the grader's rule gives).
            box = data["boxes"][base]
            unit = str(q.details.get("unit", ""))
            values = [("answer", q.answer)] + [("mistake", m.value) for m in q.mistakes if not m.cell and isinstance(m.value, (int, float))]
            for what, value in values:
                canon = canon_decimal(Fraction(str(value)), box["digits"])
                cases += [(base, text, what, canon) for text in (str(value), f"{value} {unit}".strip(), f"{value}{unit}")]
            cases += [(base, "1,234.5678 %", "answer", canon_decimal(Fraction("1234.5678"), box["digits"])),
                      (base, "-0.05×", "answer", canon_decimal(Fraction("-0.05"), box["digits"])),
                      (base, "(3 + 1.5) KiB", "answer", canon_decimal(Fraction("4.5"), box["digits"]))]
            continue
        else:
            cells = [(base, "", q.answer)]
        for box_id, cell, answer in cells:
            box = data["boxes"][box_id]
            expected = _python_canon(answer, box)
            assert expected is not None and tag(data["salt"], box_id, expected) in box["answer"], box_id
            cases += [(box_id, text, "answer", expected) for text in _typed_forms(q, answer, box["kind"])]
            for m in q.mistakes:
                value = q.details["options"].index(m.value) if box["kind"] == "choice" else m.value
                if m.cell != cell or (canon := _python_canon(value, box)) is None:
                    continue  # not stored: a formula in names the question does not give (the grader cannot read it either)
                assert tag(data["salt"], box_id, canon) in box["mistakes"] or canon == expected, (box_id, m.value)
                cases += [(box_id, text, "mistake", canon) for text in _typed_forms(q, value, box["kind"])]
    previous = browser.session  # the other tests' page stays open in its own tab
    try:
        browser.open(Path(path).resolve().as_uri())
        read = browser.eval(f"{json.dumps([c[:2] for c in cases])}.map(([box, text]) => window.quizgenPractice.canonical(box, text))")
    finally:
        browser.session = previous
    for (box_id, text, _what, expected), result in zip(cases, read, strict=True):
        assert result.get("value") == expected, (box_id, text, result)
    assert sum(c[2] == "answer" for c in cases) > 100 and sum(c[2] == "mistake" for c in cases) > 500


# Unreadable answers typed into a Chinese page: (box, typed). Every detail the page adds to the
# format it expected is Chinese as well (issue: "应为形状…(dimension 'by' is not a whole number or None)").
UNREADABLE_ZH = [
    ("q1", "a lot"), ("q1", "5/0"), ("q1", "3 +"), ("q1", "(3+1"), ("q1", "3 )"), ("q1", "2^(1/2)"), ("q1", "2^99999"),
    ("q1", "12 = 13"), ("q1", "="), ("q1", "12#"), ("q1", "(" * 45 + "1" + ")" * 45), ("q1", "9" * 201),
    ("q2", "(None, 26, 26"), ("q2", "26 by 26 by 32"), ("q2", "26x26x"), ("q5", "3, x"), ("q6", "C_out(F^2 C_in + 1)"),
    ("q6", "C_out*(K_h*K_w*C_in+1"), ("q7", "Z"), ("q9-0-params", "12 13"),
]


@pytest.fixture(scope="module")
def page_urls(exam: Exam, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The practice page in English and in Chinese (the other tests share one browser: each of these opens its own)."""
    zh_exam = practice_exam(tmp_path_factory.mktemp("bank-zh"), lang="zh")
    urls = {}
    for lang, made in (("en", exam), ("zh", zh_exam)):
        (path,) = write_practice_pages(made, tmp_path_factory.mktemp(f"out-{lang}"))
        urls[lang] = Path(path).resolve().as_uri()
    return urls


def _on(browser: Browser, url: str) -> Browser:
    if browser.session is None or browser.eval("location.href") != url:
        browser.open(url)
    return browser


@pytest.mark.parametrize(("box", "typed"), UNREADABLE_ZH)
def test_a_chinese_page_explains_unreadable_answers_in_chinese(browser: Browser, page_urls: dict[str, str], box: str,
                                                               typed: str) -> None:
    verdict, explanation = _on(browser, page_urls["zh"]).type_answer(box, typed)
    assert verdict == "unparseable", explanation
    # What is left once the student's quoted text and the formula's names are taken out: no English word.
    rest = re.sub(r"'[^']*'|\b(?:C_in|C_out|K_h|K_w|None|HxWxC|C@HxW)\b", " ", explanation)  # HxWxC: notation
    assert re.findall(r"[A-Za-z]{2,}", rest) == [], explanation
    assert re.search(r"[\u4e00-\u9fff]", explanation), explanation


def test_an_english_page_keeps_its_words(browser: Browser, page_urls: dict[str, str]) -> None:
    page = _on(browser, page_urls["en"])
    assert page.type_answer("q1", "5/0")[1] == "expected a whole number or an arithmetic expression like 2*(3*3+1) (division by zero)"
    assert page.type_answer("q2", "26 by 26 by 32")[1].endswith("(dimension 'by' is not a whole number or None)")
    assert page.type_answer("q9-0-params", "12 13")[1].endswith("(unexpected 'number')")


def test_a_memory_answer_is_checked_by_typing_it(browser: Browser, tmp_path: Path) -> None:
    """Memory and ratio boxes said "This box cannot check itself"; typed like a student they now get the grader's verdict."""
    exam = generate_exam([load_bank("memory")], 3, numbered_students(1))[0]
    (path,) = write_practice_pages(exam, tmp_path)
    number, q = next((n, q) for n, q in enumerate(exam.variants[0].questions, start=1)
                     if q.kind in DECIMAL_KINDS and any(not m.cell for m in q.mistakes))
    mistake = next(m for m in q.mistakes if not m.cell and isinstance(m.value, (int, float)))
    previous = browser.session
    try:
        browser.open(Path(path).resolve().as_uri())
        verdict, shown = browser.type_answer(f"q{number}", f"{q.answer} {q.details.get('unit', '')}")
        assert verdict == "correct" and q.solution["en"][-1] in shown, shown
        verdict, shown = browser.type_answer(f"q{number}", str(mistake.value))
        assert verdict == "mistake" and mistake.codes[0] in shown, (mistake.value, shown)
        verdict, shown = browser.type_answer(f"q{number}", "a lot")
        assert verdict == "unparseable" and "expected a number like 1.5" in shown, shown
    finally:
        browser.session = previous
