"""The built site as a reader's browser shows it: headless Chromium against 127.0.0.1.

Every page is opened once (in light and in dark theme); the tests below assert on what was seen.
Chromium comes from Debian's package (`apt-get install chromium`, which .ci/run does); Playwright's
Python package drives it through /usr/bin/chromium. No browser is ever downloaded.
"""

from urllib.parse import urljoin, urlparse

import pytest

pytestmark = pytest.mark.browser


# Collect, inside the page, everything the tests judge.
INSPECT = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const images = [...document.images].map(img => ({
    src: img.currentSrc || img.src, ok: img.complete && img.naturalWidth > 0}));
  const content = document.querySelector("main") || document.body;
  const clone = content.cloneNode(true);
  clone.querySelectorAll("mjx-container, pre, code, script, style, .MathJax_Preview")
       .forEach(node => node.remove());
  const links = [...document.querySelectorAll("a[href]")].map(a => a.href);
  const ids = [...document.querySelectorAll("[id]")].map(node => node.id);
  return {
    math: document.querySelectorAll("mjx-container").length,
    mathErrors: document.querySelectorAll("mjx-merror").length,
    text: clone.innerText,
    images, links, ids,
  };
}
"""

RAW_TEX = ("\\frac", "\\begin{", "\\sum", "\\eta", "\\theta", "\\sigma(", "$$", "\\(", "\\[")


def visit(browser, url, theme="light"):
    """Open ``url``; return what the page showed, every request it made and every console error."""
    context = browser.new_context(color_scheme=theme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlparse(route.request.url).hostname == "127.0.0.1"
            else route.abort()
        ),
    )
    page.goto(url, wait_until="networkidle")
    report = page.evaluate(INSPECT)
    report.update(requests=requests, errors=errors)
    return context, page, report


@pytest.fixture(scope="module")
def crawl(browser, server, site):
    """Every built page, opened once."""
    reports = {}
    for html in sorted(site.rglob("*.html")):
        relative = html.relative_to(site).as_posix()
        if relative in {"genindex.html", "search.html"} or relative.startswith("_"):
            continue  # generated indexes, and theme fragments under _static/
        context, _, report = visit(browser, urljoin(server, relative))
        context.close()
        reports[relative] = report
    return reports


def test_every_formula_is_rendered_by_mathjax(crawl):
    assert sum(report["math"] for report in crawl.values()) > 0
    for page, report in crawl.items():
        assert report["mathErrors"] == 0, f"{page}: {report['mathErrors']} MathJax errors"
        leftovers = [marker for marker in RAW_TEX if marker in report["text"]]
        assert not leftovers, f"{page}: raw TeX left in the page text: {leftovers}"


def test_every_image_loads(crawl):
    for page, report in crawl.items():
        broken = [image["src"] for image in report["images"] if not image["ok"]]
        assert not broken, f"{page}: images that did not load: {broken}"


def test_no_request_leaves_the_machine(crawl):
    for page, report in crawl.items():
        foreign = [url for url in report["requests"] if urlparse(url).hostname != "127.0.0.1"]
        assert not foreign, f"{page}: requests to other hosts: {foreign}"


def test_no_console_errors(crawl):
    for page, report in crawl.items():
        assert not report["errors"], f"{page}: console errors: {report['errors']}"


def test_every_internal_link_and_anchor_resolves(crawl, server, site):
    ids = {urljoin(server, page): set(report["ids"]) for page, report in crawl.items()}
    for page, report in crawl.items():
        for link in report["links"]:
            parsed = urlparse(link)
            if parsed.hostname != "127.0.0.1":
                continue
            target = site / parsed.path.lstrip("/")
            if target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{page}: broken link {link}"
            base = link.split("#")[0]
            if parsed.fragment and base in ids:
                assert parsed.fragment in ids[base], f"{page}: missing anchor {link}"


def test_search_finds_sigmoid(browser, server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(urljoin(server, "search.html?q=sigmoid"), wait_until="networkidle")
    page.wait_for_selector("ul.search li", timeout=20_000)
    hits = page.locator("ul.search li").count()
    context.close()
    assert hits > 0


@pytest.mark.parametrize(
    "page_path, theme",
    [
        ("book/index.html", "light"),
        ("book/glm.html", "light"),
        ("book/glm.html", "dark"),
        ("book/errata.html", "light"),
    ],
)
def test_no_serious_accessibility_violations(browser, server, page_path, theme):
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    context, page, _ = visit(browser, urljoin(server, page_path), theme)
    results = axe_module.Axe().run(page)
    context.close()
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert not serious, "\n".join(serious)


def test_figures_have_an_opaque_background_for_both_themes(site):
    # A transparent figure with dark ink disappears on the dark theme's background.
    import matplotlib.image

    figures = [path for path in (site / "_images").glob("*.png")]
    assert figures, "the book has no figures"
    for path in figures:
        pixels = matplotlib.image.imread(path)
        if pixels.ndim == 3 and pixels.shape[2] == 4:
            assert pixels[..., 3].min() == 1.0, f"{path.name} has transparent pixels"


def test_screenshots_for_people_to_look_at(browser, server, site):
    shots = site.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    for name, page_path, theme in [
        ("landing", "book/index.html", "light"),
        ("derivation", "book/glm.html", "light"),
        ("derivation-dark", "book/glm.html", "dark"),
    ]:
        context, page, _ = visit(browser, urljoin(server, page_path), theme)
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        context.close()
        assert (shots / f"{name}.png").stat().st_size > 10_000


# --- the reader's layout: nothing scrolls sideways, marks are legible and open their details ----

LAYOUT = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const column = document.querySelector("article.bd-article") || document.querySelector("main");
  const right = column.getBoundingClientRect().right + 1;
  const shown = (node) => !node.closest("details:not([open])") && node.getClientRects().length;
  const overflowing = [];
  const check = (kind, selector, scrolls) => {
    for (const node of document.querySelectorAll(selector)) {
      if (!shown(node)) continue;
      const wide = node.getBoundingClientRect().right > right;
      const scrolling = scrolls && node.scrollWidth > node.clientWidth + 1;
      if (wide || scrolling) {
        const text = (node.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 70);
        overflowing.push(`${kind} ${node.id || ""}: ${text}`);
      }
    }
  };
  check("derivation", ".glmnotes-display", true);
  check("formula of a derivation", ".glmnotes-math mjx-container", true);
  check("display equation", "div.math mjx-container, mjx-container[display='true']", true);
  check("code", "div.cell_input pre", true);
  check("output", "div.cell_output pre", true);
  check("table", "article table", true);
  check("figure", "article img", false);
  const paragraph = document.querySelector("article p") || document.body;
  const body = parseFloat(getComputedStyle(paragraph).fontSize);
  const marks = [...document.querySelectorAll(".glmnotes-mark")].filter(shown)
    .map(mark => parseFloat(getComputedStyle(mark).fontSize));
  return {
    overflowing, body, marks,
    pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
    derivations: document.querySelectorAll(".glmnotes-derivation").length,
  };
}
"""

