"""Answers written as literals, read without running any code.

The answer cells of multiple-choice, multi-select and classification questions are
assignments of literal values (``anarchy_answer = "b"``). Reading such a cell with
``ast.literal_eval`` gives exactly the value running it would, and cannot execute
anything. So when every code cell of a notebook is of that kind, the grader reads the
answers directly and starts no sandbox, just as no kernel is needed to read a markdown
answer. Anything else, even one ``import``, goes to the sandbox as usual.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from autograder.sandbox_child import plain


def literal_answers(sources: Iterable[str]) -> dict[str, object] | None:
    """The names the cells assign, if every statement assigns a literal to a name; else None."""
    namespace: dict[str, object] = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return None  # the sandbox reports the error as the kernel would
        for statement in tree.body:
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                continue  # a bare string or number: a note, no effect
            if not (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
            ):
                return None
            try:
                namespace[statement.targets[0].id] = ast.literal_eval(statement.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return None
    return namespace


def encoded(values: dict[str, object], names: Iterable[str]) -> dict[str, object]:
    """The values of ``names`` encoded as the sandbox encodes them, so both paths grade alike."""
    return {name: plain(values[name]) for name in names if name in values}
