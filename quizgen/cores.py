"""How many processes a run may use: the cores this process may run on, whether a core is spare, and
whether forking is safe here (render/shared.py and lms/halves.py fork helpers on these rules)."""

from __future__ import annotations

__all__ = ["can_fork", "spare_processes", "usable_cores"]

import os
import sys
import threading


def usable_cores() -> int:
    """Cores this process may use (a container or `taskset` may allow fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def can_fork() -> bool:
    # macOS may crash a forked child that touches system frameworks; a process with threads may
    # fork while another thread holds a lock the child then waits for forever.
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def spare_processes(cores: int) -> int:
    """How many processes to use when the user did not say (no --jobs): ``cores`` when the last minute
    left at least one of them idle (1-minute load average at most cores - 0.5), else 1. On a machine
    kept busy by others a helper would only wait for a core, and the pages its fork copies cost CPU
    time; the files are the same bytes either way."""
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average on this system: trust the cores
        return cores
    return cores if busy <= cores - 0.5 else 1
