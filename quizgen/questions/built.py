"""What building one question kind yields, before it becomes a `Question`."""

from __future__ import annotations

__all__ = ["LANGS", "Built", "Steps"]

from typing import Any

from ..exam import MistakeValue

LANGS = ("en", "zh")

Steps = dict[str, tuple[str, ...]]  # lang -> worked steps
# (answer, expected mistakes, worked steps, kind-specific details for Question.details)
Built = tuple[Any, tuple[MistakeValue, ...], Steps, dict[str, Any]]
