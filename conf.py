"""Sphinx configuration for the Balancing textbook.

The configuration lives at the repository root (the design card's layout) while the
sources live in ``book/``; the Makefile calls ``sphinx-build -c . book _build/html``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "book" / "_ext"))

project = "Balancing"
author = "The Balancing authors"
copyright = "2026, The Balancing authors"
language = "en"

extensions = [
    "myst_parser",
    "sphinx_design",
    "sphinxcontrib.bibtex",
    "balancing_figures",
    "balancing_notebooks",
    "balancing_theme",
    "balancing_weight",
]

myst_enable_extensions = ["colon_fence", "deflist", "attrs_inline", "substitution"]

# A course that runs the submission service (`autograder serve`) sets its address here (or in the
# environment when it builds the site); the chapters' exercise sections then link to it.
balancing_submission_url = os.environ.get("BALANCING_SUBMISSION_URL", "")
myst_substitutions = {
    "how_to_submit": (
        f"submit it at [your course's submission service]({balancing_submission_url}), which grades it in seconds"
        if balancing_submission_url
        else "hand it in the way your instructor asks: through the course's submission service if it runs one "
        "(`autograder serve`), nbgrader's exchange, or your learning platform"
    )
}
myst_heading_anchors = 3

exclude_patterns = ["_parts", "data", "CONTRIBUTING.md", "_ext", "**/README.md"]
nitpicky = True
suppress_warnings: list[str] = []

bibtex_bibfiles = ["book/references.bib"]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

html_theme = "sphinx_book_theme"
html_title = "Balancing"
html_static_path = ["book/_static"]
templates_path = ["book/_templates"]
html_css_files = ["balancing.css"]
html_js_files = ["balancing.js"]
html_sourcelink_suffix = ""
html_last_updated_fmt = ""
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
}
# Without a default mode the theme's script logs "invalid theme mode" on every page.
html_context = {"default_mode": "auto"}
