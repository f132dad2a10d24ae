"""Probes: hidden tests call a student's function; the call runs in the sandbox, the checking does not."""

from __future__ import annotations

from autograder.code_tests import ProbeFailure, probes, rebuild, run_test
from autograder.sandbox import run_cells

TEST = """
assert round(share(1913), 4) == 0.2199, "share(1913) should be the US share"
### BEGIN HIDDEN TESTS
assert list(top(2)) == ["USA", "GMY"]
_right = sum(abs(value - expected) < 1e-3 for value, expected in [(share(1816), 0.0), (share(1946), 0.5)])
_right / 2 * 3
### END HIDDEN TESTS
"""


def grade(student_code: str, test: str = TEST, points: float = 3.0):
    calls = probes(test)
    run = run_cells([("answer", student_code)], ["share", "top"], probes=calls)
    probed = {call: rebuild(value) for call, value in run.probes.items()}
    probed |= {call: ProbeFailure(error) for call, error in run.probe_errors.items()}
    return run_test(test, {k: rebuild(v) for k, v in run.values.items()}, points, probed)


def test_calls_with_literal_or_student_arguments_are_probes() -> None:
    source = (
        "_data = [1]\nassert f(1913) == 2\nassert g(x, n=3)\nassert f(_data) == 1\nassert len(h()) == 0\n"
        "assert f(x.drop(columns='cinc')) == 1\nassert f([y for y in x]) == 1"
    )
    assert probes(source) == ["f(1913)", "f(x.drop(columns='cinc'))", "g(x, n=3)", "h()"]


def test_a_correct_function_earns_full_points_through_pandas_values() -> None:
    code = (
        "import pandas as pd\n"
        "def share(year):\n    return {1913: 0.21994, 1816: 0.0, 1946: 0.5}[year]\n"
        "def top(n):\n    return pd.Series([0.22, 0.14], index=['USA', 'GMY']).index.to_series()[:n]"
    )
    outcome = grade(code)
    assert (outcome.points, outcome.message) == (3.0, "all tests passed")


def test_partial_credit_comes_from_the_hidden_part() -> None:
    code = (
        "def share(year):\n    return {1913: 0.21994, 1816: 0.3, 1946: 0.5}[year]\n"
        "def top(n):\n    return ['USA', 'GMY']"
    )
    assert grade(code).points == 1.5


def test_a_function_that_raises_shows_its_own_error_in_a_public_test() -> None:
    code = "def share(year):\n    raise ValueError('no data for ' + str(year))\ndef top(n):\n    return []"
    outcome = grade(code)
    assert outcome.points == 0 and "no data for 1913" in outcome.message


def test_a_function_that_never_returns_is_stopped_and_scores_zero() -> None:
    code = "def share(year):\n    while True:\n        pass\ndef top(n):\n    return []"
    outcome = grade(code)
    assert outcome.points == 0 and "stopped" in outcome.message


def test_the_student_cannot_change_how_the_test_compares() -> None:
    # Patching builtins in the sandbox cannot reach the grader, where the comparison runs.
    code = (
        "import builtins\nbuiltins.abs = lambda x: 0\nbuiltins.round = lambda x, n=0: 0.2199\n"
        "def share(year):\n    return 0.9\ndef top(n):\n    return ['USA', 'GMY']"
    )
    outcome = grade(code)
    assert outcome.points == 0 and "share(1913) should be the US share" in outcome.message


def test_an_object_posing_as_a_table_arrives_as_data_or_not_at_all() -> None:
    code = (
        "class Series:\n    def tolist(self):\n        raise SystemExit\n"
        "Series.__module__ = 'pandas.core.series'\n"
        "def share(year):\n    return Series()\ndef top(n):\n    return Series()"
    )
    outcome = grade(code)
    assert outcome.points == 0
