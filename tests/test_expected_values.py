"""The computational assignments agree with the values computed independently from the data.

``tests/data/expected_outputs.json`` holds the values of ``shared/book/EXERCISES.md``, computed
by a reference script from the data files. Each computational assignment's instructor solution
(the setup cell and the solution cells, run as the instructor's notebook runs them) must
reproduce them. Its hidden tests already give that solution full marks
(``tests/test_assignments.py``), so the values the hidden tests expect are the reference values.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import COURSE

EXPECTED = json.loads((Path(__file__).parent / "data" / "expected_outputs.json").read_text(encoding="utf-8"))
TOLERANCE = 1e-3  # EXERCISES.md: abs(student - expected) <= 1e-3 unless stated

# (assignment, an expression over the solution's names, the path of its value in EXPECTED)
CHECKS: list[tuple[str, str, tuple[str, ...]]] = [
    ("ch08-cold-war", "list(bloc_cinc(nmc, 1955, NATO_1955))", ("ex8", "nato_1955")),
    ("ch08-cold-war", "list(bloc_cinc(nmc, 1955, WARSAW_PACT))", ("ex8", "warsaw_1955")),
    ("ch08-cold-war", "len(defence_partners(atop, 2, 1948))", ("ex10", "usa_defence_partners", "1948")),
    ("ch08-cold-war", "len(defence_partners(atop, 2, 1949))", ("ex10", "usa_defence_partners", "1949")),
    ("ch08-cold-war", "len(defence_partners(atop, 2, 1955))", ("ex10", "usa_defence_partners", "1955")),
    ("ch08-cold-war", "len(defence_partners(atop, 2, 1990))", ("ex10", "usa_defence_partners", "1990")),
    ("ch08-cold-war", "len(defence_partners(atop, 2, 2018))", ("ex10", "usa_defence_partners", "2018")),
    ("ch08-cold-war", "cinc_order(nmc, 1969, ['CHN', 'RUS', 'USA'])", ("ex10", "order_1969")),
    ("ch08-cold-war", "cinc_order(nmc, 1972, ['CHN', 'RUS', 'USA'])", ("ex10", "order_1972")),
    *[
        (
            "ch07-european-history",
            f"round(float(challenger_share(nmc, majors, 255, range(1871, 1914), {flag})[{year}]), 4)",
            ("ex5", key, str(year)),
        )
        for flag, key in (("False", "all_majors"), ("True", "european_majors"))
        for year in (1871, 1913)
    ],
    (
        "ch07-european-history",
        "int(challenger_share(nmc, majors, 255, range(1871, 1914)).idxmax())",
        ("ex5", "all_majors", "peak_year"),
    ),
    (
        "ch07-european-history",
        "int(challenger_share(nmc, majors, 255, range(1871, 1914), True).idxmax())",
        ("ex5", "european_majors", "peak_year"),
    ),
    (
        "ch07-european-history",
        "peak_and_overtaking(nmc, majors, 255, 200, 1871, 1913, european_only=True)[2]",
        ("ex5", "european_majors", "first_year_GMY_above_UKG"),
    ),
    (
        "ch07-european-history",
        "alliance_onsets(atop, majors, states, 1890, 1914, ('atop_defense', 'atop_consul'))",
        ("ex6", "defense_or_consult"),
    ),
    (
        "ch07-european-history",
        "alliance_onsets(atop, majors, states, 1890, 1914, ('atop_defense',))",
        ("ex6", "defense_only"),
    ),
    (
        "ch07-european-history",
        "pairs_without(alliance_onsets(atop, majors, states, 1890, 1914, ('atop_defense', 'atop_consul')),"
        " ['GMY', 'AUH', 'ITA'])",
        ("ex6", "excluding_triple_alliance"),
    ),
    ("ch10-twenty-first-century", "atop_last_year", ("ex9", "atop_last_year")),
    ("ch10-twenty-first-century", "len(defence_partners(atop, FIN, 2018))", ("ex9", "FIN_2018_defence_partners")),
    ("ch10-twenty-first-century", "len(defence_partners(atop, SWD, 2018))", ("ex9", "SWD_2018_defence_partners")),
    ("ch10-twenty-first-century", "int(USA in defence_partners(atop, FIN, 2018))", ("ex9", "FIN_USA_defence_2018")),
    ("ch10-twenty-first-century", "list(defence_span(atop, FIN, RUS))", ("ex9", "FIN_RUS_defence_span")),
    ("ch10-twenty-first-century", "first_defence_year(atop, SWD)", ("ex9", "SWD_first_defence_year")),
    ("ch10-twenty-first-century", "len(defence_partners(atop, USA, 2018))", ("ex10", "usa_defence_partners", "2018")),
    ("ch11-measuring-power", "len(recomputed_cinc(nmc.drop(columns='cinc'), 1913))", ("ex1", "n_states_1913")),
    (
        "ch11-measuring-power",
        "[[s, round(v, 4)] for s, v in sorted(recomputed_cinc(nmc.drop(columns='cinc'), 1913).items(),"
        " key=lambda item: -item[1])[:3]]",
        ("ex1", "top3_1913"),
    ),
    *[
        (
            "ch11-measuring-power",
            f"{{'N': len(major_shares(nmc, majors, {year})),"
            f" 'CON': ray_singer_con(list(major_shares(nmc, majors, {year}).values())),"
            f" 'N_eff': effective_number(list(major_shares(nmc, majors, {year}).values()))}}",
            ("ex3", str(year)),
        )
        for year in (1816, 1870, 1913, 1938, 1950, 1970, 1989, 2000, 2016)
    ],
    *[
        (
            "ch11-measuring-power",
            f"list(classify_polarity(major_shares(nmc, majors, {year}), {threshold}))",
            ("ex4", str(threshold), str(year)),
        )
        for threshold in (0.2, 0.25)
        for year in (1816, 1880, 1913, 1938, 1950, 1970, 1989, 1995, 2016)
    ],
    ("ch11-measuring-power", "last_year_not_ahead(nmc, 'CHN', 'USA')", ("ex7", "last_year_CHN_not_ahead")),
]


def lookup(path: tuple[str, ...]) -> Any:
    value: Any = EXPECTED
    for key in path:
        value = value[key]
    return value


def agrees(got: Any, expected: Any) -> bool:
    """Equal, with numbers compared within the exercises' tolerance and tuples read as lists."""
    if isinstance(expected, bool | str) or expected is None:
        return got == expected
    if isinstance(expected, int | float):
        return isinstance(got, int | float) and abs(got - expected) <= TOLERANCE
    if isinstance(expected, list):
        got = list(got) if isinstance(got, tuple | list) else got
        return isinstance(got, list) and len(got) == len(expected) and all(map(agrees, got, expected))
    if isinstance(expected, dict):
        return isinstance(got, dict) and got.keys() == expected.keys() and all(agrees(got[k], expected[k]) for k in got)
    raise TypeError(f"unexpected value in expected_outputs.json: {expected!r}")


