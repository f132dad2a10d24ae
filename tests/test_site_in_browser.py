"""The site as readers meet it: served over HTTP, read in headless Chromium, checked with axe-core.

Every page is opened in a real browser (Debian's Chromium through the Playwright client),
with every request to a host other than the local server refused and recorded. The reader
journeys (navigation, search, toggles, glossary links, downloads, a phone, dark mode) are
tested as a reader would perform them. Screenshots go to ``_build/screenshots/`` so that a
reviewer can look without running a browser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
from bs4 import BeautifulSoup
from chapters import chapter_files
from conftest import ROOT, BuiltSite
from playwright.sync_api import Browser, Page, Request
from site_server import AXE, Served, chromium, serve

pytestmark = pytest.mark.browser
CHAPTERS = [path.stem for path in chapter_files()]
SCREENSHOTS = ROOT / "_build" / "screenshots"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
PAGE_BUDGET = 600 * 1024  # bytes a chapter page may load, everything included, uncompressed


@pytest.fixture(scope="module")
def site(built_site: BuiltSite) -> Iterator[Served]:
    with serve(built_site.outdir) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


class Visit:
    """One page load, with what the reader's browser saw go wrong on the way."""

    def __init__(self, browser: Browser, site: Served, *, dark: bool = False, viewport: dict | None = None) -> None:
        self.site = site
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, accept_downloads=True)
        if dark:
            self.context.add_init_script("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark')")
        self.page: Page = self.context.new_page()
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.failed_requests: list[str] = []
        self.page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.page.on("requestfailed", lambda req: self.failed_requests.append(req.url))
        self.context.route("**/*", self._only_local)

    def _only_local(self, route, request: Request) -> None:
        if request.url.startswith(self.site.url) or request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.foreign_requests.append(request.url)
            route.abort()

    def open(self, path: str) -> Page:
        self.page.goto(self.site.url + path, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def bytes_loaded(self) -> int:
        """Uncompressed bytes of the page and everything it loaded, from Chromium's performance API."""
        return self.page.evaluate(
            """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
                .reduce((sum, entry) => sum + entry.decodedBodySize, 0)"""
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Browser, site: Served) -> Iterator[Visit]:
    opened = Visit(browser, site)
    yield opened
    opened.close()


def pages(site: Served) -> list[str]:
    return sorted(path.name for path in site.root.glob("*.html"))


def run_axe(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]


def screenshot(page: Page, name: str, **options) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **options)


# --- Every page ------------------------------------------------------------------------------------


def test_every_page_loads_cleanly_and_only_from_the_local_server(browser: Browser, site: Served) -> None:
    problems = {}
    for name in pages(site):
        visit = Visit(browser, site)
        page = visit.open(name)
        found = {
            "console errors": visit.console_errors,
            "requests to other hosts": visit.foreign_requests,
            "failed requests": [url for url in visit.failed_requests if url not in visit.foreign_requests],
            "no lang": [] if page.evaluate("document.documentElement.lang") else ["<html> has no lang"],
            "no title": [] if page.title().strip() else ["empty <title>"],
            "images without alt": page.eval_on_selector_all(
                "img", "imgs => imgs.filter(i => !i.hasAttribute('alt')).map(i => i.src)"
            ),
        }
        if problems_here := {kind: items for kind, items in found.items() if items}:
            problems[name] = problems_here
        visit.close()
    assert problems == {}


