"""The "Connected to" column of a Keras graph's summary table: worksheets, keys and practice pages.

Keras 3 prints it for functional models (``stem[0][0], conv_b[0][0]`` for a merge); the tables a
student fills show it as given, next to the blank shape and parameter cells. Chains and PyTorch
networks keep their three-column tables. The oracle test reads the column from real Keras.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import yaml

from quizgen.bank import load_bank
from quizgen.exam import Exam
from quizgen.generate import generate_exam
from quizgen.practice.html import practice_page
from quizgen.render import DocumentSet, Target, key_html, student_html, views_for
from quizgen.roster import Student
from quizgen.solver import solve
from quizgen.spec import parse_spec
from quizgen.summary import connections

RESIDUAL: dict[str, Any] = {  # residual-and-attention's residual-summary, one draw
    "framework": "keras",
    "input_shape": [8, 8, 3],
    "layers": [
        {"Conv2D": {"filters": 4, "kernel_size": 3, "padding": "same", "activation": "relu"}, "name": "stem"},
        {"Conv2D": {"filters": 4, "kernel_size": 3, "padding": "same", "activation": "relu"}, "name": "conv_a"},
        {"Conv2D": {"filters": 4, "kernel_size": 3, "padding": "same"}, "name": "conv_b"},
        {"Add": {}, "name": "add", "inputs": ["stem", "conv_b"]},
        {"GlobalAveragePooling2D": {}, "name": "pool"},
        {"Dense": {"units": 10}, "name": "head"},
    ],
}
# Keras 3's own "Connected to" cells for RESIDUAL (model.summary() with the Input named "input")
RESIDUAL_CONNECTED = ["input[0][0]", "stem[0][0]", "conv_a[0][0]", "stem[0][0], conv_b[0][0]", "add[0][0]", "pool[0][0]"]
# Three branches from the input, concatenated; a Dense merged with the input it reads
INCEPTION: dict[str, Any] = {
    "framework": "keras",
    "input_shape": [16],
    "layers": [
        {"Dense": {"units": 4}, "name": "a", "inputs": ["input"]},
        {"Dense": {"units": 5}, "name": "b", "inputs": ["input"]},
        {"Dense": {"units": 6}, "name": "c", "inputs": ["b"]},
        {"Concatenate": {}, "name": "cat", "inputs": ["a", "input", "c"]},
        {"Dense": {"units": 3}, "name": "out"},
    ],
}
CHAIN: dict[str, Any] = {"framework": "keras", "input_shape": [28, 28, 1],
                         "layers": [{"Conv2D": {"filters": 8, "kernel_size": 3}}, {"Flatten": {}}, {"Dense": {"units": 10}}]}
TORCH_GRAPH: dict[str, Any] = {
    "framework": "pytorch",
    "input_shape": [3, 8, 8],
    "layers": [
        {"Conv2d": {"out_channels": 4, "kernel_size": 3, "padding": 1}, "name": "stem"},
        {"Conv2d": {"out_channels": 4, "kernel_size": 3, "padding": 1}, "name": "conv_b"},
        {"torch.add": {}, "name": "add", "inputs": ["stem", "conv_b"]},
    ],
}
NETWORKS = {"residual": RESIDUAL, "inception": INCEPTION, "chain": CHAIN, "torch-graph": TORCH_GRAPH}


def _exam(tmp_path: Path, lang: str = "en") -> Exam:
    questions = [{"id": name, "kind": "summary", "points": 4, "network": network} for name, network in NETWORKS.items()]
    bank = tmp_path / "bank.yaml"
    bank.write_text(yaml.safe_dump({"title": "Summaries", "questions": questions}), encoding="utf-8")
    exam, _ = generate_exam([load_bank(bank)], 1, [Student("S001", "Ada")], lang=lang)
    return exam


def _tables(html: str) -> dict[str, str]:
    """Question id (its section's position in NETWORKS) -> its summary table."""
    sections = re.findall(r'<section class="question[^"]*"[^>]*>(.*?)</section>', html, flags=re.S)
    assert len(sections) == len(NETWORKS)
    tables = {}
    for name, section in zip(NETWORKS, sections, strict=True):
        found = re.search(r'<table class="summary.*?</table>', section, flags=re.S)
        assert found is not None, name
        tables[name] = found.group(0)
    return tables


def _connected_cells(table: str) -> list[str]:
    return [unescape(cell) for cell in re.findall(r'<td class="mono connected">(.*?)</td>', table, flags=re.S)]


def _documents(exam: Exam, lang: str) -> dict[str, str]:
    docs = DocumentSet(exam, lang)
    variant = exam.variants[0]
    views = views_for(docs, variant)
    return {"student": student_html(docs, variant, views), "student-print": student_html(docs, variant, views, Target.PDF),
            "key": key_html(docs, variant, views), "practice": practice_page(exam, variant)}


@pytest.mark.parametrize("lang, title", [("en", "Connected to"), ("zh", "连接到")])
def test_keras_graph_tables_show_connected_to_as_keras_prints_it(tmp_path: Path, lang: str, title: str) -> None:
    exam = _exam(tmp_path, lang)
    for kind, html in _documents(exam, lang).items():
        tables = _tables(html)
        for name in ("residual", "inception"):
            assert f"<th>{title}</th>" in tables[name], (kind, name)
        assert _connected_cells(tables["residual"]) == RESIDUAL_CONNECTED, kind
        assert _connected_cells(tables["inception"]) == ["input[0][0]", "input[0][0]", "b[0][0]",
                                                         "a[0][0], input[0][0], c[0][0]", "cat[0][0]"], kind


def test_chain_and_pytorch_tables_keep_three_columns(tmp_path: Path) -> None:
    exam = _exam(tmp_path)
    for kind, html in _documents(exam, "en").items():
        tables = _tables(html)
        for name in ("chain", "torch-graph"):
            assert "Connected to" not in tables[name] and "connected" not in tables[name], (kind, name)
            assert tables[name].count("<th>") == 3, (kind, name)


def test_connected_to_gives_no_answer_away(tmp_path: Path) -> None:
    """A cell names tensors only: no shape, no count the student is asked for."""
    exam = _exam(tmp_path)
    tables = _tables(_documents(exam, "en")["student"])
    for name in ("residual", "inception"):
        for cell in _connected_cells(tables[name]):
            assert re.fullmatch(r"[A-Za-z_][\w.]*\[\d+\]\[0\](, [A-Za-z_][\w.]*\[\d+\]\[0\])*", cell), cell
        # the blank cells stay blank: two per row, none filled
        rows = re.findall(r"<tr>(.*?)</tr>", tables[name].split("<tbody>")[1], flags=re.S)
        assert rows and all(row.count('<td class="blank"></td>') == 2 for row in rows)


def test_connected_to_is_shared_with_solve() -> None:
    """One source for the column: `quizgen solve`'s table prints the same cells."""
    from quizgen.summary import format_table

    solution = solve(parse_spec(RESIDUAL))
    links = connections(solution)
    assert links is not None and [", ".join(refs) for refs in links] == RESIDUAL_CONNECTED
    table = format_table(solution)
    assert "stem[0][0], conv_b[0][0]" in table
    assert connections(solve(parse_spec(CHAIN))) is None and connections(solve(parse_spec(TORCH_GRAPH))) is None


def _keras_connected(network: dict[str, Any]) -> dict[str, str]:
    """Layer name -> the "Connected to" cell of real Keras' model.summary() for the same network."""
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    tensors: dict[str, Any] = {"input": keras.Input(shape=tuple(network["input_shape"]), name="input")}
    previous = "input"
    for entry in network["layers"]:
        name = entry["name"]
        ((type_name, kwargs),) = ((k, v) for k, v in entry.items() if k not in ("name", "inputs"))
        layer = getattr(keras.layers, type_name)(name=name, **kwargs)
        refs = entry.get("inputs", [previous])
        tensors[name] = layer([tensors[r] for r in refs]) if len(refs) > 1 else layer(tensors[refs[0]])
        previous = name
    model = keras.Model(tensors["input"], tensors[previous])
    lines: list[str] = []
    model.summary(line_length=250, print_fn=lambda text, **_: lines.extend(text.splitlines()))
    cells = {}
    for line in lines:
        parts = [p.strip() for p in line.strip("│").split("│")]
        if len(parts) == 4 and (found := re.fullmatch(r"(\S+) \(\w+\)", parts[0])):
            cells[found.group(1)] = parts[3]
    return cells


@pytest.mark.oracle
@pytest.mark.parametrize("network", [RESIDUAL, INCEPTION], ids=["residual", "inception"])
def test_connected_to_matches_real_keras(network: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # rich crops the table to the terminal's width, 80 without one
    expected = _keras_connected(network)
    solution = solve(parse_spec(network))
    links = connections(solution)
    assert links is not None
    assert expected.pop("input") == "-"  # Keras' InputLayer row (quizgen's tables start at the first layer)
    assert {layer.name: ", ".join(refs) for layer, refs in zip(solution.layers, links, strict=True)} == expected


def test_print_fit_counts_the_lines_a_long_merge_wraps_to(tmp_path: Path) -> None:
    """A printed question's height estimate (render/fit.py) grows with a "Connected to" cell that wraps."""
    from dataclasses import replace

    from quizgen.render.fit import _answer_height

    exam = _exam(tmp_path)
    view = views_for(DocumentSet(exam, "en"), exam.variants[0])[0]
    assert view.space.connected == tuple(RESIDUAL_CONNECTED)
    long_merge = replace(view.space, connected=(*view.space.connected[:-1], ", ".join(f"block.branch{i}_bn[0][0]" for i in range(4))))
    assert _answer_height(replace(view, space=long_merge)) >= _answer_height(view) + 3 * 11


@pytest.mark.parametrize("fmt", ["moodle", "qti"])
def test_lms_summary_tables_give_connected_to_for_keras_graphs_only(tmp_path: Path, fmt: str) -> None:
    import io
    import zipfile

    from quizgen.lms import LmsFormat, export_exam

    exam = _exam(tmp_path)
    data = export_exam(exam, LmsFormat(fmt), lang="en")
    if fmt == "qti":
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            data = b"".join(package.read(name) for name in package.namelist() if name.endswith(".xml"))
    text = unescape(unescape(data.decode()))  # the question HTML is escaped inside the XML
    tables = re.findall(r"<table.*?</table>", text, flags=re.S)
    by_kind = {name: [tb for tb in tables if row in tb] for name, row in
               (("residual", "conv_a (Conv2D)"), ("inception", "cat (Concatenate)"), ("chain", "(Flatten)"), ("torch-graph", "(Conv2d)"))}
    residual, inception = by_kind["residual"], by_kind["inception"]
    assert residual and all("<th>Connected to</th>" in tb and "<td>stem[0][0], conv_b[0][0]</td>" in tb for tb in residual)
    assert inception and all("<td>a[0][0], input[0][0], c[0][0]</td>" in tb for tb in inception)
    for name in ("chain", "torch-graph"):
        assert by_kind[name] and not any("Connected to" in tb for tb in by_kind[name]), name


# Two inputs of different sizes through one shared convolution, pooled and added: Keras prints the shared
# layer once (its weights once, every call under "Connected to", the last call's output shape).
SHARED: dict[str, Any] = {
    "framework": "keras",
    "inputs": {"small": [8, 8, 3], "large": [16, 16, 3]},
    "layers": [
        {"Conv2D": {"filters": 4, "kernel_size": 3}, "name": "shared", "inputs": ["small"]},
        {"shares": "shared", "name": "shared_large", "inputs": ["large"]},
        {"GlobalAveragePooling2D": {}, "name": "pool_small", "inputs": ["shared"]},
        {"GlobalAveragePooling2D": {}, "name": "pool_large", "inputs": ["shared_large"]},
        {"Add": {}, "name": "add", "inputs": ["pool_small", "pool_large"]},
        {"Dense": {"units": 3}, "name": "head"},
    ],
}


def _keras_rows(network: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(layer (type), output shape, params, connected to) of each row of real Keras' model.summary()."""
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    tensors = {name: keras.Input(shape=tuple(shape), name=name) for name, shape in network["inputs"].items()}
    owners: dict[str, Any] = {}
    previous = ""
    for entry in network["layers"]:
        name = entry["name"]
        if "shares" in entry:
            layer = owners[entry["shares"]]
        else:
            ((type_name, kwargs),) = ((k, v) for k, v in entry.items() if k not in ("name", "inputs"))
            layer = owners[name] = getattr(keras.layers, type_name)(name=name, **kwargs)
        refs = entry.get("inputs", [previous])
        tensors[name] = layer([tensors[r] for r in refs]) if len(refs) > 1 else layer(tensors[refs[0]])
        previous = name
    model = keras.Model([tensors[name] for name in network["inputs"]], tensors[previous])
    lines: list[str] = []
    model.summary(line_length=250, print_fn=lambda text, **_: lines.extend(text.splitlines()))
    rows = []
    for line in lines:
        parts = [p.strip() for p in line.strip("│").split("│")]
        if len(parts) == 4 and re.fullmatch(r"\S+ \(\w+\)", parts[0]):
            rows.append((parts[0], parts[1], parts[2], parts[3]))
    return rows


@pytest.mark.oracle
def test_solve_prints_a_shared_layer_once_as_real_keras_does(monkeypatch: pytest.MonkeyPatch) -> None:
    from quizgen.summary import format_table

    monkeypatch.setenv("COLUMNS", "250")
    expected = _keras_rows(SHARED)
    table = format_table(solve(parse_spec(SHARED)))
    ours = []
    for line in table.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) == 5 and re.fullmatch(r"\S+ \(\w+\)", cells[0]) and cells[0] != "Layer (type)":
            ours.append((cells[0], cells[1], cells[2].replace(",", ""), cells[4]))  # without quizgen's MACs column
    assert ours == [(layer, shape, params.replace(",", ""), connected) for layer, shape, params, connected in expected]
    assert [row[0] for row in ours].count("shared (Conv2D)") == 1 and "shared_large" not in table
