"""Layer kinds of this family (being written)."""