def solution_namespace(assignment: str) -> dict[str, Any]:
    """Run the instructor's setup and solution cells (not the tests) in the assignment's folder."""
    folder = COURSE / "source" / assignment
    nb = nbformat.read(folder / f"{assignment}.ipynb", as_version=4)
    namespace: dict[str, Any] = {}
    here = Path.cwd()
    os.chdir(folder)
    try:
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and not meta.get("grade"):
                exec(compile(cell.source, f"{assignment}:{meta.get('grade_id')}", "exec"), namespace)  # noqa: S102
    finally:
        os.chdir(here)
    return namespace


@pytest.fixture(scope="module")
def solutions() -> dict[str, dict[str, Any]]:
    return {assignment: solution_namespace(assignment) for assignment in sorted({a for a, _, _ in CHECKS})}


def test_every_computational_assignment_is_checked() -> None:
    """An assignment that reads data is computational and must appear in CHECKS."""
    with_data = sorted(path.parent.name for path in COURSE.glob("source/*/data"))
    assert with_data == sorted({a for a, _, _ in CHECKS})


@pytest.mark.parametrize(("assignment", "expression", "path"), CHECKS, ids=[f"{a}:{'/'.join(p)}" for a, _, p in CHECKS])
def test_the_solution_reproduces_the_reference_value(
    solutions: dict[str, dict[str, Any]], assignment: str, expression: str, path: tuple[str, ...]
) -> None:
    got = eval(expression, dict(solutions[assignment]))  # noqa: S307 - the instructor's own solution
    assert agrees(got, lookup(path)), f"{expression} = {got!r}, expected {lookup(path)!r}"
