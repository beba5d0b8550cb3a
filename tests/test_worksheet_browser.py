"""Worksheet HTML as a browser lays it out (headless Chromium): code copied from the page is the
model code unchanged, and a line too long for the page continues with a hanging indent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from system import missing
from test_practice_browser import CHROMIUM, Browser
from test_print_layout import LONG_LINES, long_lines_exam

from quizgen.codeio import write_model_code
from quizgen.render.documents import DocumentSet, Target, student_html, views_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    if CHROMIUM is None:
        missing("Chromium is not installed; worksheets are checked in a real browser", "chromium")
    folder = tmp_path_factory.mktemp("worksheet")
    exam = long_lines_exam(folder)
    docs = DocumentSet(exam, "en")
    variant = exam.variants[0]
    path = folder / "S001.html"
    path.write_text(student_html(docs, variant, views_for(docs, variant), Target.HTML), encoding="utf-8")
    browser = Browser(CHROMIUM)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        browser.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        browser.send("Emulation.setDeviceMetricsOverride", {"width": 800, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
        browser.send("Page.navigate", {"url": path.as_uri()})
        browser.wait_for("document.readyState === 'complete'")
        yield browser
    finally:
        browser.close()


def test_code_copied_from_the_page_is_the_model_code(page: Browser) -> None:
    copied = page.eval("document.querySelector('pre.code').innerText")
    assert copied.rstrip("\n") == write_model_code(LONG_LINES).rstrip("\n")


def test_a_wrapped_code_line_continues_with_a_hanging_indent(page: Browser) -> None:
    """Each character of the longest line is measured where the browser put it: those on its second
    visual line must start right of the line's own 8-column indentation, not at column 0."""
    start = "self.residual_block_depthwise_dilated_conv = nn.Conv2d("
    found = page.eval(f"""(() => {{
        const pre = document.querySelector('pre.code');
        const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
        const box = (node, i) => {{ const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                                    return r.getBoundingClientRect(); }};
        let node;
        while ((node = walker.nextNode())) {{
            const at = node.data.indexOf({json.dumps(start)});
            if (at < 0) continue;
            const end = node.data.indexOf('\\n', at) < 0 ? node.data.length : node.data.indexOf('\\n', at);
            const first = box(node, at);
            let left = Infinity, wrapped = false;
            for (let i = at; i < end; i++) {{
                const b = box(node, i);
                if (b.width > 0 && b.top > first.top + first.height / 2) {{ wrapped = true; left = Math.min(left, b.left); }}
            }}
            const style = getComputedStyle(pre);
            const column0 = pre.getBoundingClientRect().left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth);
            return {{wrapped, indent: (left - column0) / first.width, lineIndent: (first.left - column0) / first.width}};
        }}
        return null;
    }})()""")
    assert found is not None, "the long line is not in the page"
    assert found["wrapped"], "at 800 px a 190-column line wraps"
    assert round(found["lineIndent"]) == 8
    assert found["indent"] > 10, f"the continuation starts at column {found['indent']:.1f}: no hanging indent"
