"""The book as its authors and readers need it: complete chapters, resolved links, an offline site."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from chapters import (
    BOOK,
    chapter_files,
    cited_keys,
    parse_chapter,
    term_targets,
    words,
)
from conftest import COURSE, BuiltSite
from leaks import assert_nothing_hidden_released

CHAPTER_ONE_QUESTIONS = [
    "How does balancing differ from bandwagoning in the context of state behavior in international relations?",
    "Discuss how the concept of balancing contributes to understanding the stability or instability of the "
    "international system.",
    "Evaluate the role of balancing in shaping foreign policy decisions among major global powers during the "
    "21st century.",
]
TEMPLATE_ORDER = ["scope", "objectives", "must-know", "key terms", "review questions"]
CHAPTERS = chapter_files()
CHAPTER_IDS = [path.stem for path in CHAPTERS]


def html_pages(site: BuiltSite) -> list[Path]:
    return sorted(p for p in site.outdir.rglob("*.html") if "_static" not in p.parts)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def glossary_terms() -> set[str]:
    text = (BOOK / "glossary.md").read_text(encoding="utf-8")
    block = re.search(r"^:::\{glossary\}\n(.*?)^:::\s*$", text, flags=re.M | re.S)
    assert block, "book/glossary.md has no {glossary} block"
    return {
        line.strip().lower()
        for line in block.group(1).splitlines()
        if line and not line[0].isspace() and not line.startswith(":")
    }


def bib_keys() -> set[str]:
    return set(re.findall(r"^@\w+\{([^,]+),", (BOOK / "references.bib").read_text(encoding="utf-8"), re.M))


def book_sources() -> list[Path]:
    return [
        p
        for p in BOOK.rglob("*.md")
        if "_parts" not in p.parts and p.name != "CONTRIBUTING.md" and "data" not in p.parts
    ]


# --- The build -------------------------------------------------------------------------------


def test_site_builds_without_a_single_warning(built_site: BuiltSite) -> None:
    warnings = [line for line in built_site.log.splitlines() if "WARNING" in line or "ERROR" in line]
    assert warnings == []


def test_every_chapter_is_labelled_by_its_number_and_in_the_navigation(built_site: BuiltSite) -> None:
    assert [p.name[:4] for p in CHAPTERS] == [f"ch{n:02d}" for n in range(1, 13)], [p.name for p in CHAPTERS]
    assert [parse_chapter(p).label for p in CHAPTERS] == [p.name[:4] for p in CHAPTERS]
    nav_links = {a["href"].split("#")[0] for a in soup(built_site.outdir / "index.html").select("nav a[href]")}
    for path in CHAPTERS:
        assert f"{path.stem}.html" in nav_links, f"{path.name} is not in the site navigation"


# --- Each chapter's parts ---------------------------------------------------------------------


@pytest.mark.parametrize("path", CHAPTERS, ids=CHAPTER_IDS)
def test_chapter_has_the_template_parts_in_order(path: Path) -> None:
    chapter = parse_chapter(path)
    assert chapter.title, "no '# Title'"
    assert chapter.order == TEMPLATE_ORDER, f"parts missing or out of order: {chapter.order}"
    scope = next(b for b in chapter.blocks if b.header.startswith("{admonition} In brief"))
    assert scope.options.get("class") == "scope" and words(scope.body) >= 40, "the scope box is too thin"
    objectives = re.findall(r"^\d+\. ", chapter.sections["Learning objectives"], flags=re.M)
    assert len(objectives) >= 3, "fewer than three learning objectives"


@pytest.mark.parametrize("path", CHAPTERS, ids=CHAPTER_IDS)
def test_chapter_has_five_cited_must_know_facts(path: Path) -> None:
    box = next(b for b in parse_chapter(path).blocks if b.header.startswith("{admonition} Five must-know facts"))
    assert box.options.get("class") == "must-know"
    facts = re.split(r"^\d+\. ", box.body, flags=re.M)[1:]
    assert len(facts) == 5, f"{len(facts)} facts"
    uncited = [fact[:60] for fact in facts if not cited_keys(fact)]
    assert uncited == [], f"facts without a citation: {uncited}"


@pytest.mark.parametrize("path", CHAPTERS, ids=CHAPTER_IDS)
def test_chapter_body_is_a_full_cited_text(path: Path) -> None:
    chapter = parse_chapter(path)
    assert 2000 <= words(chapter.body) <= 4000, f"body has {words(chapter.body)} words"
    body_sections = chapter.h2[chapter.h2.index("Learning objectives") + 1 : chapter.h2.index("Key terms")]
    assert len(body_sections) >= 3, f"body sections: {body_sections}"
    assert len(set(cited_keys(chapter.body))) >= 3, "the body cites fewer than three works"


@pytest.mark.parametrize("path", CHAPTERS, ids=CHAPTER_IDS)
def test_key_terms_link_to_the_glossary(path: Path) -> None:
    terms = term_targets(parse_chapter(path).sections["Key terms"])
    assert len(terms) >= 5, f"only {len(terms)} key terms"
    assert set(terms) <= glossary_terms(), f"not in the glossary: {set(terms) - glossary_terms()}"


@pytest.mark.parametrize("path", CHAPTERS, ids=CHAPTER_IDS)
def test_review_questions_rise_in_depth_and_have_model_answers(path: Path) -> None:
    questions = parse_chapter(path).questions
    assert [(q.number, q.kind) for q in questions] == [(1, "compare"), (2, "discuss"), (3, "evaluate")]
    for q in questions:
        assert q.text.rstrip('"\u201d').endswith(("?", ".")), f"question {q.number} has no question text"
        assert q.model_answer and words(q.model_answer) >= 80, f"question {q.number}: model answer too short"


def test_chapter_one_asks_the_three_review_questions_verbatim(built_site: BuiltSite) -> None:
    chapter = parse_chapter(BOOK / "ch01-balancing.md")
    assert [q.text for q in chapter.questions] == CHAPTER_ONE_QUESTIONS
    page = " ".join(soup(built_site.outdir / "ch01-balancing.html").get_text(" ").split())
    for question in CHAPTER_ONE_QUESTIONS:
        assert question in page


ASSIGNMENTS = sorted(path.parent.name for path in COURSE.glob("source/*/*.ipynb"))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_chapter_offers_its_exercise_notebook_for_download(built_site: BuiltSite, assignment: str) -> None:
    section = soup(built_site.outdir / f"{assignment}.html").select_one("section#exercise-notebook")
    assert section is not None, f"{assignment}.md has no '## Exercise notebook' section"
    links = [a["href"] for a in section.select("a.download[href]")]
    assert any(href.endswith((f"/{assignment}.ipynb", f"/{assignment}.zip")) for href in links), links
    assert all((built_site.outdir / href).is_file() for href in links)
    data = COURSE / "source" / assignment / "data"
    if data.is_dir():  # the folder the notebook reads must come with it
        archive = next(built_site.outdir / href for href in links if href.endswith(".zip"))
        names = set(zipfile.ZipFile(archive).namelist())
        wanted = {f"{assignment}/{assignment}.ipynb"} | {f"{assignment}/data/{p.name}" for p in data.iterdir()}
        assert wanted <= names


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_a_downloaded_notebook_holds_no_solution_hidden_test_or_rubric(built_site: BuiltSite, assignment: str) -> None:
    section = soup(built_site.outdir / f"{assignment}.html").select_one("section#exercise-notebook")
    hrefs = [a["href"] for a in section.select("a.download[href]")] if section else []
    assert hrefs, f"{assignment}.html offers no download"
    source = COURSE / "source" / assignment / f"{assignment}.ipynb"
    rubric_file = COURSE / "rubrics" / f"{assignment}.yaml"
    for href in hrefs:
        path = built_site.outdir / href
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                names = [name for name in archive.namelist() if name.endswith(".ipynb")]
                notebooks = [archive.read(name).decode("utf-8") for name in names]
        else:
            notebooks = [path.read_text(encoding="utf-8")]
        assert notebooks, f"{href} holds no notebook"
        for text in notebooks:
            assert_nothing_hidden_released(source, text, rubric_file)


def test_model_answers_are_hidden_behind_a_toggle(built_site: BuiltSite) -> None:
    for path in CHAPTERS:
        page = soup(built_site.outdir / f"{path.stem}.html")
        toggles = [d for d in page.select("details") if "Model answer" in d.summary.get_text()]
        assert len(toggles) == 3, f"{path.stem}: {len(toggles)} model-answer toggles"
        assert all(not d.has_attr("open") for d in toggles), f"{path.stem}: an answer is open by default"


# --- Glossary and bibliography ---------------------------------------------------------------


def test_glossary_has_at_least_sixty_terms_and_each_is_used() -> None:
    defined = glossary_terms()
    used = {term for path in book_sources() for term in term_targets(path.read_text(encoding="utf-8"))}
    assert len(defined) >= 60
    assert used - defined == set(), "linked but not defined"
    assert defined - used == set(), "defined but never linked from a chapter"


def test_glossary_links_resolve_in_the_site(built_site: BuiltSite) -> None:
    glossary = soup(built_site.outdir / "glossary.html")
    anchors = {dt["id"] for dt in glossary.select("dl.glossary dt[id]")}
    for path in CHAPTERS:
        for link in soup(built_site.outdir / f"{path.stem}.html").select(
            "a.reference.internal[href^='glossary.html#']"
        ):
            assert link["href"].split("#", 1)[1] in anchors, link["href"]


def test_every_citation_resolves_and_every_reference_is_cited() -> None:
    cited = {key for path in book_sources() for key in cited_keys(path.read_text(encoding="utf-8"))}
    keys = bib_keys()
    assert cited - keys == set(), "cited but not in references.bib"
    assert keys - cited == set(), "in references.bib but never cited"


def test_bibliography_page_lists_every_reference(built_site: BuiltSite) -> None:
    entries = soup(built_site.outdir / "bibliography.html").select("div.citation, dl.citation > dt")
    assert len(entries) == len(bib_keys())


# --- Figures and images ----------------------------------------------------------------------


def test_every_image_has_alt_text(built_site: BuiltSite) -> None:
    for page in html_pages(built_site):
        for img in soup(page).select("img"):
            assert img.get("alt", "").strip(), f"{page.name}: {img.get('src')} has no alt text"


@pytest.mark.parametrize("figure", ["cinc-shares.png", "concentration.png", "nato-warsaw.png", "germany-share.png"])
def test_data_figures_are_shown_with_caption_and_alt_text(built_site: BuiltSite, figure: str) -> None:
    shown = [
        (page, fig)
        for page in html_pages(built_site)
        for fig in soup(page).select("figure")
        if fig.img and fig.img["src"].endswith(figure)
    ]
    assert shown, f"{figure} is on no page"
    for page, fig in shown:
        assert (page.parent / fig.img["src"]).is_file()
        assert len(fig.img["alt"].split()) >= 8, f"{page.name}: alt text of {figure} too short"
        assert fig.figcaption and len(fig.figcaption.get_text().split()) >= 15, f"{page.name}: caption too thin"


def test_a_deleted_figure_is_redrawn_by_the_next_build(built_site: BuiltSite) -> None:
    figure = built_site.srcdir / "_generated" / "nato-warsaw.png"
    assert figure.is_file()
    figure.unlink()
    result = built_site.rebuild()
    assert result.returncode == 0, result.stderr[-3000:]
    assert figure.is_file() and figure.stat().st_size > 10_000
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_figures_are_not_committed() -> None:
    gitignore = (BOOK.parent / ".gitignore").read_text(encoding="utf-8")
    assert "/book/_generated/" in gitignore


# --- Reader features and offline use ---------------------------------------------------------

REMOTE = re.compile(r"^(https?:)?//", re.I)


def test_no_page_loads_anything_from_another_host(built_site: BuiltSite) -> None:
    for page in html_pages(built_site):
        doc = soup(page)
        loaded = [tag.get("src") for tag in doc.select("script[src], img[src], iframe[src], source[src]")]
        loaded += [tag.get("href") for tag in doc.select("link[href]") if tag.get("rel") != ["canonical"]]
        remote = [url for url in loaded if url and REMOTE.match(url)]
        assert remote == [], f"{page.name} loads {remote}"
    for css in built_site.outdir.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        remote = re.findall(r"(?:url\(\s*['\"]?|@import\s+['\"])((?:https?:)?//[^'\")\s]+)", text)
        assert remote == [], f"{css.name} loads {remote}"


def test_reader_features_are_present(built_site: BuiltSite) -> None:
    chapter = soup(built_site.outdir / f"{CHAPTERS[1].stem}.html")
    assert (built_site.outdir / "search.html").is_file() and (built_site.outdir / "searchindex.js").is_file()
    assert chapter.select_one("a.left-prev") and chapter.select_one("a.right-next"), "previous/next links"
    assert chapter.select_one("#pst-page-navigation-heading-2, .bd-toc"), "page table of contents"
    assert chapter.select_one(".theme-switch-button"), "dark-mode switch"
    assert chapter.find("meta", attrs={"name": "viewport"}), "mobile viewport"
    source = built_site.outdir / "_sources" / f"{CHAPTERS[1].stem}.md"
    assert source.is_file(), "the page's source is not downloadable"
    assert chapter.find("a", href=re.compile(r"_sources/" + re.escape(CHAPTERS[1].stem) + r"\.md$"))
