"""The package as a distribution: its metadata declares what it imports, the library needs only its
hard dependencies, and the version is written once.

Which modules are "library" and which are the book's machinery:

- the library is every module of ``glmnotes/`` except those in :data:`BOOK_MACHINERY`; what a
  library module imports -- at import time or inside a function, directly or through another
  glmnotes module it imports -- must be a hard dependency (``[project] dependencies``), except in
  the few drawing functions of :data:`DRAWING_FUNCTIONS`;
- the book's machinery (:data:`BOOK_MACHINERY`: figures, tables, the comparison with statsmodels
  and scikit-learn, the audit of the chapters) may import what an extra declares, inside the
  functions that use it, so that every module of the package still imports with the hard
  dependencies alone (checked here by importing them all with the extras' modules hidden).

Everything is read from the sources and pyproject.toml (nothing is built or downloaded), except the
wheel test, which builds the wheel without isolation from a copy of the sources.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from functools import cache
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import glmnotes

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "glmnotes"
PYPROJECT = ROOT / "pyproject.toml"

#: Modules that serve the book, not the library, and the extra their optional imports come with.
BOOK_MACHINERY = {
    "glmnotes.book.figures": "plot",  # matplotlib
    "glmnotes.book.network_diagrams": "plot",  # matplotlib
    "glmnotes.book.tables": "chapters",  # pandas
    "glmnotes.glm.comparison": "chapters",  # pandas
    "glmnotes.book.glue": "book",  # IPython (chapters), myst-nb where installed (book)
    "glmnotes.book.audit": "book",  # nbformat (the notebooks), MyST's parser (the chapters)
}
#: Functions of library modules that import an optional dependency, and its extra: drawing with
#: matplotlib (``plot``), and the one function that imports Dask (``dask``), which runs only when
#: ``GLM.fit`` is given a Dask array (the library never needs it otherwise).
DRAWING_FUNCTIONS = {
    ("glmnotes.autodiff", "draw"): "plot",
    ("glmnotes.glm.dask_rows", "_dask"): "dask",
}

#: Import names whose distribution is named otherwise (the installed metadata answers the rest).
DISTRIBUTION_OF = {
    "sklearn": "scikit-learn",
    "yaml": "pyyaml",
    "PIL": "pillow",
    "IPython": "ipython",
    "myst_nb": "myst-nb",
    "mpl_toolkits": "matplotlib",
    "dateutil": "python-dateutil",
    "bs4": "beautifulsoup4",
    "skimage": "scikit-image",
    "attr": "attrs",
}


def normalize(name: str) -> str:
    """A distribution's name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def installed_distributions() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def distribution(top_level: str) -> str:
    """The distribution that provides the top-level module ``top_level``."""
    if top_level in DISTRIBUTION_OF:
        return normalize(DISTRIBUTION_OF[top_level])
    found = installed_distributions().get(top_level, [])
    return normalize(found[0] if len(found) == 1 else top_level)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


class Import:
    """One import statement: the module it names, where it runs and what it resolves to."""

    def __init__(
        self,
        module: str,
        name: str,
        function: str | None,
        type_checking: bool,
        names: tuple[str, ...] = (),
    ):
        self.module = module  # the absolute module imported
        self.names = names  # what `from module import ...` takes (submodules, maybe)
        self.name = name  # the glmnotes module whose source holds it
        self.function = function  # the outermost function it is inside, None at import time
        self.type_checking = type_checking  # under `if TYPE_CHECKING:` (never runs)

    @property
    def top_level(self) -> str:
        return self.module.split(".")[0]

    @property
    def third_party(self) -> bool:
        return self.top_level not in sys.stdlib_module_names and self.top_level not in {
            "glmnotes",
            "__future__",
        }

    def __repr__(self) -> str:
        where = f"{self.name}.{self.function}()" if self.function else self.name
        return f"{self.module} (in {where})"


