"""Mistakes of recurrent layers (gates, recurrent weights, bias conventions, stacking, directions)."""
