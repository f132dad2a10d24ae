"""Repairs to sphinx-book-theme's pages, so that axe-core finds no WCAG 2.1 A/AA violation.

Measured on a stock sphinx-book-theme 1.4 site (pydata-sphinx-theme 0.20): three violations
on every page, and a console error. The repairs, each as small as it can be:

* label-content-name-mismatch: the search button's ``aria-label`` ("Search") did not contain
  its visible text ("Search Ctrl+K"). ``_templates/search-button-field.html`` drops the
  label, so the button is named by what it shows.
* aria-deprecated-role and aria-required-children: Sphinx writes bibliography entries with
  the deprecated ``role="doc-biblioentry"`` inside a ``role="list"`` container, whose
  children must be list items. This handler gives them ``role="listitem"``.
* The theme's script logged "invalid theme mode" on every page: ``conf.py`` sets
  ``html_context["default_mode"]``.

The weight of the pages is handled separately, in ``balancing_weight.py``.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def repair_bibliography_roles(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Entries of a ``role="list"`` must be list items; ``doc-biblioentry`` is deprecated in ARIA 1.3."""
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("html-page-context", repair_bibliography_roles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
