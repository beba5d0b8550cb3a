from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/oracle.py, tests/strategies.py


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _skip_pdf_tests_without_weasyprint(items)
    # Oracle tests need torch and keras; without them they skip (CI installs both, so they run there).
    try:
        import keras  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        skip = pytest.mark.skip(reason="torch/keras not installed (pip install -e '.[test,oracle]')")
        for item in items:
            if "oracle" in item.keywords:
                item.add_marker(skip)


def _skip_pdf_tests_without_weasyprint(items: list[pytest.Item]) -> None:
    # A machine without the README's apt-get packages skips the PDF tests, naming them; CI (which
    # installs them through .ci/run) runs them, so a missing package there fails instead of hiding.
    if os.environ.get("CI") or not any(item.get_closest_marker("pdf") for item in items):
        return
    from system import pdf_problem

    if problem := pdf_problem():
        skip = pytest.mark.skip(reason=problem)
        for item in items:
            if item.get_closest_marker("pdf"):
                item.add_marker(skip)
