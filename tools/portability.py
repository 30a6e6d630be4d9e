"""Run every chapter as a reader downloads it: in a clean environment, under other numeric
environments, and compare its outputs with the reference notebooks.

This is how an instructor meets a chapter outside a clone, and how the recorded outputs prove
that they do not depend on the machine. In one run:

1. serve the built site (``_build/html``) on 127.0.0.1;
2. make a clean virtual environment with only a notebook runner (nbclient, ipykernel, and nbval
   with pytest and pytest-xdist to compare): no glmnotes, no numpy;
3. download each chapter's ``.ipynb`` over HTTP, following the link of the page's download menu;
   put the reference notebook's outputs (``tests/notebooks/``) into it, cell by cell, after
   checking that the cells are the same;
4. execute one downloaded chapter's first cell, which installs glmnotes (the wheel served beside
   the site, ``packages/``) with what the chapters import, from pip's usual index for the rest,
   at the versions of ``requirements.lock`` (``PIP_CONSTRAINT``);
5. execute every downloaded chapter with nbval, comparing every output with the reference (the
   first cell's output excepted: it is pip's), under

   * ``OPENBLAS_CORETYPE=Prescott``: OpenBLAS's generic x86-64 kernels instead of the CPU's own;
   * ``NPY_DISABLE_CPU_FEATURES``: numpy without the SIMD code paths above its baseline that this
     CPU would use (AVX2 / AVX-512: ``X86_V3``, ``X86_V4``, ... as the installed numpy names them);
   * ``OPENBLAS_NUM_THREADS=1``: single-threaded BLAS (another order of summation);
   * ``GLMNOTES_TIME_SCALE=0.25``: every time budget of the checker four times shorter, as on a
     machine four times slower.

Every chapter's first cell is the same install cell (``_ext/ipynb_download.py``, checked in step
3): one chapter installs, the others find glmnotes importable, as they would in one environment.

Usage::

    python tools/portability.py          # all four at once (what `make test` runs)
    python tools/portability.py --each   # each environment alone, then all four at once
"""

from __future__ import annotations

import html.parser
import os
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_site import serving  # noqa: E402  (tools/, just put on the path)

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
REFERENCES = ROOT / "tests" / "notebooks"
WORK = ROOT / "_build" / "anywhere"
#: What the clean environment starts with: a notebook runner and nbval to compare, nothing else.
RUNNER = ["nbclient", "ipykernel", "nbval", "pytest", "pytest-xdist"]
#: nbval's whole run, and each cell, are bounded (a hang fails with the chapter's name).
CELL_TIMEOUT, RUN_TIMEOUT = 600, 1500


def numpy_simd_features(python: Path) -> str:
    """The dispatched SIMD targets of ``python``'s numpy that this CPU supports."""
    probe = (
        "from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__\n"
        "print(' '.join(f for f in __cpu_dispatch__ if __cpu_features__.get(f)))"
    )
    result = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def environments(python: Path) -> dict[str, dict[str, str]]:
    """Name -> the environment variables of each numeric environment."""
    envs = {
        "OpenBLAS generic kernel": {"OPENBLAS_CORETYPE": "Prescott"},
        "single-threaded BLAS": {"OPENBLAS_NUM_THREADS": "1"},
        "checker four times slower": {"GLMNOTES_TIME_SCALE": "0.25"},
    }
    features = numpy_simd_features(python)
    if features:
        envs["numpy without " + features] = {"NPY_DISABLE_CPU_FEATURES": features}
    else:
        print("numpy dispatches no SIMD path above its baseline on this CPU: nothing to disable")
    return envs


def pip_environment(site_url: str) -> dict[str, str]:
    """pip pointed at the distribution beside the site, and held to the lock's versions."""
    find_links = " ".join(filter(None, [os.environ.get("PIP_FIND_LINKS"), f"{site_url}/packages/"]))
    constraints = " ".join(
        filter(None, [os.environ.get("PIP_CONSTRAINT"), str(ROOT / "requirements.lock")])
    )
    return {
        **os.environ,
        "PIP_FIND_LINKS": find_links,
        "PIP_CONSTRAINT": constraints,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        # No byte-compiling of every installed module (scipy, sympy: most are never imported);
        # what a kernel imports is compiled once, on import.
        "PIP_NO_COMPILE": "1",
    }


