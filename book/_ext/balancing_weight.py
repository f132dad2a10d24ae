"""Keeps a chapter page under 600 KB, everything it loads included, with every icon still shown.

Why this exists: a stock sphinx-book-theme 1.4 page loads about 2.4 MB before fonts: a
1.56 MB Font Awesome script, the 376 KB theme stylesheet (Bootstrap included), a 115 KB
icon font of which it draws about twenty glyphs, and the full search index. No Sphinx
extension on PyPI trims a theme's assets, so this one does it after each build, from the
files the build has just copied (Sphinx copies static files afresh on every build):

1. Icons. The templates no longer load ``fontawesome.js`` (``_templates/static/webpack-
   macros.html``). The shapes of exactly the ``fa-*`` icons the built pages name are read
   from the theme's own copy of that script and written as CSS masks into
   ``_static/icons.css``. The icons stay the theme's, so a theme upgrade brings its own.
2. Stylesheets. Every rule whose selector names a class that appears in no built page and
   no shipped script is dropped, as PurgeCSS does, using tinycss2 to parse the CSS. A class
   that scripts add at run time appears in the script's text, so it is kept.
3. Icon fonts. The theme's Font Awesome web fonts are cut down with fontTools to the
   glyphs the remaining stylesheets use (admonition and link icons).

The browser tests check the result: the weight of every chapter page, every icon drawn,
no console error, and axe-core's verdict in light and dark mode.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path
from urllib.parse import quote

import tinycss2
from fontTools import subset
from fontTools.ttLib import TTFont
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

ICONS_CSS = "icons.css"
# Font Awesome's packs in the theme's minified bundle: ``b={"name":[w,h,[aliases],"code","path"],...}``
# (some keys unquoted), registered later by ``p("fas",b)``.
REGISTER = re.compile(r'\bp\("(fa[a-z])",([A-Za-z_$][\w$]*)\)')
BARE_KEY = re.compile(r"([{,])([\w$]+):\[")
STYLE_CLASSES = {"fas": ("fas", "fa-solid"), "far": ("far", "fa-regular"), "fab": ("fab", "fa-brands")}
MODIFIERS = {"fa-fw", "fa-lg", "fa-xs", "fa-sm", "fa-xl", "fa-2x", "fa-solid", "fa-regular", "fa-brands"}
GROUPING_RULES = {"media", "supports", "layer", "container"}
PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]|\\(f[0-9a-fA-F]{3})")


# --- 1. Icons ---------------------------------------------------------------------------------


def font_awesome_packs(script: Path) -> dict[str, dict[str, list]]:
    """Every icon of every style in the theme's Font Awesome bundle: {"fas": {"bars": [w, h, .., path]}}."""
    text = script.read_text(encoding="utf-8")
    packs: dict[str, dict[str, list]] = {}
    for call in REGISTER.finditer(text):
        style, variable = call.groups()
        start = text.rfind(f"{variable}={{", 0, call.start())
        end = text.find('"]};', start)
        if start < 0 or end < 0:
            continue
        literal = BARE_KEY.sub(r'\1"\2":[', text[start + len(variable) + 1 : end + 3])
        packs.setdefault(style, {}).update(json.loads(literal))
    if not {"fas", "far", "fab"} <= set(packs):
        raise ExtensionError(f"balancing_weight: no Font Awesome packs found in {script}")
    for icons in packs.values():
        for spec in list(icons.values()):
            for alias in spec[2]:
                if isinstance(alias, str):
                    icons.setdefault(alias, spec)
    return packs


def icons_used(html_files: list[Path]) -> set[tuple[str, str]]:
    """(style, icon) pairs named by ``class="fa-solid fa-bars"``-like attributes of the built pages."""
    used = set()
    for page in html_files:
        for classes in re.findall(r'class="([^"]*\bfa-[^"]*)"', page.read_text(encoding="utf-8")):
            names = classes.split()
            style = next((s for s, aliases in STYLE_CLASSES.items() if set(aliases) & set(names)), "fas")
            used |= {(style, n[3:]) for n in names if n.startswith("fa-") and n not in MODIFIERS}
    return used


def icon_css(packs: dict[str, dict[str, list]], used: set[tuple[str, str]]) -> str:
    """CSS drawing each used icon as a mask filled with the text colour, sized as Font Awesome sizes it."""
    rules = [
        "/* Icons from Font Awesome Free (CC BY 4.0), taken from the theme's bundle at build time. */",
        ":where(.fa-solid, .fas, .fa-regular, .far, .fa-brands, .fab) {display: inline-block; height: 1em;"
        " vertical-align: -0.125em; background-color: currentColor; -webkit-mask: var(--icon) center / contain"
        " no-repeat; mask: var(--icon) center / contain no-repeat}",
        ":where(.fa-lg) {font-size: 1.25em; line-height: 0.05em; vertical-align: -0.2em}",
        ":where(.fa-fw) {width: 1.25em !important}",
    ]
    missing = []
    for style, name in sorted(used):
        spec = packs.get(style, {}).get(name)
        if spec is None:
            missing.append(f"{style} {name}")
            continue
        width, height, _aliases, _code, path = spec
        svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'><path d='{path}'/></svg>"
        selector = ", ".join(f".{cls}.fa-{name}" for cls in STYLE_CLASSES[style])
        rules.append(f'{selector} {{width: {width / height:.4f}em; --icon: url("data:image/svg+xml,{quote(svg)}")}}')
    if missing:
        raise ExtensionError(f"balancing_weight: icons not in the theme's Font Awesome bundle: {missing}")
    return "\n".join(rules) + "\n"