def test_every_internal_link_and_anchor_resolves(site: Served) -> None:
    ids: dict[str, set[str]] = {}
    links: list[tuple[str, str]] = []
    for name in pages(site):
        html = BeautifulSoup((site.root / name).read_text(encoding="utf-8"), "html.parser")
        ids[name] = {tag["id"] for tag in html.select("[id]")}
        links += [(name, a["href"]) for a in html.select("a[href]")]
    broken = []
    for source, href in links:
        parsed = urlparse(href)
        if parsed.scheme or href.startswith(("mailto:", "//")):
            continue  # external links are checked by the no-foreign-request test when followed
        target = parsed.path or source
        missing_file = not (site.root / target).exists()
        missing_anchor = target.endswith(".html") and parsed.fragment and parsed.fragment not in ids.get(target, set())
        if missing_file or missing_anchor:
            broken.append((source, href))
    assert broken == []


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_page_has_a_wcag_21_aa_violation(browser: Browser, site: Served, mode: str) -> None:
    violations = {}
    for name in pages(site):
        visit = Visit(browser, site, dark=mode == "dark")
        page = visit.open(name)
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        if found := run_axe(page):
            violations[name] = found
        visit.close()
    assert violations == {}


def test_every_icon_is_drawn(browser: Browser, site: Served) -> None:
    visit = Visit(browser, site)
    page = visit.open("ch01-balancing.html")
    icons = page.eval_on_selector_all(
        "i[class*='fa-'], span[class*='fa-']",
        """icons => icons.filter(i => i.checkVisibility()).map(i => {
            const style = getComputedStyle(i), box = i.getBoundingClientRect();
            const mask = style.maskImage || style.webkitMaskImage;
            return [i.className, box.width > 0 && box.height > 0 && mask.startsWith('url(')];
        })""",
    )
    screenshot(page, "desktop-header-icons", clip={"x": 0, "y": 0, "width": 1280, "height": 120})
    visit.close()
    assert len(icons) >= 3, "the header's buttons show no icons"
    assert [name for name, drawn in icons if not drawn] == []


def test_a_chapter_page_loads_at_most_600_kb(browser: Browser, site: Served) -> None:
    weights = {}
    for name in [f"{chapter}.html" for chapter in CHAPTERS]:
        visit = Visit(browser, site)
        visit.open(name)
        weights[name] = visit.bytes_loaded()
        visit.close()
    print("bytes loaded per chapter page:", weights)
    assert {name: size for name, size in weights.items() if size > PAGE_BUDGET} == {}


# --- A reader's journeys ---------------------------------------------------------------------------


def test_every_chapter_is_reached_from_the_home_page_by_next_links(visit: Visit) -> None:
    page = visit.open("index.html")
    sidebar = {Path(urlparse(href).path).stem for href in page.eval_on_selector_all(
        "nav.bd-docs-nav a.reference.internal", "links => links.map(a => a.href)"
    )}  # fmt: skip
    assert set(CHAPTERS) <= sidebar
    reached = []
    while (following := page.query_selector("a.right-next")) is not None:
        following.click()
        page.wait_for_load_state("load")
        reached.append(Path(urlparse(page.url).path).stem)
    assert [stem for stem in reached if stem in CHAPTERS] == CHAPTERS
    while (previous := page.query_selector("a.left-prev")) is not None:
        previous.click()
        page.wait_for_load_state("load")
    assert Path(urlparse(page.url).path).stem == "index"


@pytest.mark.parametrize(
    ("query", "chapter"),
    [("bandwagoning", "ch01-balancing"), ("CINC", "ch11-measuring-power"), ("AUKUS", "ch10-twenty-first-century")],
)
def test_search_lands_on_the_right_chapter(visit: Visit, query: str, chapter: str) -> None:
    page = visit.open("index.html")
    page.keyboard.press("Control+k")
    box = page.locator("dialog input[name='q'], .search-button__wrapper input[name='q']").first
    box.fill(query)
    box.press("Enter")
    page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    hits = [Path(urlparse(href).path).stem for href in page.eval_on_selector_all(
        "#search-results ul.search li a", "links => links.map(a => a.href)"
    )]  # fmt: skip
    assert chapter in hits[:3], hits[:5]


def test_a_model_answer_opens_and_can_be_read(visit: Visit) -> None:
    page = visit.open("ch01-balancing.html")
    toggle = page.locator("details.sd-dropdown").first
    answer = toggle.locator(".sd-summary-content")
    assert not answer.is_visible()
    toggle.locator("summary").click()
    assert answer.is_visible() and len(answer.inner_text().split()) >= 80
    toggle.scroll_into_view_if_needed()
    screenshot(page, "desktop-answer-open")