def imports_of(path: Path) -> list[Import]:
    """Every import statement of a module (relative imports resolved), where it runs."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, function: str | None, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner, guarded = function, type_checking
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                inner = function or getattr(child, "name", "<lambda>")
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                guarded = True
            if isinstance(child, ast.Import):
                found.extend(Import(a.name, name, function, guarded) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    absolute = ".".join(base + ([child.module] if child.module else []))
                    if child.module is None:  # `from . import x`: each name is a module
                        found.extend(
                            Import(f"{absolute}.{a.name}", name, function, guarded)
                            for a in child.names
                        )
                        continue
                else:
                    absolute = child.module
                names = tuple(a.name for a in child.names)
                found.append(Import(absolute, name, function, guarded, names))
            visit(child, inner, guarded)

    visit(ast.parse(path.read_text(), filename=str(path)), None, False)
    return found


@cache
def all_imports() -> dict[str, list[Import]]:
    """Each module of the package and its import statements."""
    return {module_name(path): imports_of(path) for path in sorted(PACKAGE.rglob("*.py"))}


@cache
def project() -> dict:
    return tomllib.loads(PYPROJECT.read_text())["project"]


def requirements(names: list[str]) -> set[str]:
    """The distributions named by requirement strings, self-references (glmnotes[x]) expanded."""
    found: set[str] = set()
    for text in names:
        requirement = Requirement(text)
        if normalize(requirement.name) == "glmnotes":
            for extra in requirement.extras:
                found |= requirements(project()["optional-dependencies"][extra])
        else:
            found.add(normalize(requirement.name))
    return found


def hard_dependencies() -> set[str]:
    return requirements(project()["dependencies"])


def extra(name: str) -> set[str]:
    return requirements(project()["optional-dependencies"][name])


def glmnotes_modules_imported(imp: Import) -> list[str]:
    """The modules of the package that an import statement may load: the module, its parents,
    the submodules ``from module import ...`` names, and the homes of top-level names
    (``from glmnotes import GLM`` loads glmnotes.glm)."""
    if imp.top_level != "glmnotes":
        return []
    parts = imp.module.split(".")
    loaded = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    loaded += [f"{imp.module}.{name}" for name in imp.names]
    if imp.module == "glmnotes":
        loaded += [glmnotes._HOMES[name] for name in imp.names if name in glmnotes._HOMES]
    return loaded


def reachable_third_party(start: str) -> list[Import]:
    """The third-party imports a library module can run, following the package's own imports
    (module level and inside functions, but not into the drawing functions)."""
    modules = all_imports()
    seen, stack, found = set(), [start], []
    while stack:
        name = stack.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        for imp in modules[name]:
            if imp.type_checking or (imp.name, imp.function) in DRAWING_FUNCTIONS:
                continue
            if imp.third_party:
                found.append(imp)
            stack.extend(glmnotes_modules_imported(imp))
    return found


def library_modules() -> list[str]:
    return [name for name in all_imports() if name not in BOOK_MACHINERY]


def test_the_import_scan_sees_the_package_and_its_known_imports():
    modules = all_imports()
    assert {"glmnotes", "glmnotes.verify.check", "glmnotes.glm.estimator"} <= set(modules)
    tables = {(imp.module, imp.function) for imp in modules["glmnotes.book.tables"]}
    assert ("pandas", "sample_moments") in tables  # inside a function
    assert ("sklearn.base", None) in {
        (i.module, i.function) for i in modules["glmnotes.glm.estimator"]
    }
    assert distribution("sklearn") == "scikit-learn" and distribution("numpy") == "numpy"


def test_every_third_party_import_is_declared():
    declared = hard_dependencies().union(*map(extra, project()["optional-dependencies"]))
    missing = sorted(
        {
            f"{distribution(imp.top_level)} <- {imp}"
            for imports in all_imports().values()
            for imp in imports
            if imp.third_party and distribution(imp.top_level) not in declared
        }
    )
    assert not missing, "undeclared in pyproject.toml [project]:\n" + "\n".join(missing)


def test_every_module_imports_with_the_hard_dependencies_alone():
    """What runs at import time (outside functions) is a hard dependency, in every module."""
    hard = hard_dependencies()
    missing = sorted(
        f"{distribution(imp.top_level)} <- {imp}"
        for imports in all_imports().values()
        for imp in imports
        if imp.third_party
        and imp.function is None
        and not imp.type_checking
        and distribution(imp.top_level) not in hard
    )
    assert not missing, "imported at import time but not a hard dependency:\n" + "\n".join(missing)


def test_the_library_needs_only_the_hard_dependencies():
    hard = hard_dependencies()
    missing = sorted(
        f"{distribution(imp.top_level)} <- {imp}, reached from {name}"
        for name in library_modules()
        for imp in reachable_third_party(name)
        if distribution(imp.top_level) not in hard
    )
    assert not missing, (
        "the library reaches an optional dependency: make it a hard dependency, or the module "
        "book machinery (BOOK_MACHINERY) with an extra:\n" + "\n".join(missing)
    )


def test_the_book_machinery_imports_what_its_extra_declares():
    hard, modules = hard_dependencies(), all_imports()
    optional = {name: set() for name in [*BOOK_MACHINERY, *DRAWING_FUNCTIONS]}
    for name, extra_name in BOOK_MACHINERY.items():
        for imp in modules[name]:
            if imp.third_party and distribution(imp.top_level) not in hard:
                assert imp.function is not None, f"{imp}: import it inside the function"
                assert distribution(imp.top_level) in extra(extra_name), (
                    f"{imp} not in [{extra_name}]"
                )
                optional[name].add(imp.top_level)
    for (name, function), extra_name in DRAWING_FUNCTIONS.items():
        for imp in modules[name]:
            if imp.function == function and imp.third_party:
                assert distribution(imp.top_level) in extra(extra_name) | hard, imp
                optional[(name, function)].add(imp.top_level)
    # The lists stay true: each entry imports something the hard dependencies do not provide.
    assert all(optional.values()), f"not book machinery (nothing optional): {optional}"
    assert extra("plot") <= extra("chapters")  # the chapters draw
    assert extra("chapters") <= extra("book")  # the book runs the chapters


def test_the_modules_of_the_extras_are_hidden_and_everything_still_imports():
    """Import every module of the package in a fresh interpreter where the modules of the
    distributions that only extras declare cannot be imported."""
    hard = hard_dependencies()
    hidden = sorted(
        {
            imp.top_level
            for imports in all_imports().values()
            for imp in imports
            if imp.third_party and distribution(imp.top_level) not in hard
        }
    )
    assert hidden, "the extras hide nothing"
    modules = sorted(all_imports())
    code = f"""
