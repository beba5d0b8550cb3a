"""Model source code as a second input form: read it into a network spec, write a spec as code.

``read_model_code`` reads Keras ``Sequential`` models and PyTorch ``nn.Sequential`` /
``nn.Module`` code statically (with :mod:`ast`; the code is never run); ``write_model_code``
writes idiomatic code for a spec that reads back to the same spec.
"""

from __future__ import annotations

__all__ = ["ReadModel", "read_model_code", "write_model_code"]

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

if TYPE_CHECKING:
    from quizgen.codeio.reader import ReadModel, read_model_code
    from quizgen.codeio.writer import write_model_code

# Loaded on first use: worksheets and LMS exports write code for every network but read none, and
# the reader (its interpreter, the framework signatures it checks calls against) is most of this
# package's import time.
_HOMES = {"ReadModel": "reader", "read_model_code": "reader", "write_model_code": "writer"}


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
