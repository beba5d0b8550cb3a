"""What the tests need from the system, and what a test does when it is missing.

The Debian packages are the README's set-up line, which `.ci/run` installs (test_setup checks
that the three agree). On a developer's machine a missing package skips the tests that need
it, naming the package; in CI (``CI=true``), where `.ci/run` has installed everything, a
missing package is a failure, so nothing is skipped there unnoticed.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

APT_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core", "fonts-noto-cjk",
                "poppler-utils", "chromium")


def missing(what: str, package: str) -> NoReturn:
    reason = f"{what} (Debian: apt-get install {package}; .ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def require_cjk_font() -> None:
    from quizgen.render import pdf as pdf_module

    if message := pdf_module.cjk_font_missing():
        missing(message, "fonts-noto-cjk")


def require_weasyprint() -> None:
    """WeasyPrint's Python package is installed with quizgen; its Pango libraries come from the system."""
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        missing(f"WeasyPrint cannot load its system libraries: {error}", "libpango-1.0-0 libpangoft2-1.0-0")


def pdf_problem() -> str | None:
    """Why WeasyPrint cannot make PDFs here (its Pango libraries or any font missing), or None."""
    import warnings

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import weasyprint.text.fonts  # noqa: F401 - checks FontConfig's fonts when first imported
    except OSError as error:
        return f"WeasyPrint cannot load its system libraries: {error} (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
    for warning in caught:
        if "FontConfig" in str(warning.message):
            return f"WeasyPrint: {warning.message} (Debian: apt-get install fonts-dejavu-core)"
    return None
