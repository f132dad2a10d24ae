"""Sphinx extension that draws the book's data figures from ``book/data`` at build time.

Figures are never committed: each is redrawn into ``book/_generated/`` when it is missing
or older than its data or this code. Redrawing only when needed keeps a one-chapter
rebuild fast, because Sphinx re-reads a page when an image it shows changes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import capabilities
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

GENERATED_DIR = "_generated"
# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies), each with
# at least 3:1 contrast on white, and a line style per state so no line depends on colour.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#56B4E9", "#E69F00", "#7F7F7F", "#8C510A"]
LINESTYLES = ["-", "--", "-.", ":"]
STATE_STYLES = {
    "USA": ("#000000", "-"),
    "UKG": ("#0072B2", "-"),
    "RUS": ("#D55E00", "-."),
    "CHN": ("#CC79A7", "--"),
    "GMY": ("#009E73", "--"),
    "FRN": ("#56B4E9", ":"),
    "JPN": ("#E69F00", "-."),
    "AUH": ("#7F7F7F", ":"),
    "ITA": ("#8C510A", "--"),
}


@dataclass(frozen=True)
class FigureSpec:
    """A figure: the file it is written to, the data files it reads, and how to draw it."""

    filename: str
    inputs: tuple[str, ...]
    draw: Callable[[Path], Figure]


def _new_axes(title: str) -> tuple[Figure, plt.Axes]:
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110, layout="constrained")
    ax.set_title(title, loc="left", fontsize=12)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def draw_cinc_shares(data_dir: Path) -> Figure:
    """CINC of each major power while it is one, 1816-2016."""
    table = capabilities.major_power_cinc(capabilities.load_nmc(data_dir), capabilities.load_majors(data_dir))
    fig, ax = _new_axes("CINC of the major powers, 1816-2016 (COW NMC v6.0)")
    for i, state in enumerate(table.columns):
        series = table[state]
        colour, style = STATE_STYLES.get(state, (PALETTE[i % len(PALETTE)], LINESTYLES[i % len(LINESTYLES)]))
        ax.plot(series.index, series.values, color=colour, linestyle=style, linewidth=1.6, label=state)
        last_year = series.last_valid_index()
        ax.annotate(
            state,
            (last_year, series[last_year]),
            xytext=(3, 0),
            textcoords="offset points",
            fontsize=8,
            color=colour,
            va="center",
        )
    ax.set_xlabel("Year")
    ax.set_ylabel("CINC (share of world capabilities)")
    ax.set_xlim(1816, 2024)
    ax.set_ylim(bottom=0)
    ax.legend(ncol=5, fontsize=8, frameon=False, loc="upper left")
    return fig


def draw_concentration(data_dir: Path) -> Figure:
    """Ray-Singer concentration among the major powers, with their number."""
    con = capabilities.concentration_by_year(capabilities.load_nmc(data_dir), capabilities.load_majors(data_dir))
    fig, ax = _new_axes("Concentration of capabilities among the major powers, 1816-2016")
    ax.plot(con.index, con.con, color=PALETTE[0], linewidth=1.8, label="CON (Ray and Singer)")
    ax.set_ylim(0, 0.6)
    ax.set_xlabel("Year")
    ax.set_ylabel("CON (0 = equal shares, 1 = one state holds all)")
    twin = ax.twinx()
    twin.step(
        con.index,
        con.n_majors,
        where="mid",
        color=PALETTE[1],
        linestyle="--",
        linewidth=1.2,
        label="number of major powers",
    )
    twin.set_ylim(0, 10)
    twin.set_ylabel("Number of major powers")
    twin.spines[["top"]].set_visible(False)
    lines = ax.get_lines() + twin.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], frameon=False, loc="upper left", fontsize=9)
    return fig


def draw_nato_warsaw(data_dir: Path) -> Figure:
    """Aggregate CINC of the two Cold War alliances."""
    blocs = capabilities.bloc_cinc_series(capabilities.load_nmc(data_dir))
    fig, ax = _new_axes("Aggregate CINC of NATO and the Warsaw Pact, 1949-1991")
    for (bloc, series), colour, style in zip(blocs.items(), PALETTE, LINESTYLES, strict=False):
        ax.plot(series.index, series.values, color=colour, linestyle=style, linewidth=2, label=bloc)
    ax.set_xlabel("Year")
    ax.set_ylabel("Sum of members' CINC")
    ax.set_ylim(0, 0.5)
    ax.legend(frameon=False, loc="upper right")
    return fig


def draw_germany_share(data_dir: Path) -> Figure:
    """Germany's (and Britain's) share of the major powers' CINC, 1871-1914."""
    nmc, majors = capabilities.load_nmc(data_dir), capabilities.load_majors(data_dir)
    years = range(1871, 1915)
    lines = [
        ("Germany, share of European majors", capabilities.challenger_share(nmc, majors, 255, years, True), "GMY", 2.2),
        ("Germany, share of all majors", capabilities.challenger_share(nmc, majors, 255, years), "GMY", 1.2),
        ("Britain, share of European majors", capabilities.challenger_share(nmc, majors, 200, years, True), "UKG", 1.8),
    ]
    fig, ax = _new_axes("Germany's share of the major powers' CINC, 1871-1914 (COW NMC v6.0)")
    for (label, series, state, width), style in zip(lines, ["-", ":", "-"], strict=True):
        colour = STATE_STYLES[state][0]
        ax.plot(series.index, series.values, color=colour, linestyle=style, linewidth=width, label=label)
    ax.axhline(1 / 3, color=PALETTE[7], linestyle="--", linewidth=1)
    ax.annotate(
        "one third (Levy and Thompson's threshold, measured on armies)",
        (1889, 1 / 3),
        xytext=(0, 4),
        textcoords="offset points",
        fontsize=8,
        color="#555555",
    )
    ax.axvline(1905, color=PALETTE[7], linestyle=":", linewidth=1)
    ax.annotate("1905", (1905, 0.03), xytext=(3, 0), textcoords="offset points", fontsize=8, color="#555555")
    ax.set_xlabel("Year")
    ax.set_ylabel("Share of the major powers' summed CINC")
    ax.set_xlim(1871, 1914)
    ax.set_ylim(0, 0.45)
    ax.legend(frameon=False, loc="upper right", fontsize=9)
    return fig


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("cinc-shares.png", (capabilities.NMC_FILE, capabilities.MAJORS_FILE), draw_cinc_shares),
    FigureSpec("concentration.png", (capabilities.NMC_FILE, capabilities.MAJORS_FILE), draw_concentration),
    FigureSpec("nato-warsaw.png", (capabilities.NMC_FILE,), draw_nato_warsaw),
    FigureSpec("germany-share.png", (capabilities.NMC_FILE, capabilities.MAJORS_FILE), draw_germany_share),
)


