"""Runs an instructor's test cell against a student's answers, in the grader's own process.

The answers arrive from the sandbox as plain JSON and are rebuilt here into plain Python
values (no student code, no objects with behaviour), so the trusted test code sees data
only. A test may also call a function the student wrote: each such call whose arguments
are built from literals and the student's own variables is a *probe*. The grader sends the probe's
text into the sandbox, which evaluates it after the last cell, and the test then sees the
call replaced by the value that came back. The student's process thus learns the
arguments a hidden test passes, never what the test expects.

Scoring follows nbgrader's rules: an exception scores zero; a last expression that is a
number scores that number (partial credit); otherwise the cell earns full points.
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
        if "__series__" in value or "__frame__" in value:
            return _rebuild_pandas(value)
        return {k: rebuild(v) for k, v in value.items()}
    return value


def _rebuild_pandas(value: dict) -> object:
    """A pandas Series or DataFrame from the lists the sandbox sent (data only: no code runs)."""
    import pandas as pd  # only computational questions need it

    try:
        if "__series__" in value:
            index, values, name = (rebuild(part) for part in value["__series__"])
            return pd.Series(values, index=index, name=name)
        index, columns, rows = (rebuild(part) for part in value["__frame__"])
        return pd.DataFrame(rows, index=index, columns=columns)
    except (TypeError, ValueError) as error:
        return Unsupported(f"malformed table ({error})"[:200])


def free_names(source: str) -> set[str]:
    """Names a test cell reads but does not define: the answer variables it needs."""
    tree = ast.parse(HIDDEN.sub(lambda m: m.group(1), source))
    assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    assigned |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.Lambda | ast.FunctionDef) for a in n.args.args}
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return loaded - assigned - set(dir(builtins))


@dataclass(frozen=True)
class ProbeFailure:
    """A probe that raised or timed out in the sandbox; using its value fails the test."""

    message: str


def _is_probe(node: ast.AST, student_names: set[str]) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in student_names):
        return False
    arguments = [*node.args, *(k.value for k in node.keywords)]
    return all(_is_plain_argument(a, student_names) for a in arguments)


def _is_plain_argument(node: ast.AST, student_names: set[str]) -> bool:
    """An argument the sandbox can evaluate by itself: built from literals and the student's own
    names only (``1913``, ``nmc``, ``nmc.drop(columns="cinc")``), never from the test's variables."""
    scoped = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.NamedExpr)
    if any(isinstance(n, scoped) for n in ast.walk(node)):
        return False
    allowed = student_names | set(dir(builtins))
    return all(n.id in allowed for n in ast.walk(node) if isinstance(n, ast.Name))


def probes(source: str) -> list[str]:
    """The calls of student functions a test cell makes, as the text the sandbox evaluates."""
    tree = ast.parse(HIDDEN.sub(lambda m: m.group(1), source))
    student_names = free_names(source)
    return sorted({ast.unparse(n) for n in ast.walk(tree) if _is_probe(n, student_names)})


def answer_names(source: str) -> set[str]:
    """The student's variables a test cell reads outside its probes: the values the sandbox must send.

    A data frame passed only to a student's function (``share(nmc, 1913)``) stays in the sandbox."""
    student_names = free_names(source)
    tree = _ReplaceProbes(student_names, {}, "").visit(ast.parse(HIDDEN.sub(lambda m: m.group(1), source)))
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & student_names


class _ReplaceProbes(ast.NodeTransformer):
    def __init__(self, student_names: set[str], probed: dict[str, object], prefix: str) -> None:
        self.student_names = student_names
        self.probed = probed
        self.prefix = prefix
        self.bindings: dict[str, object] = {}

    def visit_Call(self, node: ast.Call) -> ast.AST:
        if _is_probe(node, self.student_names):
            name = f"__probe_{self.prefix}{len(self.bindings)}"
            self.bindings[name] = self.probed.get(ast.unparse(node), ProbeFailure("it was not evaluated"))
            return ast.copy_location(ast.Name(name, ast.Load()), node)
        return self.generic_visit(node)


class _FailOnProbeFailure(ast.NodeTransformer):
    """``__probe_3`` bound to a ProbeFailure becomes ``__fail(__probe_3)``, which raises its message."""

    def __init__(self, failed: set[str]) -> None:
        self.failed = failed

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.failed:
            call = ast.Call(ast.Name("__fail", ast.Load()), [node], [])
            return ast.copy_location(call, node)
        return node


def _raise_failure(failure: ProbeFailure) -> None:
    raise RuntimeError(failure.message)


@dataclass(frozen=True)
class TestOutcome:
    points: float
    max_points: float
    message: str


def _prepare(
    source: str, student_names: set[str], probed: dict[str, object], part: str
) -> tuple[ast.Module, dict[str, object]]:
    """Parse a part of a test cell with its probes replaced by names bound to their values."""
    replacer = _ReplaceProbes(student_names, probed, part)
    tree = replacer.visit(ast.parse(source))
    failed = {name for name, value in replacer.bindings.items() if isinstance(value, ProbeFailure)}
    tree = _FailOnProbeFailure(failed).visit(tree)
    return ast.fix_missing_locations(tree), {**replacer.bindings, "__fail": _raise_failure}


def _run(tree: ast.Module, namespace: dict[str, object]) -> object:
    """Execute ``tree``; return the value of its last expression, if it ends in one."""
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<test>", "exec"), namespace)  # noqa: S102 - the instructor's test, on plain data
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<test>", "eval"), namespace)  # noqa: S307 - same


def run_test(
    source: str, answers: dict[str, object], max_points: float, probed: dict[str, object] | None = None
) -> TestOutcome:
    """Score one test cell (the instructor's version, hidden tests included) against ``answers``
    and the values of its probes (``probed``, from the sandbox)."""
    student_names = free_names(source)
    match = HIDDEN.search(source)
    public, public_bindings = _prepare(HIDDEN.sub("", source), student_names, probed or {}, "public_")
    hidden, hidden_bindings = _prepare(match.group(1) if match else "", student_names, probed or {}, "hidden_")
    needed = {n.id for tree in (public, hidden) for n in ast.walk(tree) if isinstance(n, ast.Name)} & student_names
    missing = sorted(needed - set(answers))
    if missing:
        return TestOutcome(0.0, max_points, f"no answer: {', '.join(missing)} is not defined")
    namespace: dict[str, object] = {"__builtins__": builtins, **{n: answers[n] for n in needed}}
    namespace |= public_bindings | hidden_bindings
    try:
        value = _run(public, namespace)
    except AssertionError as error:
        return TestOutcome(0.0, max_points, f"a public test failed: {error}" if str(error) else "a public test failed")
    except Exception as error:
        return TestOutcome(0.0, max_points, f"a public test failed: {type(error).__name__}: {error}"[:300])
    if match:
        try:
            value = _run(hidden, namespace)
        except Exception:
            return TestOutcome(0.0, max_points, "a hidden test failed")
    if isinstance(value, int | float) and not isinstance(value, bool):
        points = min(max(float(value), 0.0), max_points)
        return TestOutcome(points, max_points, "partly right" if points < max_points else "all tests passed")
    return TestOutcome(max_points, max_points, "all tests passed")