def clean_environment(path: Path, env: dict[str, str]) -> Path:
    """A new virtual environment with only :data:`RUNNER`; its Python."""
    shutil.rmtree(path, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", path], check=True)
    python = path / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", *RUNNER], check=True, env=env)
    for absent in ("glmnotes", "numpy"):
        found = subprocess.run([python, "-c", f"import {absent}"], capture_output=True, cwd=WORK)
        if found.returncode == 0:
            raise SystemExit(f"the clean environment already has {absent}: it is not clean")
    return python


class _DownloadLink(html.parser.HTMLParser):
    """The first link to a ``.ipynb`` on a page: the download menu's."""

    def __init__(self):
        super().__init__()
        self.href: str | None = None

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and self.href is None and href.endswith(".ipynb"):
            self.href = href


def download(site_url: str, chapter: str, into: Path) -> Path:
    """Download ``book/<chapter>``'s notebook as its page's download menu links it."""
    page = f"{site_url}/book/{chapter}.html"
    with urllib.request.urlopen(page, timeout=30) as response:
        parser = _DownloadLink()
        parser.feed(response.read().decode())
    if parser.href is None:
        raise SystemExit(f"{page}: no .ipynb in its download menu")
    with urllib.request.urlopen(urllib.parse.urljoin(page, parser.href), timeout=30) as response:
        target = into / f"{chapter}.ipynb"
        target.write_bytes(response.read())
    return target


def with_reference_outputs(downloaded: Path, reference: Path) -> None:
    """Give the downloaded notebook the reference's outputs, after its install cell; the cells
    must be the same (same type, same source)."""
    notebook = nbformat.read(downloaded, as_version=4)
    expected = nbformat.read(reference, as_version=4)
    install, *cells = notebook.cells
    if "glmnotes-install" not in install.metadata.get("tags", []):
        raise SystemExit(f"{downloaded.name}: its first cell is not the install cell")
    mismatched = [
        index
        for index, (cell, ref) in enumerate(zip(cells, expected.cells, strict=False))
        if (cell.cell_type, cell.source) != (ref.cell_type, ref.source)
    ]
    if mismatched or len(cells) != len(expected.cells):
        raise SystemExit(
            f"{downloaded.name} differs from {reference.relative_to(ROOT)} "
            f"(cells {mismatched[:5]}, {len(cells)} against {len(expected.cells)} cells): "
            "build the book again (make book), or re-record the chapter (make record)"
        )
    for cell, ref in zip(cells, expected.cells, strict=True):
        if cell.cell_type == "code":
            cell.outputs = ref.outputs
            cell.execution_count = ref.execution_count
    nbformat.write(notebook, downloaded)


INSTALL_AND_IMPORT = """\
import sys
import nbformat
from nbclient import NotebookClient

notebook = nbformat.read(sys.argv[1], as_version=4)
notebook.cells = [
    notebook.cells[0],
    nbformat.v4.new_code_cell("import glmnotes\\nprint('glmnotes', glmnotes.__version__)"),
]
NotebookClient(notebook, timeout=900, kernel_name="python3").execute()
for cell in notebook.cells:
    for output in cell.outputs:
        print(output.get("text", ""), end="")
"""


def install_from_first_cell(python: Path, notebook: Path, env: dict[str, str]) -> None:
    """Execute the downloaded chapter's first cell in a kernel of the clean environment."""
    kernel_env = {**env, "PATH": f"{python.parent}{os.pathsep}{env.get('PATH', '')}"}
    subprocess.run(
        [python, "-c", INSTALL_AND_IMPORT, notebook],
        check=True,
        env=kernel_env,
        timeout=900,
        cwd=WORK,  # not the repository, whose glmnotes/ the kernel would import
    )


def run(name: str, variables: dict[str, str], jobs: str, python: Path, env: dict) -> int:
    shown = " ".join(f'{key}="{value}"' for key, value in variables.items())
    print(f"== {name}: {shown}", flush=True)
    command = [
        python,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-c",
        str(WORK / "pytest.ini"),  # this folder's configuration, not the repository's
        "--rootdir",
        str(WORK),
        "-n",
        jobs,
        "--dist",
        "loadfile",
        "--max-worker-restart=0",  # a crashed worker fails the run at once, naming its test
        "--nbval",
        "--nbval-current-env",
        f"--nbval-cell-timeout={CELL_TIMEOUT}",
        "--nbval-sanitize-with",
        str(ROOT / "tests" / "nbval-sanitize.cfg"),
        "notebooks",
    ]
    kernel_env = {**env, **variables, "PATH": f"{python.parent}{os.pathsep}{env['PATH']}"}
    try:
        return subprocess.run(command, cwd=WORK, env=kernel_env, timeout=RUN_TIMEOUT).returncode
    except subprocess.TimeoutExpired:
        print(f"{name}: still running after {RUN_TIMEOUT} s: stopped")
        return 1


def prepare(site_url: str, env: dict[str, str]) -> Path:
    """The clean environment with glmnotes installed by a downloaded chapter; its Python."""
    notebooks = WORK / "notebooks"
    notebooks.mkdir(parents=True)
    # pytest's configuration for this folder alone (not the repository's).
    (WORK / "pytest.ini").write_text("[pytest]\n")
    python = clean_environment(WORK / "venv", env)
    chapters = sorted(path.stem for path in REFERENCES.glob("*.ipynb"))
    for chapter in chapters:
        with_reference_outputs(
            download(site_url, chapter, notebooks), REFERENCES / f"{chapter}.ipynb"
        )
    install_from_first_cell(python, notebooks / f"{chapters[0]}.ipynb", env)
    return python


def main(argv: list[str]) -> int:
    if not (SITE / "index.html").is_file():
        raise SystemExit(f"no built site in {SITE}: make book first")
    jobs = os.environ.get("JOBS", "2")
    shutil.rmtree(WORK, ignore_errors=True)
    with serving(SITE) as site_url:
        env = pip_environment(site_url)
        python = prepare(site_url, env)
        envs = environments(python)
        combined = {key: value for variables in envs.values() for key, value in variables.items()}
        plan = dict(envs) if "--each" in argv else {}
        plan["all four at once"] = combined
        failed = [
            name for name, variables in plan.items() if run(name, variables, jobs, python, env)
        ]
    if failed:
        print("outputs differ under: " + "; ".join(failed))
        return 1
    print(
        "every chapter, downloaded from the site into a clean environment, reproduces its "
        f"reference outputs under: {'; '.join(plan)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