# --- 2. Stylesheets ---------------------------------------------------------------------------


def class_corpus(out: Path) -> set[str]:
    """Every class a built page uses, and every word of every shipped script (classes added at run time)."""
    corpus: set[str] = set()
    for page in out.glob("**/*.html"):
        for classes in re.findall(r'class="([^"]*)"', page.read_text(encoding="utf-8")):
            corpus |= set(classes.split())
    for script in out.glob("_static/**/*.js"):
        corpus |= set(re.findall(r"[A-Za-z_-][\w-]*", script.read_text(encoding="utf-8", errors="ignore")))
    return corpus


def selectors(prelude: list) -> list[list]:
    """A selector list's selectors, split at its top-level commas (not those inside ``:is(...)``)."""
    pieces: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            pieces.append([])
        else:
            pieces[-1].append(token)
    return pieces


def required_classes(selector: list) -> set[str]:
    """Classes an element must carry for the selector to match: those outside functional
    pseudo-classes, since ``:not(.x)`` matches precisely when no ``.x`` exists."""
    return {
        after.value
        for before, after in itertools.pairwise(selector)
        if before.type == "literal" and before.value == "." and after.type == "ident"
    }


def purge_rules(rules: list, corpus: set[str]) -> list[str]:
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            live = [s for s in selectors(rule.prelude) if required_classes(s) <= corpus]
            if live:
                prelude = ",".join(tinycss2.serialize(s).strip() for s in live)
                kept.append(prelude + "{" + tinycss2.serialize(rule.content) + "}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in GROUPING_RULES and rule.content is not None:
            inner = purge_rules(
                tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), corpus
            )
            if inner:
                kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(inner)}}}")
        elif rule.type == "at-rule":
            kept.append(tinycss2.serialize([rule]))
    return kept


def purge_stylesheet(path: Path, corpus: set[str]) -> tuple[int, int]:
    source = path.read_text(encoding="utf-8")
    rules = tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True)
    purged = "".join(purge_rules(rules, corpus))
    path.write_text(purged, encoding="utf-8")
    return len(source.encode()), len(purged.encode())


# --- 3. Icon fonts ----------------------------------------------------------------------------


def glyphs_in_use(stylesheets: list[Path]) -> set[int]:
    """Code points in Font Awesome's private-use range that the stylesheets still draw."""
    used = set()
    for sheet in stylesheets:
        for match in PRIVATE_USE.finditer(sheet.read_text(encoding="utf-8")):
            used.add(int(match.group(1), 16) if match.group(1) else ord(match.group(0)))
    return used


def subset_font(path: Path, codepoints: set[int]) -> tuple[int, int]:
    before = path.stat().st_size
    font = TTFont(path)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints or {0x20})
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff2"
    font.save(buffer)
    path.write_bytes(buffer.getvalue())
    return before, path.stat().st_size


# --- The build step ---------------------------------------------------------------------------


def slim(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    static = out / "_static"
    candidates = [Path(d) / "static" / "scripts" / "fontawesome.js" for d in app.builder.theme.get_theme_dirs()]
    bundle = next((path for path in candidates if path.exists()), None)
    if bundle is None:
        raise ExtensionError("balancing_weight: the theme ships no static/scripts/fontawesome.js")
    pages = sorted(out.glob("**/*.html"))
    (static / ICONS_CSS).write_text(icon_css(font_awesome_packs(bundle), icons_used(pages)), encoding="utf-8")
    for unused in (static / "scripts" / "fontawesome.js", static / "scripts" / "fontawesome.js.map"):
        unused.unlink(missing_ok=True)

    corpus = class_corpus(out)
    sheets = [p for p in sorted(static.glob("**/*.css")) if p.name != ICONS_CSS]
    before = after = 0
    for sheet in sheets:
        old, new = purge_stylesheet(sheet, corpus)
        before, after = before + old, after + new
    codepoints = glyphs_in_use(sheets)
    for font in sorted(static.glob("vendor/fontawesome/**/*.woff2")):
        old, new = subset_font(font, codepoints)
        before, after = before + old, after + new
    logger.info("balancing_weight: stylesheets and icon fonts %d KB -> %d KB", before // 1024, after // 1024)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_css_file(ICONS_CSS)
    app.connect("build-finished", slim)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
