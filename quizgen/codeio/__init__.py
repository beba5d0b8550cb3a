"""Model source code as a second input form: read it into a network spec, write a spec as code.

``read_model_code`` reads Keras ``Sequential`` models and PyTorch ``nn.Sequential`` /
``nn.Module`` code statically (with :mod:`ast`; the code is never run); ``write_model_code``
writes idiomatic code for a spec that reads back to the same spec.
"""

from __future__ import annotations

__all__ = ["ReadModel", "read_model_code", "write_model_code"]

from quizgen.codeio.reader import ReadModel, read_model_code
from quizgen.codeio.writer import write_model_code
