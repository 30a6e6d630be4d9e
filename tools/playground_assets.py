"""Stage the assets of the "Check your own step" playground: Python for the reader's browser.

    python tools/playground_assets.py [--out _build/playground]

Everything is pinned and checked, and nothing is fetched when a page is viewed:

1. the Pyodide core (WebAssembly CPython and its standard library) from the npm package
   ``pyodide`` at PYODIDE_VERSION (``npm pack``; the tarball's sha512 must match);
2. the sympy and mpmath wheels from PyPI at the versions of requirements.lock (``pip download``
   with their sha256 pinned below);
3. the glmnotes wheel, built from this checkout (``pip wheel --no-deps``);
4. ``pyodide-lock.json``: the core's lock file with exactly these three packages and their
   sha256 (Pyodide checks them when it loads a wheel).

The result is ``<out>/site/`` (copied into the built book as ``_playground/`` by
``_ext/playground.py``) with a ``manifest.json`` of versions, sizes and hashes. Downloads are
kept in ``<out>/cache/`` and reused while their hashes match. ``make book`` runs this when npm is
installed; without npm the book is built without the playground.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PYODIDE_VERSION = "0.29.5"
PYODIDE_INTEGRITY = (
    "sha512-TkYrUv9m8QmfImADKRmpwZulL48E0uUaBSO+dvRQKyAJc0qh9gu7jn8btyHPh3NZm1r2IH2YrJhIr7Q2B9urAw"
    "=="
)
#: The files of the npm package the browser needs (no console pages, maps or type stubs).
PYODIDE_FILES = ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")

#: Pure-Python wheels from PyPI: name -> (version, file name, sha256). The versions are those of
#: requirements.lock, so that the browser checks with the same sympy and mpmath as the book.
WHEELS = {
    "mpmath": (
        "1.3.0",
        "mpmath-1.3.0-py3-none-any.whl",
        "a0b2b9fe80bbcd81a6647ff13108738cfb482d481d826cc0e02f5b35e5c88d2c",
    ),
    "sympy": (
        "1.14.0",
        "sympy-1.14.0-py3-none-any.whl",
        "e091cc3e99d2141a0ba2847328f5479b05d94a6635cb96148ccb3f34671bd8f5",
    ),
}
DEPENDS = {"mpmath": [], "sympy": ["mpmath"], "glmnotes": ["sympy", "mpmath"]}
IMPORTS = {"mpmath": ["mpmath"], "sympy": ["sympy"], "glmnotes": ["glmnotes"]}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def run(command: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout}{result.stderr}")


def pyodide_tarball(cache: Path) -> Path:
    """The npm tarball of the pinned Pyodide core, from the cache or ``npm pack``."""
    tarball = cache / f"pyodide-{PYODIDE_VERSION}.tgz"
    if not (tarball.exists() and integrity(tarball) == PYODIDE_INTEGRITY):
        run(["npm", "pack", "--silent", f"pyodide@{PYODIDE_VERSION}"], cwd=cache)
    if integrity(tarball) != PYODIDE_INTEGRITY:
        sys.exit(f"{tarball.name}: its sha512 is not the pinned one; refusing to use it")
    return tarball


def pypi_wheel(cache: Path, name: str) -> Path:
    version, filename, digest = WHEELS[name]
    wheel = cache / filename
    if not (wheel.exists() and sha256(wheel) == digest):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as requirements:
            requirements.write(f"{name}=={version} --hash=sha256:{digest}\n")
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--only-binary=:all:",
                "--require-hashes",
                "-r",
                requirements.name,
                "-d",
                str(cache),
            ]
        )
        Path(requirements.name).unlink()
    if sha256(wheel) != digest:
        sys.exit(f"{filename}: its sha256 is not the pinned one; refusing to use it")
    return wheel


def sources_digest() -> str:
    """sha256 over the files the glmnotes wheel is built from."""
    digest = hashlib.sha256()
    files = [ROOT / "pyproject.toml", *sorted((ROOT / "glmnotes").rglob("*.py"))]
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def glmnotes_wheel(cache: Path, into: Path) -> Path:
    """``pip wheel --no-deps`` of a copy of the package sources (the checkout stays untouched),
    reused from the cache while the sources are unchanged."""
    cached = cache / f"glmnotes-{sources_digest()}"
    wheels = sorted(cached.glob("glmnotes-*.whl"))
    if wheels:
        shutil.copy2(wheels[0], into / wheels[0].name)
        return into / wheels[0].name
    for stale in cache.glob("glmnotes-*"):
        shutil.rmtree(stale)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, source / name)
        shutil.copytree(
            ROOT / "glmnotes", source / "glmnotes", ignore=shutil.ignore_patterns("__pycache__")
        )
        out = Path(tmp) / "wheel"
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "-w",
                str(out),
                str(source),
            ]
        )
        (built,) = out.glob("glmnotes-*.whl")
        cached.mkdir()
        shutil.copy2(built, cached / built.name)
        shutil.copy2(built, into / built.name)
    return into / built.name


def stage(out: Path) -> Path:
    cache, site = out / "cache", out / "site"
    cache.mkdir(parents=True, exist_ok=True)
    staging = out / "site.new"
    shutil.rmtree(staging, ignore_errors=True)
    core = staging / "pyodide"
    core.mkdir(parents=True)

    with tarfile.open(pyodide_tarball(cache)) as archive:
        members = {member.name: member for member in archive.getmembers()}
        for name in (*PYODIDE_FILES, "pyodide-lock.json"):
            data = archive.extractfile(members[f"package/{name}"]).read()
            (core / name).write_bytes(data)
    upstream_lock = json.loads((core / "pyodide-lock.json").read_text())

    wheels = {name: pypi_wheel(cache, name) for name in WHEELS}
    for wheel in wheels.values():
        shutil.copy2(wheel, core / wheel.name)
    wheels["glmnotes"] = glmnotes_wheel(cache, core)

    packages = {}
    for name, wheel in wheels.items():
        version = WHEELS[name][0] if name in WHEELS else wheel.name.split("-")[1]
        packages[name] = {
            "name": name,
            "version": version,
            "file_name": wheel.name,
            "install_dir": "site",
            "sha256": sha256(core / wheel.name),
            "package_type": "package",
            "imports": IMPORTS[name],
            "depends": DEPENDS[name],
            "unvendored_tests": False,
        }
    lock = {"info": upstream_lock["info"], "packages": packages}
    (core / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")

    files = sorted(p for p in staging.rglob("*") if p.is_file())
    manifest = {
        "pyodide": PYODIDE_VERSION,
        "python": upstream_lock["info"].get("python"),
        "packages": {name: entry["version"] for name, entry in packages.items()},
        "files": {
            p.relative_to(staging).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256(p)}
            for p in files
        },
    }
    manifest["bytes"] = sum(entry["bytes"] for entry in manifest["files"].values())
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    shutil.rmtree(site, ignore_errors=True)
    staging.rename(site)
    return site


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "playground")
    args = parser.parse_args(argv)
    if shutil.which("npm") is None:
        sys.exit("npm is not installed: the playground's Pyodide core cannot be fetched")
    site = stage(args.out.resolve())
    manifest = json.loads((site / "manifest.json").read_text())
    print(
        f"playground: Pyodide {manifest['pyodide']} (Python {manifest['python']}), "
        + ", ".join(f"{name} {version}" for name, version in manifest["packages"].items())
        + f"; {manifest['bytes'] / 1e6:.1f} MB in {site.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