CHAPTER_PAGES = [
    "book/index.html",
    "book/exponential-families.html",
    "book/glm.html",
    "book/backpropagation.html",
    "book/deep-learning-mle.html",
    "book/linear-networks.html",
    "book/errata.html",
    "book/checking.html",
]


def layout(browser, server, page_path, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(urljoin(server, page_path), wait_until="networkidle")
    report = page.evaluate(LAYOUT)
    context.close()
    return report


@pytest.mark.parametrize("page_path", CHAPTER_PAGES)
def test_nothing_scrolls_sideways_at_1280(browser, server, page_path):
    report = layout(browser, server, page_path, 1280)
    assert report["pageOverflow"] <= 1
    assert not report["overflowing"], f"{page_path} at 1280 px:\n" + "\n".join(
        report["overflowing"]
    )


@pytest.mark.parametrize("page_path", CHAPTER_PAGES)
def test_derivations_reflow_on_a_phone(browser, server, page_path):
    report = layout(browser, server, page_path, 390)
    assert report["pageOverflow"] <= 1, f"{page_path} scrolls sideways at 390 px"
    wide = [line for line in report["overflowing"] if line.startswith("derivation ")]
    assert not wide, f"{page_path} at 390 px:\n" + "\n".join(wide)


def test_marks_are_at_least_body_size(browser, server):
    report = layout(browser, server, "book/glm.html", 1280)
    assert report["derivations"] > 5 and report["marks"]
    assert min(report["marks"]) >= 0.95 * report["body"], (report["marks"], report["body"])


def test_a_false_mark_opens_its_counterexample(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(urljoin(server, "book/errata.html"), wait_until="networkidle")
    mark = page.locator(".glmnotes-false > summary").first
    details = page.locator(".glmnotes-false .glmnotes-details").first
    assert not details.is_visible()
    mark.click()
    details.wait_for(state="visible")
    text = details.inner_text()
    context.close()
    assert "left side" in text and "right side" in text
