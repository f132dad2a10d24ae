"""Runs an instructor's test cell against a student's answers, in the grader's own process.

The answers arrive from the sandbox as plain JSON and are rebuilt here into plain Python
values (no student code, no objects with behaviour), so the trusted test code sees data
only. Scoring follows nbgrader's rules: an exception scores zero; a last expression that
is a number scores that number (partial credit); otherwise the cell earns full points.
Failures in the public part show their message; failures in the hidden part say only
that a hidden test failed.
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass

HIDDEN = re.compile(r"^### BEGIN HIDDEN TESTS\n(.*?)^### END HIDDEN TESTS\n?", re.M | re.S)


@dataclass(frozen=True)
class Unsupported:
    """An answer of a type that cannot cross the sandbox boundary (a function, a module...)."""

    type_name: str

    def __repr__(self) -> str:
        return f"<a {self.type_name}, which cannot be graded>"


def _hashable(value: object) -> object:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, set):
        return frozenset(value)
    if isinstance(value, dict):
        return tuple(sorted(value.items(), key=repr))
    return value


def rebuild(value: object) -> object:
    """The Python value that ``sandbox_child.plain`` encoded."""
    if isinstance(value, list):
        return [rebuild(v) for v in value]
    if isinstance(value, dict):
        if "__set__" in value:
            return {_hashable(rebuild(v)) for v in value["__set__"]}
        if "__dict__" in value:
            return {_hashable(rebuild(k)): rebuild(v) for k, v in value["__dict__"]}
        if "__float__" in value:
            return float(value["__float__"])
        if "__unsupported__" in value:
            return Unsupported(str(value["__unsupported__"]))
        return {k: rebuild(v) for k, v in value.items()}
    return value


def free_names(source: str) -> set[str]:
    """Names a test cell reads but does not define: the answer variables it needs."""
    tree = ast.parse(HIDDEN.sub(lambda m: m.group(1), source))
    assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    assigned |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.Lambda | ast.FunctionDef) for a in n.args.args}
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return loaded - assigned - set(dir(builtins))


@dataclass(frozen=True)
class TestOutcome:
    points: float
    max_points: float
    message: str


def _run(source: str, namespace: dict[str, object]) -> object:
    """Execute ``source``; return the value of its last expression, if it ends in one."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<test>", "exec"), namespace)  # noqa: S102 - the instructor's test, on plain data
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<test>", "eval"), namespace)  # noqa: S307 - same


def run_test(source: str, answers: dict[str, object], max_points: float) -> TestOutcome:
    """Score one test cell (the instructor's version, hidden tests included) against ``answers``."""
    needed = free_names(source)
    missing = sorted(needed - set(answers))
    if missing:
        return TestOutcome(0.0, max_points, f"no answer: {', '.join(missing)} is not defined")
    namespace: dict[str, object] = {"__builtins__": builtins, **{n: answers[n] for n in needed}}
    match = HIDDEN.search(source)
    public = HIDDEN.sub("", source)
    try:
        value = _run(public, namespace)
    except AssertionError as error:
        return TestOutcome(0.0, max_points, f"a public test failed: {error}" if str(error) else "a public test failed")
    except Exception as error:
        return TestOutcome(0.0, max_points, f"a public test failed: {type(error).__name__}: {error}"[:300])
    if match:
        try:
            value = _run(match.group(1), namespace)
        except Exception:
            return TestOutcome(0.0, max_points, "a hidden test failed")
    if isinstance(value, int | float) and not isinstance(value, bool):
        points = min(max(float(value), 0.0), max_points)
        return TestOutcome(points, max_points, "partly right" if points < max_points else "all tests passed")
    return TestOutcome(max_points, max_points, "all tests passed")
