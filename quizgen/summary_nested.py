"""The nested view of a network built from blocks, like torchinfo's ``summary(depth=...)``.

Each block use (and each ``repeat:`` group) is a row whose children are indented below it
("├─", "│    └─"); ``depth`` limits how deep rows are shown, and a block shown folded carries
the sum of what it holds, while an unfolded one shows "--" (its rows carry the counts).
Row labels read ``Type (name): depth-index`` as torchinfo's with its var_names setting.
"""

from __future__ import annotations

__all__ = ["format_nested", "format_nested_markdown"]

from dataclasses import dataclass, field

from .i18n import Lang, t
from .solver import LayerSolution, ModelSolution
from .summary import _pad, _totals, _width, layer_steps, shape_text


@dataclass
class _Node:
    name: str
    type: str
    layer: LayerSolution | None = None  # None for a block (container)
    children: list[_Node] = field(default_factory=list)

    def layers(self) -> list[LayerSolution]:
        if self.layer is not None:
            return [self.layer]
        return [item for child in self.children for item in child.layers()]


def _tree(solution: ModelSolution) -> list[_Node]:
    roots: list[_Node] = []
    open_path: list[_Node] = []  # the containers of the previous layer, outermost first
    for layer in solution.layers:
        keep = 0
        while keep < min(len(open_path), len(layer.within)) and open_path[keep].name == layer.within[keep][0]:
            keep += 1
        del open_path[keep:]
        for name, block in layer.within[keep:]:
            node = _Node(name, block)
            (open_path[-1].children if open_path else roots).append(node)
            open_path.append(node)
        (open_path[-1].children if open_path else roots).append(_Node(layer.name, layer.type, layer))
    return roots


def _rows(solution: ModelSolution, lang: Lang, depth: int, explain: bool = False) -> list[tuple[str, str, str, str]]:
    framework = solution.spec.framework
    rows: list[tuple[str, str, str, str]] = []
    counters: dict[int, int] = {}  # torchinfo numbers the rows of each depth through the whole model

    def walk(nodes: list[_Node], level: int, prefix: str, parent: str) -> None:
        for index, node in enumerate(nodes, start=1):
            last = index == len(nodes)
            branch = prefix + ("└─" if last else "├─")
            # The name within its parent, as named_modules() builds it: branch2.0, not 0.
            short = node.name[len(parent) + 1:] if parent and node.name.startswith(parent + ".") else node.name
            counters[level] = counters.get(level, 0) + 1
            label = f"{branch}{node.type} ({short}): {level}-{counters[level]}"
            layers = node.layers()
            shape = shape_text(layers[-1].output_shape, framework)
            folded = node.layer is None and level >= depth
            if node.layer is not None or folded:
                params = f"{sum(item.params for item in layers):,}"
                counts = [item.macs for item in layers]
                macs = "" if any(c is None for c in counts) else f"{sum(c for c in counts if c is not None):,}"
            else:
                params, macs = "--", "--"
            rows.append((label, shape, params, macs))
            if explain and node.layer is not None:
                indent = prefix + ("     " if last else "│    ")
                rows.extend((f"{indent}    {step}", "", "", "") for step in layer_steps(node.layer, lang))
            if node.layer is None and not folded:
                walk(node.children, level + 1, prefix + ("     " if last else "│    "), node.name)

    walk(_tree(solution), 1, "", "")
    return rows


def format_nested(solution: ModelSolution, lang: Lang = Lang.EN, depth: int = 3, *, explain: bool = False) -> str:
    """The nested view; with ``explain``, each shown layer's worked steps under its row."""
    header = (t("layer_depth", lang), t("output_shape", lang), t("params", lang), t("macs", lang))
    rows = _rows(solution, lang, depth, explain)
    widths = [max(_width(r[i]) for r in [header, *rows] if r[1]) + 2 for i in range(4)]  # steps rows run on freely
    rule = "=" * sum(widths)
    lines = [rule, "".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip(), rule]
    lines.extend(row[0] if not row[1] else "".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)
    lines.append(rule)
    lines.extend(_totals(solution, lang))
    lines.append(rule)
    return "\n".join(lines)


def format_nested_markdown(solution: ModelSolution, lang: Lang = Lang.EN, depth: int = 3) -> str:
    header = (t("layer_depth", lang), t("output_shape", lang), t("params", lang), t("macs", lang))
    lines = ["| " + " | ".join(header) + " |", "|---|---|--:|--:|"]
    for label, shape, params, macs in _rows(solution, lang, depth):
        # Markdown collapses runs of spaces: the tree's indentation uses non-breaking ones.
        cut = label.index("─") + 1
        cells = (label[:cut].replace(" ", "\u00a0") + label[cut:], shape, params, macs)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines.append("")
    lines.extend(f"- {line}" for line in _totals(solution, lang))
    return "\n".join(lines).rstrip() + "\n"
