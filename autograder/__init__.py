"""Balancing's autograder: scores exercise notebooks against rubrics and hidden tests."""

__version__ = "0.1.0"
