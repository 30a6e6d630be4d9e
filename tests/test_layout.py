"""The package's layout, as the README's map draws it: imports run one way.

- no import circle among the package's modules, counting imports inside functions and under
  ``TYPE_CHECKING``;
- the checker's core (``glmnotes/verify/*.py``) imports only the core: no renderer
  (``glmnotes.verify.render``), no playground, nothing of the book;
- the library (everything outside ``glmnotes/book/``) imports nothing of ``glmnotes.book``;
- no function is longer than :data:`LONGEST` lines;
- showing a derivation runs no check: the checker's functions are called zero times.

The graph is read from the source with :mod:`ast` (nothing is imported), so an import that only
runs in some branch counts too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
import sympy as sp

PACKAGE = Path(__file__).resolve().parent.parent / "glmnotes"
LONGEST = 80


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(path: Path) -> set[str]:
    """The package's modules that ``path`` imports anywhere in it (``from a import b`` names the
    module ``a.b`` when that is a module, else ``a``), and ``import_module("a.b")`` too."""
    found: set[str] = set()
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    )
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func.attr if isinstance(node.func, ast.Attribute) else node.func
            if getattr(function, "id", function) in ("import_module", "__import__"):
                found.add(str(node.args[0].value))
    return {name for name in found if name in MODULES and name != module_name(path)}


GRAPH = {name: imported_modules(path) for name, path in MODULES.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def is_package_face(name: str) -> bool:
    """A package's ``__init__``: importing a submodule runs it, so its own imports of the
    submodules it hands on are not a circle."""
    return MODULES[name].name == "__init__.py"


def test_no_import_circle():
    graph = {
        name: {other for other in targets if not is_package_face(other)}
        for name, targets in GRAPH.items()
    }
    assert circles(graph) == []


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_graph_sees_imports_inside_functions():
    # glue imports the playground inside a method: the graph must hold that arrow
    assert "glmnotes.book.playground" in GRAPH["glmnotes.book.glue"]


CORE = sorted(
    name
    for name, path in MODULES.items()
    if path.parent == PACKAGE / "verify" and path.name != "__init__.py"
)


def test_the_checker_core_imports_only_the_core():
    assert "glmnotes.verify.check" in CORE and "glmnotes.verify.derivation" in CORE
    for name in CORE:
        outside = {other for other in GRAPH[name] if other not in CORE}
        assert outside == set(), f"{name} imports {sorted(outside)}"


def test_the_library_imports_nothing_of_the_book():
    library = [name for name in MODULES if not name.startswith("glmnotes.book")]
    assert "glmnotes.glm.estimator" in library
    for name in library:
        book = {other for other in GRAPH[name] if other.startswith("glmnotes.book")}
        assert book == set(), f"{name} imports {sorted(book)}"


def long_functions(limit: int) -> list[str]:
    found = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append(f"{name}.{node.name}: {length} lines")
    return found


def test_no_function_is_longer_than_the_limit():
    assert long_functions(LONGEST) == []
    assert long_functions(5), "the measure finds nothing at all: it is broken"


# -- showing a derivation checks nothing --

CHECKER_FILES = {
    str(PACKAGE / "verify" / name)
    for name in ("check.py", "numeric.py", "symbolic.py", "sampling.py", "exact_size.py")
}


def checker_calls(action) -> int:
    """How many calls into the checker's modules ``action()`` makes (a profiler counts them)."""
    calls = 0

    def profile(frame, event, arg):
        nonlocal calls
        if event == "call" and frame.f_code.co_filename in CHECKER_FILES:
            calls += 1

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return calls


@pytest.fixture
def derivation():
    from glmnotes.verify import Derivation

    eta = sp.Symbol("eta", real=True)
    d = Derivation(sp.log(1 + sp.exp(eta)), label="show", domain={eta: (-5, 5)}, title="Showing")
    d.step(sp.log(sp.exp(eta) * (1 + sp.exp(-eta))), "factor out $e^\\eta$")
    return d


def test_showing_a_derivation_calls_the_checker_zero_times(derivation):
    from IPython.core.formatters import format_display_data

    from glmnotes.verify import Derivation

    shown: list = []
    assert checker_calls(lambda: shown.append(format_display_data(derivation))) == 0
    data, metadata = shown[0]
    assert {"text/html", "text/latex", "text/plain"} <= set(data)
    assert metadata["glmnotes"]["label"] == "show"
    # the count is real: adding a step calls the checker
    assert (
        checker_calls(
            lambda: derivation.step(sp.log(1 + sp.exp(sp.Symbol("eta", real=True))), "back")
        )
        > 0
    )
    assert Derivation.renderer is not None