def test_a_glossary_link_leads_to_the_definition_and_back(visit: Visit) -> None:
    page = visit.open("ch01-balancing.html")
    link = page.locator("a.reference.internal[href*='glossary.html#term-']").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_load_state("load")
    assert urlparse(page.url).path.endswith("/glossary.html")
    term = page.locator(f"[id='{href.split('#')[1]}']")
    assert term.is_visible() and term.evaluate("t => t.matches(':target')")
    assert term.locator("xpath=following-sibling::dd[1]").inner_text().strip()
    page.go_back()
    assert urlparse(page.url).path.endswith("/ch01-balancing.html")


def test_a_chapter_notebook_downloads_as_a_valid_notebook(visit: Visit, tmp_path: Path) -> None:
    page = visit.open("ch01-balancing.html")
    with page.expect_download() as download:
        page.locator("a.download[href$='ch01-balancing.ipynb']").first.click()
    saved = tmp_path / "downloaded.ipynb"
    download.value.save_as(saved)
    notebook = nbformat.read(saved, as_version=4)
    nbformat.validate(notebook)
    assert "### BEGIN SOLUTION" not in saved.read_text(encoding="utf-8")


def test_on_a_phone_nothing_scrolls_sideways_and_the_navigation_opens(browser: Browser, site: Served) -> None:
    visit = Visit(browser, site, viewport=PHONE)
    overflowing = {}
    for name in ["index.html", "glossary.html", *[f"{chapter}.html" for chapter in CHAPTERS]]:
        page = visit.open(name)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            overflowing[name] = width
    page = visit.open("ch01-balancing.html")
    screenshot(page, "phone-chapter")
    page.locator("button.primary-toggle >> visible=true").first.click()
    navigation = page.locator("#pst-primary-sidebar-modal")
    navigation.locator("a.reference.internal").first.wait_for(state="visible")
    screenshot(page, "phone-navigation-open")
    visit.close()
    assert overflowing == {}


def test_dark_mode_keeps_text_readable(browser: Browser, site: Served) -> None:
    visit = Visit(browser, site, dark=True)
    page = visit.open("ch01-balancing.html")
    colours = page.evaluate(
        """() => {
            const body = getComputedStyle(document.querySelector('main p'));
            const back = getComputedStyle(document.body);
            return [body.color, back.backgroundColor];
        }"""
    )
    screenshot(page, "desktop-chapter-dark")
    visit.close()
    text, background = (luminance(colour) for colour in colours)
    assert (max(text, background) + 0.05) / (min(text, background) + 0.05) >= 7


def luminance(css_colour: str) -> float:
    """Relative luminance of an ``rgb()`` colour, as WCAG defines it."""
    red, green, blue = (int(v) / 255 for v in re.findall(r"\d+", css_colour)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def test_screenshots_are_written_for_reviewers(browser: Browser, site: Served) -> None:
    for label, viewport in [("desktop", None), ("phone", PHONE)]:
        visit = Visit(browser, site, viewport=viewport)
        screenshot(visit.open("index.html"), f"{label}-home")
        screenshot(visit.open("ch01-balancing.html"), f"{label}-chapter")
        page = visit.open("ch11-measuring-power.html")
        page.locator("figure img").first.scroll_into_view_if_needed()
        screenshot(page, f"{label}-figure")
        visit.close()
    written = {path.name: path.stat().st_size for path in SCREENSHOTS.glob("*.png")}
    expected = {f"{label}-{shot}.png" for label in ("desktop", "phone") for shot in ("home", "chapter", "figure")}
    assert expected <= set(written) and all(written[name] > 5_000 for name in expected)
    (SCREENSHOTS / "index.json").write_text(json.dumps(sorted(written), indent=1))
