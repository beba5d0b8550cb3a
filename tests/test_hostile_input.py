"""Small hostile files must fail fast with one line: alias bombs, huge values, huge domains, deep nesting.

Each case runs the real CLI (`bank check`, `solve`) in a forked child of one warm driver
process, under an address-space limit and an alarm, so a regression shows up as a failed
test (MemoryError, timeout, traceback) instead of a machine out of memory. The child
measures its own time and peak memory; `test_figures` prints them (`-s`) for the record.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quizgen.bank import expr, load_bank

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc/self/status").exists(),
                                reason="measures forked children through /proc (Linux)")

SECONDS = 1.0  # every hostile case must be refused within this
MEMORY_MB = 200  # and grow the process by less than this


def _bank(params: str = "", where: str = "", course: str = "", input_shape: str = "[$h, $h, 1]", layer_arg: str = "") -> str:
    return (f"title: t\n{course}questions:\n  - id: q\n    kind: params\n    params:\n      h: {{choice: [8, 16]}}\n{params}{where}"
            f"    network:\n      framework: keras\n      input_shape: {input_shape}\n      layers:\n"
            f"        - Conv2D: {{filters: 4, kernel_size: 3{layer_arg}}}\n    layer: 0\n")


# Nine levels of ten aliases: 10**9 values from a few hundred bytes.
LAUGHS = "[" + ",".join(["&c0 [1,1,1,1,1,1,1,1,1,1]"] + [f"&c{i + 1} [" + ",".join([f"*c{i}"] * 10) + "]" for i in range(8)]) + "]"
DEEP = "[" * 10_000 + "]" * 10_000


def _nested_time_distributed(depth: int) -> str:
    shape = ", ".join(["2"] * (depth + 1))
    return (f"framework: keras\ninput_shape: [{shape}, 8]\nlayers:\n  - "
            + "TimeDistributed: {layer: {" * depth + "Dense: {units: 3}" + "}}" * depth + "\n")


SPEC_LAUGHS = ("framework: keras\ninput_shape: [28, 28, 1]\nlayers:\n  - Flatten: {}\n"
               "  - Dense: {units: 10, name: &l0 [1,1,1,1,1,1,1,1,1,1]}\n"
               + "".join(f"  - Dense: {{units: 10, name: &l{i + 1} [" + ",".join([f"*l{i}"] * 10) + "]}\n" for i in range(8)))

# name -> (command, file name, file text, what the one line must say)
CASES: dict[str, tuple[str, str, str, str]] = {
    # item 5: alias bombs wherever a bank or spec takes a value
    "aliases in choice": ("bank check", "b.yaml", _bank(params=f"      z: {{choice: {LAUGHS}}}\n"), "line 7: YAML aliases (*c2) expand"),
    "aliases in course": ("bank check", "b.yaml", _bank(course=f"course: {LAUGHS}\n"), "line 2: YAML aliases (*c2) expand"),
    "aliases in input_shape": ("bank check", "b.yaml", _bank(input_shape=f"[$h, $h, 1, {LAUGHS}]"), "line 9: YAML aliases"),
    "aliases in a layer argument": ("bank check", "b.yaml", _bank(layer_arg=f", padding: {LAUGHS}"), "line 11: YAML aliases"),
    "aliases in a spec": ("solve", "s.yaml", SPEC_LAUGHS, "line 8: YAML aliases (*l2) expand"),
    "aliases in a JSON spec": ("solve", "s.json", SPEC_LAUGHS, "line 8: YAML aliases"),
    # item 6: expressions that build huge values
    "list times 10**9": ("bank check", "b.yaml", _bank(params='      z: {expr: "[0] * 10**9"}\n'),
                         "line 7: question q: params: z: '[0] * 10**9' fails: a text or list of more than 10,000 items is too large"),
    "text times 10**10": ("bank check", "b.yaml", _bank(params="      z: {expr: \"'a' * 10**10\"}\n"), "'a' * 10**10\" fails"),
    "text times 10**8": ("bank check", "b.yaml", _bank(params="      z: {expr: \"'ab' * 10**8\"}\n"), "too large"),
    "where over a huge text": ("bank check", "b.yaml",
                               _bank(params="      z: {expr: \"'ab' * 10**7\"}\n", where="    where: [\"'x' not in z\"]\n"), "too large"),
    "text formatting": ("bank check", "b.yaml", _bank(params="      z: {expr: \"'%0999999999d' % h\"}\n"),
                        "% needs integers, got str and int"),
    "exact division of text": ("bank check", "b.yaml", _bank(params="      z: {expr: \"'%0999999999d' / h\"}\n"),
                               "/ needs integers, got str and int"),
    "integer growth": ("bank check", "b.yaml", _bank(params="".join(
        f'      z{i}: {{expr: "{f"z{i - 1} * z{i - 1}" if i else "1000000**64"}"}}\n' for i in range(30))), "4096 bits is too large"),
    # item 7: parity and power domains are counted before they are listed
    "odd up to 10**12": ("bank check", "b.yaml", _bank(params="      z: {odd: [0, 1000000000000]}\n"), "line 7: question q: params: z: odd has more than"),
    "even up to 10**12": ("bank check", "b.yaml", _bank(params="      z: {even: [0, 1000000000000]}\n"), "even has more than"),
    "pow2 up to 10**4000": ("bank check", "b.yaml", _bank(params=f"      z: {{pow2: [1, 1{'0' * 4000}]}}\n"), "pow2 has more than"),
    "integer of 5000 digits": ("bank check", "b.yaml", _bank(params=f"      z: {{range: [1, {'9' * 5000}]}}\n"), "line 7: integer of 5000 digits"),
    # item 8: deep nesting
    "10,000-deep list in a bank": ("bank check", "b.yaml", _bank(params=f"      z: {{choice: {DEEP}}}\n"), "line 7: nested more than 64 levels"),
    "10,000-deep list in a spec": ("solve", "s.yaml", f"framework: keras\ninput_shape: {DEEP}\nlayers: [Flatten]\n", "line 2: nested more than 64"),
    "10,000-deep list in a JSON spec": ("solve", "s.json", f'{{"framework": "keras", "input_shape": {DEEP}, "layers": ["Flatten"]}}',
                                        "line 1: nested more than 64"),
    "TimeDistributed 100 deep": ("solve", "s.yaml", _nested_time_distributed(100), "line 4: nested more than 64 levels"),
    "TimeDistributed 20 deep": ("solve", "s.yaml", _nested_time_distributed(20),
                                "line 4: layer 1 TimeDistributed: layer: wrapped layers nest more than 8 levels deep"),
    # item 13: a failing expression is named with its values and its error
    "division by zero": ("bank check", "b.yaml", _bank(params='      z: {expr: "h // 0"}\n'),
                         "line 7: question q: params: z: 'h // 0' with h=16 fails: integer division or modulo by zero (in every draw"),
    "power tower": ("bank check", "b.yaml", _bank(params='      z: {expr: "10**10**10"}\n'), "params: z: '10**10**10' fails: exponent too large"),
    "negative exponent": ("bank check", "b.yaml", _bank(params='      z: {expr: "2 ** -1"}\n'),
                          "params: z: '2 ** -1' fails: 2 ** -1 is not a whole number (negative exponent)"),
    "number in text": ("bank check", "b.yaml", _bank(where="    where: [\"h in 'abc'\"]\n"),
                       "line 7: question q: where: \"h in 'abc'\" with h=16 fails: wrong type: 'in <string>' requires string"),
}

_DRIVER = r"""
import json, os, resource, signal, sys, time, traceback
from typer.testing import CliRunner
from quizgen.cli import app

