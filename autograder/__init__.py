"""Balancing's autograder: scores exercise notebooks against rubrics and hidden tests."""

import sys

__version__ = "0.1.0"

# jsonschema, which nbformat imports, loads the optional package rfc3987-syntax (installed with
# Jupyter) for its "iri" format check, and that package compiles a Lark grammar as it is imported:
# 1.1 to 1.7 s added to every command here, half of a student's `autograder check`. No schema
# validated in these processes (nbformat's notebook schema) uses that format, so the import is
# declined; jsonschema treats the package as absent. A process that imported it first keeps it.
sys.modules.setdefault("rfc3987_syntax", None)
