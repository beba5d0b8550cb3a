"""Practice mode: an interactive drill in the terminal and self-checking offline HTML pages.

``DrillSession`` draws and grades questions (``drill``), ``run_drill`` runs it on a terminal
(``terminal``), ``Scheduler`` brings back the kinds a student gets wrong (``schedule``) and
``write_practice_pages`` writes one self-checking page per exam variant (``html``, ``seal``).
"""

from __future__ import annotations

__all__ = ["DrillSession", "Scheduler", "run_drill", "write_practice_pages"]

from .drill import DrillSession
from .schedule import Scheduler
from .terminal import run_drill


def __getattr__(name: str) -> object:
    # The page writer pulls in the worksheet renderer; the drill should not pay for it.
    if name == "write_practice_pages":
        from .html import write_practice_pages

        return write_practice_pages
    raise AttributeError(name)