def _is_stale(target: Path, sources: list[Path]) -> bool:
    if not target.exists():
        return True
    built = target.stat().st_mtime
    return any(source.stat().st_mtime > built for source in sources)


def _save_atomically(fig: Figure, target: Path) -> None:
    """Write through a temporary file so a concurrent build never reads half a PNG."""
    handle, tmp = tempfile.mkstemp(dir=target.parent, suffix=".png")
    os.close(handle)
    try:
        fig.savefig(tmp, metadata={"Software": None})
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.unlink(tmp)


def build_figures(srcdir: Path) -> list[str]:
    """Redraw every stale figure; return the names of those redrawn."""
    data_dir = srcdir / "data"
    out_dir = srcdir / GENERATED_DIR
    out_dir.mkdir(exist_ok=True)
    code = [Path(__file__), Path(capabilities.__file__)]
    redrawn = []
    for spec in FIGURES:
        target = out_dir / spec.filename
        if _is_stale(target, [data_dir / name for name in spec.inputs] + code):
            _save_atomically(spec.draw(data_dir), target)
            redrawn.append(spec.filename)
    return redrawn


def _on_builder_inited(app: Sphinx) -> None:
    for name in build_figures(Path(app.srcdir)):
        logger.info("balancing_figures: drew %s", name)


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("builder-inited", _on_builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
