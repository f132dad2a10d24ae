"""The numbers behind the book's figures agree with independently computed expected values."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import capabilities  # noqa: E402

DATA = ROOT / "book" / "data"
EXPECTED = json.loads((Path(__file__).parent / "data" / "expected_outputs.json").read_text())


@pytest.fixture(scope="module")
def nmc():
    return capabilities.load_nmc(DATA)


@pytest.fixture(scope="module")
def majors():
    return capabilities.load_majors(DATA)


def test_missing_values_are_not_counted_as_zero(nmc) -> None:
    assert (nmc[["milex", "milper", "irst", "pec", "tpop", "upop"]] == -9).sum().sum() == 0
    assert nmc.milex.isna().sum() == 2217


@pytest.mark.parametrize("year", sorted(EXPECTED["ex3"], key=int))
def test_concentration_matches_the_reference(nmc, majors, year: str) -> None:
    expected = EXPECTED["ex3"][year]
    row = capabilities.concentration_by_year(nmc, majors).loc[int(year)]
    assert row.n_majors == expected["N"]
    assert row.con == pytest.approx(expected["CON"], abs=1e-3)
    assert row.n_eff == pytest.approx(expected["N_eff"], abs=1e-3)


def test_concentration_index_edge_cases() -> None:
    assert capabilities.ray_singer_con([0.25] * 4) == pytest.approx(0)
    assert capabilities.ray_singer_con([1, 0, 0]) == pytest.approx(1)
    with pytest.raises(ValueError):
        capabilities.ray_singer_con([1.0])


def test_cold_war_bloc_capabilities_match_the_reference(nmc) -> None:
    nato = capabilities.bloc_cinc(nmc, 1955, capabilities.bloc_members(1955, "NATO"))
    warsaw = capabilities.bloc_cinc(nmc, 1955, capabilities.bloc_members(1955, "Warsaw Pact"))
    assert nato[0] == EXPECTED["ex8"]["nato_1955"][0]
    assert nato[1] == pytest.approx(EXPECTED["ex8"]["nato_1955"][1], abs=1e-3)
    assert warsaw[0] == EXPECTED["ex8"]["warsaw_1955"][0]
    assert warsaw[1] == pytest.approx(EXPECTED["ex8"]["warsaw_1955"][1], abs=1e-3)
    series = capabilities.bloc_cinc_series(nmc)
    assert series.loc[1955, "NATO"] == pytest.approx(nato[1])
    assert series.loc[1950:1954, "Warsaw Pact"].isna().all(), "the Warsaw Pact did not exist before 1955"
    germany = {1990: 260, 1991: 255}
    for year, code in germany.items():  # counted once, under the code the data use that year
        members = capabilities.bloc_members(year, "NATO")
        assert code in members and ({255, 260} - {code}).isdisjoint(members)
    assert series.loc[1991, "NATO"] == pytest.approx(0.293, abs=2e-3)


def test_major_power_series_follow_the_spells(nmc, majors) -> None:
    table = capabilities.major_power_cinc(nmc, majors)
    assert table.index.min() == 1816 and table.index.max() == 2016
    assert math.isnan(table.loc[1942, "FRN"]) and not math.isnan(table.loc[1940, "FRN"])
    assert math.isnan(table.loc[1990, "GMY"]) and not math.isnan(table.loc[1991, "GMY"])
    assert table.loc[2016, "CHN"] == pytest.approx(0.2306, abs=1e-4)


def test_germanys_rise_matches_the_reference(nmc, majors) -> None:
    years = range(1871, 1914)
    expected = EXPECTED["ex5"]
    every = capabilities.challenger_share(nmc, majors, 255, years)
    europe = capabilities.challenger_share(nmc, majors, 255, years, european_only=True)
    britain = capabilities.challenger_share(nmc, majors, 200, years, european_only=True)
    for series, key in ((every, "all_majors"), (europe, "european_majors")):
        for year in (1871, 1913):
            assert series[year] == pytest.approx(expected[key][str(year)], abs=1e-4)
        assert series.idxmax() == expected[key]["peak_year"]
    assert every.max() == pytest.approx(expected["all_majors"]["peak"], abs=1e-4)
    assert (europe > britain).idxmax() == expected["european_majors"]["first_year_GMY_above_UKG"]
    assert (europe.loc[1905:] > britain.loc[1905:]).all(), "once ahead, Germany stays ahead of Britain to 1913"
    # the U.S. (1898) and Japan (1895) join the list: before 1895 the two denominators agree
    assert (every.loc[:1894] == europe.loc[:1894]).all() and (every.loc[1895:] < europe.loc[1895:]).all()
    assert math.isnan(capabilities.challenger_share(nmc, majors, 2, [1897])[1897]), "not yet a major power"
