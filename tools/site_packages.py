"""Stage the glmnotes distribution the built site serves, where pip can find it.

    python tools/site_packages.py [--out _build/packages] [--dist dist]

A chapter downloaded from the site installs glmnotes itself (its first cell; see
``_ext/ipynb_download.py``). Until glmnotes is on PyPI, pip finds it beside the site:
``<site>/packages/`` holds the wheel built from this checkout (``pip wheel --no-deps``, reused while
the package sources are unchanged, as for the playground), this version's sdist too when ``dist/``
holds one (``python -m build``, which the publishing workflow runs), and two index pages:

* ``packages/index.html``, a find-links page (``pip install --find-links <site>/packages/``);
* ``packages/simple/glmnotes/index.html``, a PEP 503 project page (``--index-url
  <site>/packages/simple/``, with ``--extra-index-url`` for everything else).

Every link carries the file's sha256, which pip checks. ``_ext/site_packages.py`` copies
``<out>/site`` into the built book as ``packages/``.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import shutil
import sys
from pathlib import Path

import glmnotes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from playground_assets import glmnotes_wheel  # noqa: E402  (the same cached wheel build)

ROOT = Path(__file__).resolve().parent.parent


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def links_page(title: str, links: list[tuple[str, str]]) -> str:
    """An HTML page of links (href, text), as pip reads find-links and PEP 503 pages."""
    rows = "\n".join(
        f'    <a href="{html.escape(href)}">{html.escape(text)}</a><br>' for href, text in links
    )
    return (
        '<!DOCTYPE html>\n<html>\n  <head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n  <body>\n{rows}\n  </body>\n</html>\n"
    )


def file_links(files: list[Path], prefix: str) -> list[tuple[str, str]]:
    """A link to each file with its sha256, which pip checks."""
    return [(f"{prefix}{path.name}#sha256={sha256(path)}", path.name) for path in files]


def stage(out: Path, dist: Path | None) -> Path:
    cache, site = out / "cache", out / "site"
    cache.mkdir(parents=True, exist_ok=True)
    staging = out / "site.new"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    files = [glmnotes_wheel(cache, staging)]
    if dist is not None:
        sdist = dist / f"glmnotes-{glmnotes.__version__}.tar.gz"
        if sdist.is_file():
            shutil.copy2(sdist, staging / sdist.name)
            files.append(staging / sdist.name)
    files.sort(key=lambda path: path.name)
    (staging / "index.html").write_text(links_page("glmnotes distributions", file_links(files, "")))
    project = staging / "simple" / "glmnotes"
    project.mkdir(parents=True)
    (project / "index.html").write_text(
        links_page("Links for glmnotes", file_links(files, "../../"))
    )
    (staging / "simple" / "index.html").write_text(
        links_page("Simple index", [("glmnotes/", "glmnotes")])
    )
    shutil.rmtree(site, ignore_errors=True)
    staging.rename(site)
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "packages")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="python -m build's output")
    args = parser.parse_args()
    site = stage(args.out, args.dist)
    print(f"glmnotes for pip: {', '.join(sorted(p.name for p in site.glob('glmnotes-*')))}")


if __name__ == "__main__":
    main()