def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key + ":"))

for name, argv in json.loads(sys.stdin.read()).items():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        limit = (status("VmSize") + 1_500_000) * 1024  # today's alias bombs and huge lists need gigabytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        signal.alarm(10)  # today's huge odd:/even: domains take minutes
        before = status("VmRSS")
        start = time.perf_counter()
        result = CliRunner().invoke(app, argv)
        seconds = time.perf_counter() - start
        tb = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info and not isinstance(result.exception, SystemExit) else ""
        out = {"seconds": seconds, "exit": result.exit_code, "output": result.output, "traceback": tb[-2000:],
               "peak_mb": status("VmHWM") / 1024, "growth_mb": (status("VmHWM") - before) / 1024}
        os.write(write, json.dumps(out).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, code = os.waitpid(pid, 0)
    print(json.dumps({"name": name, "wait_status": code, **(json.loads(data) if data else {})}), flush=True)
"""


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    folder = tmp_path_factory.mktemp("hostile")
    argvs = {}
    for index, (name, (command, file_name, text, _)) in enumerate(CASES.items()):
        path = folder / f"{index:02d}-{file_name}"
        path.write_text(text, encoding="utf-8")
        argvs[name] = [*command.split(), str(path)]
    run = subprocess.run([sys.executable, "-c", _DRIVER], input=json.dumps(argvs), capture_output=True, text=True,
                         cwd=ROOT, timeout=300, check=False)
    results = {item["name"]: item for item in map(json.loads, run.stdout.splitlines())}
    assert results, run.stderr
    return results


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_file_fails_fast_with_one_line(outcomes: dict[str, dict[str, object]], case: str) -> None:
    outcome = outcomes[case]
    assert outcome["wait_status"] == 0, f"the child died (signal {outcome['wait_status']}): timeout or out of memory"
    assert not outcome["traceback"], outcome["traceback"]
    lines = str(outcome["output"]).strip().splitlines()
    assert outcome["exit"] == 1 and len(lines) == 1, outcome["output"]
    assert lines[0].startswith("error: ") and f"{CASES[case][1]} " in lines[0] and CASES[case][3] in lines[0], lines[0]
    assert float(str(outcome["seconds"])) < SECONDS, outcome
    assert float(str(outcome["growth_mb"])) < MEMORY_MB, outcome


def test_figures(outcomes: dict[str, dict[str, object]]) -> None:
    """The measured figures, printed with -s (the report quotes them)."""
    for name, outcome in outcomes.items():
        print(f"{name:34} {float(str(outcome.get('seconds', 'nan'))):.3f} s  peak {float(str(outcome.get('peak_mb', 'nan'))):.0f} MB  "
              f"growth {float(str(outcome.get('growth_mb', 'nan'))):.1f} MB")
    assert set(outcomes) == set(CASES)


@pytest.mark.parametrize(("spec", "values"), [
    ({"pow2": [2**40, 2**42]}, (2**40, 2**41, 2**42)),  # nothing above 2**39 was offered before
    ({"pow2": [9, 64]}, (16, 32, 64)),
    ({"odd": [-3, 4]}, (-3, -1, 1, 3)),
    ({"even": [1, 6]}, (2, 4, 6)),
])
def test_parity_and_power_domains_list_every_value(tmp_path: Path, spec: dict[str, list[int]], values: tuple[int, ...]) -> None:
    (kind, (low, high)), = spec.items()
    bank = tmp_path / "b.yaml"
    bank.write_text(_bank(params=f"      z: {{{kind}: [{low}, {high}]}}\n"), encoding="utf-8")
    domain = next(p for p in load_bank(bank).templates[0].params if p.name == "z")
    assert getattr(domain, "values", None) == values


@pytest.mark.parametrize(("text", "values", "result"), [
    ("[k, k] * 2", {"k": 3}, [3, 3, 3, 3]),
    ("'ab' * 3 + 'c'", {}, "abababc"),
    ("[0] * 5000 + [1] * 5000", {}, [0] * 5000 + [1] * 5000),
    ("k ** 64", {"k": 10**6}, 10**384),
])
def test_values_within_the_cap_still_work(text: str, values: dict[str, int], result: object) -> None:
    assert expr.compile_expr(text, set(values), "q").evaluate(values) == result


@pytest.mark.parametrize("text", ["[[0] * 100] * 101", "[0] * 10001", "'a' * 5001 + 'b' * 5000", "k - 'a'", "[k] // 2"])
def test_values_beyond_the_cap_or_of_the_wrong_type_fail(text: str) -> None:
    with pytest.raises(expr.ExprError, match=r"fails: .*(too large|needs integers)"):
        expr.compile_expr(text, {"k"}, "q").evaluate({"k": 3})


def test_deeply_nested_key_json_is_one_error(tmp_path: Path) -> None:
    from quizgen.errors import KeyFileError
    from quizgen.exam import load_key

    key = tmp_path / "key.json"
    key.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(KeyFileError, match=r"key\.json: invalid JSON: nested too deeply"):
        load_key(key)
    assert time.perf_counter() - start < SECONDS
