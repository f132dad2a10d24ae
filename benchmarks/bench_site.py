"""Benchmark: how long the site takes to build and how heavy a chapter page is for a reader.

``make bench-site`` copies ``book/`` to a private folder and measures, on this machine:

* the full build from clean (figures, notebooks and all), as ``make html`` runs it;
* the rebuild after editing one chapter (the incremental build an author waits for);
* for each chapter page opened cold in headless Chromium: the bytes it loads, everything
  included and uncompressed, and the first contentful paint, from Chromium's performance API.

Targets (issue 6): a chapter page at most 600 KB; a one-chapter edit rebuilt in under 10 s.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from site_server import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

SPHINX = [str(Path(sys.executable).parent / "sphinx-build"), "-c", str(ROOT), "-W", "--keep-going", "-n", "-q"]


def build(src: Path, out: Path, doctrees: Path) -> float:
    start = time.perf_counter()
    subprocess.run([*SPHINX, "-d", str(doctrees), "-b", "html", str(src), str(out)], check=True)
    return time.perf_counter() - start


def page_figures(site: Path, pages: list[str]) -> dict[str, tuple[int, float]]:
    from playwright.sync_api import sync_playwright

    figures = {}
    with serve(site) as served, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for name in pages:
            context = browser.new_context()
            page = context.new_page()
            page.goto(served.url + name, wait_until="load")
            page.wait_for_load_state("networkidle")
            loaded, paint = page.evaluate(
                """() => [
                    performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
                        .reduce((sum, entry) => sum + entry.decodedBodySize, 0),
                    (performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime,
                ]"""
            )
            figures[name] = (loaded, paint)
            context.close()
        browser.close()
    return figures


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        work = Path(tmp)
        src = work / "book"
        shutil.copytree(ROOT / "book", src, ignore=shutil.ignore_patterns("_generated", "__pycache__"))
        out, doctrees = work / "html", work / "doctrees"
        full = build(src, out, doctrees)
        chapter = sorted(src.glob("ch[0-9][0-9]-*.md"))[0]
        chapter.write_text(chapter.read_text(encoding="utf-8") + "\nAn edited sentence.\n", encoding="utf-8")
        incremental = build(src, out, doctrees)
        pages = [path.stem + ".html" for path in sorted(src.glob("ch[0-9][0-9]-*.md"))]
        figures = page_figures(out, pages)

    print(f"full build from clean:           {full:6.1f} s")
    print(f"rebuild after a one-chapter edit: {incremental:6.1f} s   (target < 10 s)")
    print("chapter page opened cold           KB loaded   first contentful paint")
    for name, (loaded, paint) in figures.items():
        print(f"  {name:34s} {loaded / 1024:8.0f}   {paint:8.0f} ms")
    heaviest = max(loaded for loaded, _ in figures.values())
    print(f"heaviest chapter page: {heaviest / 1024:.0f} KB   (target <= 600 KB)")


if __name__ == "__main__":
    main()
