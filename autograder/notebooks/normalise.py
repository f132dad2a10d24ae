"""Keeps exercise source notebooks in one diffable form.

Sources are committed without outputs or execution counts, with stable, readable cell
ids, and written with sorted keys and one-space indentation (nbformat's own layout), so a
review shows only what an author changed. ``python -m autograder.notebooks.normalise
PATH...`` rewrites files; ``--check`` reports the ones that differ and exits 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

VOLATILE_METADATA = ("execution", "collapsed", "scrolled", "jp-MarkdownHeadingCollapsed")


def normalised(text: str) -> str:
    """The normalised text of a notebook given as text; the notebook must be valid nbformat 4."""
    nb = nbformat.reads(text, as_version=4)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for key in VOLATILE_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if "attachments" in cell and not cell.attachments:
            del cell["attachments"]
        if grade_id := cell.metadata.get("nbgrader", {}).get("grade_id"):
            cell.id = grade_id  # the stable, readable id: reviews and diffs name the question
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Normalise exercise source notebooks.")
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="only report notebooks that are not normalised")
    args = parser.parse_args(argv)
    stale = []
    for path in args.paths:
        text = path.read_text(encoding="utf-8")
        wanted = normalised(text)
        if text != wanted:
            stale.append(path)
            if not args.check:
                path.write_text(wanted, encoding="utf-8")
    for path in stale:
        print(f"{'not normalised' if args.check else 'normalised'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
