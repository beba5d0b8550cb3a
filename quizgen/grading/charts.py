"""Small inline SVG charts for the report: no script, no external files, same bytes every run."""

from __future__ import annotations

__all__ = ["VERDICT_COLORS", "histogram", "horizontal_bars", "stacked_bar"]

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

VERDICT_COLORS = {
    "correct": "#2e7d32",
    "mistake": "#e65100",
    "wrong": "#c62828",
    "unparseable": "#6a1b9a",
    "blank": "#9e9e9e",
}
_FONT = 'font-family="system-ui, \'Noto Sans CJK SC\', sans-serif" font-size="12"'


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def histogram(counts: Sequence[int], labels: Sequence[str], title: str, *, width: int = 640, height: int = 220) -> Markup:
    """Vertical bars, one per bin, each labelled with its count."""
    left, bottom, top = 36, 34, 18
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max(counts, default=0) or 1
    slot = plot_w / max(len(counts), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}" {_FONT}>',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" stroke="#555"/>']
    for i, (count, label) in enumerate(zip(counts, labels, strict=True)):
        h = plot_h * count / peak
        x = left + i * slot + slot * 0.1
        y = top + plot_h - h
        parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(slot * 0.8)}" height="{_n(h)}" fill="#1565c0"><title>{escape(label)}: '
                     f'{count}</title></rect>')
        parts.append(f'<text x="{_n(x + slot * 0.4)}" y="{_n(y - 4)}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{_n(x + slot * 0.4)}" y="{height - bottom + 16}" text-anchor="middle" fill="#333">{escape(label)}</text>')
    parts.append(f'<text x="4" y="{top + plot_h / 2:.0f}" transform="rotate(-90 10 {top + plot_h / 2:.0f})" text-anchor="middle" '
                 f'fill="#555">{escape(title)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every text in parts went through escape()


def _percent(count: int, total: int) -> str:
    """A share in whole percent that never reads 0% for some, nor 100% for not all (1 of 215: <1%)."""
    share = count / total if total else 0.0
    if count > 0 and round(100 * share) == 0:
        return "<1%"
    if count < total and round(100 * share) == 100:
        return ">99%"
    return f"{share:.0%}"


def horizontal_bars(items: Sequence[tuple[str, int]], *, total: int, width: int = 520, color: str = "#e65100") -> Markup:
    """One labelled bar per item (label, count); the bar length is the share of ``total``."""
    row, label_w = 22, 230
    height = row * len(items) + 4
    bar_w = width - label_w - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" {_FONT}>']
    for i, (label, count) in enumerate(items):
        y = 2 + i * row
        share = count / total if total else 0.0
        shown = label if len(label) <= 34 else label[:33] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end"><title>{escape(label)}</title>{escape(shown)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{_n(max(bar_w * share, 1))}" height="{row - 6}" fill="{color}"/>')
        parts.append(f'<text x="{_n(label_w + max(bar_w * share, 1) + 6)}" y="{y + 15}">{count} ({escape(_percent(count, total))})</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every text in parts went through escape()


def stacked_bar(counts: Sequence[tuple[str, int]], *, width: int = 240, height: int = 14,
                labels: Mapping[str, str] | None = None) -> Markup:
    """One bar split by verdict, colored like the feedback pages; each part's tooltip names its verdict
    by ``labels`` (the verdict itself without)."""
    total = sum(c for _, c in counts) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    x = 0.0
    for verdict, count in counts:
        if not count:
            continue
        w = width * count / total
        parts.append(f'<rect x="{_n(x)}" y="0" width="{_n(w)}" height="{height}" fill="{VERDICT_COLORS.get(verdict, "#777")}">'
                     f'<title>{escape((labels or {}).get(verdict, verdict))}: {count}</title></rect>')
        x += w
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 -- every text in parts went through escape()
