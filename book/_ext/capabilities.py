"""Computations on the Correlates of War capability data used by the book's figures.

The conventions follow ``book/data/SOURCES.md`` and the exercises: ``-9`` means missing,
"major powers in year y" are the rows of ``majors2016.csv`` whose inclusive spell covers y,
and shares "among major powers" divide each major's published CINC by the majors' sum.
Keeping them in one module lets the tests check the figures' numbers against the
expected values computed independently from the same data.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

NMC_FILE = "NMC-60-abridged.csv"
MAJORS_FILE = "majors2016.csv"

#: The six European great powers of 1871-1914 by COW code: Britain, France, Germany,
#: Austria-Hungary, Italy and Russia. Each counts only while it is on the major-power list.
EUROPEAN_MAJORS: tuple[int, ...] = (200, 220, 255, 300, 325, 365)

#: NATO members to the end of the Cold War: (first year, last year) of membership, by COW code.
#: Source: the North Atlantic Treaty and the accession protocols. West Germany (260) joined in
#: 1955; the COW data give unified Germany a new code (255) with rows from 1990, while West
#: Germany's rows run to 1990, so 255 counts from 1991 so that Germany is not counted twice in 1990.
NATO_MEMBERSHIP: dict[int, tuple[int, int]] = {
    **dict.fromkeys((2, 20, 200, 210, 211, 212, 220, 235, 325, 385, 390, 395), (1949, 9999)),
    350: (1952, 9999),  # Greece
    640: (1952, 9999),  # Turkey
    260: (1955, 1990),  # West Germany
    255: (1991, 9999),  # unified Germany
    230: (1982, 9999),  # Spain
}

#: Warsaw Pact members: (first year, last year) of membership. Albania stopped taking part
#: in the early 1960s and withdrew formally in 1968; the GDR left with German unification in 1990.
WARSAW_PACT_MEMBERSHIP: dict[int, tuple[int, int]] = {
    365: (1955, 1991),
    290: (1955, 1991),
    315: (1955, 1991),
    265: (1955, 1990),
    310: (1955, 1991),
    360: (1955, 1991),
    355: (1955, 1991),
    339: (1955, 1968),
}


def load_nmc(data_dir: Path) -> pd.DataFrame:
    """NMC v6.0 with the ``-9`` missing-value code turned into NaN."""
    return pd.read_csv(data_dir / NMC_FILE).replace(-9, np.nan)


def load_majors(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(data_dir / MAJORS_FILE)


def majors_in_year(majors: pd.DataFrame, year: int) -> list[int]:
    """COW codes of the major powers in ``year`` (spells are inclusive)."""
    spells = majors[(majors.styear <= year) & (year <= majors.endyear)]
    return sorted(spells.ccode.unique().tolist())


def major_power_cinc(nmc: pd.DataFrame, majors: pd.DataFrame) -> pd.DataFrame:
    """A year x state table of CINC, filled only while the state is a major power."""
    rows = [
        (int(spell.ccode), year)
        for spell in majors.itertuples()
        for year in range(int(spell.styear), int(spell.endyear) + 1)
    ]
    spells = pd.DataFrame(rows, columns=["ccode", "year"]).drop_duplicates()
    merged = spells.merge(nmc[["ccode", "year", "stateabb", "cinc"]], on=["ccode", "year"])
    return merged.pivot(index="year", columns="stateabb", values="cinc").sort_index()


def shares(values: pd.Series) -> pd.Series:
    """Each value's share of the (non-missing) total."""
    values = values.dropna()
    return values / values.sum()


def ray_singer_con(share_values: Iterable[float]) -> float:
    """Ray and Singer's concentration index: 0 for equal shares, 1 for a monopoly."""
    s = np.asarray(list(share_values), dtype=float)
    n = len(s)
    if n < 2:
        raise ValueError("concentration needs at least two states")
    return float(np.sqrt((np.sum(s**2) - 1 / n) / (1 - 1 / n)))


def effective_number(share_values: Iterable[float]) -> float:
    """The effective number of poles, the inverse of the Herfindahl index."""
    s = np.asarray(list(share_values), dtype=float)
    return float(1 / np.sum(s**2))


def concentration_by_year(nmc: pd.DataFrame, majors: pd.DataFrame) -> pd.DataFrame:
    """CON and the effective number of poles among the major powers, for every year."""
    table = major_power_cinc(nmc, majors)
    records = []
    for year, row in table.iterrows():
        s = shares(row)
        records.append({"year": year, "n_majors": len(s), "con": ray_singer_con(s), "n_eff": effective_number(s)})
    return pd.DataFrame.from_records(records).set_index("year")


def challenger_share(
    nmc: pd.DataFrame, majors: pd.DataFrame, ccode: int, years: Iterable[int], european_only: bool = False
) -> pd.Series:
    """``ccode``'s share of the major powers' summed CINC in each year (NaN while it is not one of them).

    With ``european_only`` the denominator holds only the European majors of ``EUROPEAN_MAJORS``,
    so the United States (a major from 1898) and Japan (from 1895) drop out of it.
    """
    values = {}
    for year in years:
        members = majors_in_year(majors, year)
        if european_only:
            members = [code for code in members if code in EUROPEAN_MAJORS]
        rows = nmc[(nmc.year == year) & nmc.ccode.isin(members)]
        own = rows.loc[rows.ccode == ccode, "cinc"]
        values[year] = float(own.iloc[0] / rows.cinc.sum()) if ccode in members and len(own) else np.nan
    return pd.Series(values, dtype=float, name=ccode).rename_axis("year")


def bloc_members(year: int, bloc: str) -> list[int]:
    """Members of ``"NATO"`` or ``"Warsaw Pact"`` in ``year``."""
    spans = {"NATO": NATO_MEMBERSHIP, "Warsaw Pact": WARSAW_PACT_MEMBERSHIP}.get(bloc)
    if spans is None:
        raise ValueError(f"unknown bloc {bloc!r}")
    return sorted(code for code, (first, last) in spans.items() if first <= year <= last)


def bloc_cinc(nmc: pd.DataFrame, year: int, members: Iterable[int]) -> tuple[int, float]:
    """How many members have data in ``year``, and the sum of their CINC."""
    rows = nmc[(nmc.year == year) & nmc.ccode.isin(list(members))]
    return len(rows), float(rows.cinc.sum())


def bloc_cinc_series(nmc: pd.DataFrame, first: int = 1949, last: int = 1991) -> pd.DataFrame:
    """Aggregate CINC of NATO and the Warsaw Pact for each year of the Cold War."""
    data = {
        bloc: [
            bloc_cinc(nmc, year, members)[1] if (members := bloc_members(year, bloc)) else np.nan
            for year in range(first, last + 1)
        ]
        for bloc in ("NATO", "Warsaw Pact")
    }
    return pd.DataFrame(data, index=pd.RangeIndex(first, last + 1, name="year"))
