"""Notebook files: the normalised form of exercise sources."""
