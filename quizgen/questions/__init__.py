"""Question kinds: from a sampled template to a Question with answer, solution and mistakes."""

from .build import build_question, shuffle_choice

__all__ = ["build_question", "shuffle_choice"]
