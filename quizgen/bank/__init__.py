"""Question banks: loading, validation and seeded sampling of templates."""

from .model import Bank, Template, load_bank, resolve_bank_path
from .sample import Sampled, sample_template

__all__ = ["Bank", "Sampled", "Template", "load_bank", "resolve_bank_path", "sample_template"]
