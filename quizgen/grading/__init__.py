"""Grading: parse student answers, compare them with the key, diagnose mistakes."""