import importlib, sys
HIDDEN = {hidden!r}
class Hide:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"hidden: {{name}}", name=name)
sys.meta_path.insert(0, Hide())
for name in {modules!r}:
    importlib.import_module(name)
assert not set(HIDDEN) & {{m.split(".")[0] for m in sys.modules}}
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_environment_installs_every_declared_dependency_at_a_version_it_allows():
    """requirements.lock (what the book and the tests run with) pins every distribution the
    metadata declares, at a version inside the declared range."""
    locked = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            locked[normalize(name)] = version.strip()
    texts = [*project()["dependencies"], *sum(project()["optional-dependencies"].values(), [])]
    for text in texts:
        requirement = Requirement(text)
        if normalize(requirement.name) == "glmnotes":
            continue
        name = normalize(requirement.name)
        assert name in locked, f"{name} is declared but not in requirements.lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (text, locked[name])


def test_the_version_is_written_once():
    assert "version" not in project() and "version" in project()["dynamic"]
    dynamic = tomllib.loads(PYPROJECT.read_text())["tool"]["setuptools"]["dynamic"]
    assert dynamic["version"] == {"attr": "glmnotes.__version__"}
    assignments = [
        (module_name(path), node.value)
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
    ]
    assert len(assignments) == 1 and assignments[0][0] == "glmnotes", assignments
    value = assignments[0][1]  # a literal, so that setuptools reads it without importing glmnotes
    assert isinstance(value, ast.Constant) and value.value == glmnotes.__version__


def test_the_installed_metadata_has_the_package_version():
    installed = importlib.metadata.version("glmnotes")
    assert glmnotes.__version__ == installed, (
        f"glmnotes.__version__ is {glmnotes.__version__} but the installed metadata says "
        f"{installed}: reinstall (`make setup`, or pip install --no-deps -e .)"
    )


def test_the_package_has_no_data_files_left_out():
    """The wheel holds the package's .py files (setuptools' default); a data file added to
    glmnotes/ would need declaring as package data, and this test updating."""
    others = [
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    ]
    assert others == []


def test_the_wheel_holds_the_package_and_declares_the_split(tmp_path):
    """Build the wheel (no isolation, from a copy of the sources) and read its metadata."""
    pytest.importorskip("build")
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "MANIFEST.in"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(PACKAGE, source / "glmnotes", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)]
        + [str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = tmp_path.glob("glmnotes-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        dist_info = f"glmnotes-{glmnotes.__version__}.dist-info"
        metadata = archive.read(f"{dist_info}/METADATA").decode()
    sources = {path.relative_to(ROOT).as_posix() for path in PACKAGE.rglob("*.py")}
    assert {name for name in names if not name.startswith(dist_info)} == sources
    assert f"\nVersion: {glmnotes.__version__}\n" in metadata
    unconditional = {
        normalize(Requirement(line.split(":", 1)[1]).name)
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    }
    assert unconditional == hard_dependencies()
    provided = {
        line.split(":", 1)[1].strip()
        for line in metadata.splitlines()
        if line.startswith("Provides-Extra:")
    }
    assert provided == set(project()["optional-dependencies"])
