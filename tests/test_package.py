"""Tests of the package as a whole: the top-level names, that ``import glmnotes`` pulls in no
numerical library (the checker must run under Pyodide, without numpy), that the package
docstring lists every module, and that the split modules stay short."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys

import pytest

import glmnotes

NUMERICAL_LIBRARIES = ("numpy", "scipy", "sklearn", "statsmodels", "matplotlib")


def test_the_first_names_a_reader_needs_import_from_the_top():
    from glmnotes import GLM, Derivation, Network, Poisson, Value, check_equal
    from glmnotes.autodiff import Value as value_home
    from glmnotes.families import Poisson as poisson_home
    from glmnotes.glm import GLM as glm_home
    from glmnotes.nn import Network as network_home
    from glmnotes.verify import Derivation as derivation_home
    from glmnotes.verify import check_equal as check_equal_home

    assert GLM is glm_home and Network is network_home and Value is value_home
    assert Derivation is derivation_home and check_equal is check_equal_home
    assert Poisson is poisson_home
    for name in glmnotes.__all__:  # every top-level name resolves, is listed by dir() and
        assert getattr(glmnotes, name) is not None  # documented in the package docstring
        assert name in dir(glmnotes) and name in glmnotes.__doc__
    assert {"glm", "families", "links", "book", "verify"} <= set(dir(glmnotes))


def test_modules_are_reachable_as_attributes_and_unknown_names_are_refused():
    assert glmnotes.glm.GLM is glmnotes.GLM
    assert glmnotes.families.Poisson is glmnotes.Poisson
    with pytest.raises(AttributeError, match="module 'glmnotes' has no attribute 'nope'"):
        glmnotes.nope  # noqa: B018
    with pytest.raises(ImportError):
        from glmnotes import nope  # noqa: F401


def top_level_names_in_source(root) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """``(__all__, _HOMES, {name: module} imported under ``if TYPE_CHECKING:``)`` as written in
    ``glmnotes/__init__.py`` (read with ast: nothing imported)."""
    tree = ast.parse((root / "glmnotes" / "__init__.py").read_text())
    exported: list[str] | None = None
    homes: dict[str, str] | None = None
    typed: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id == "__all__":
                exported = ast.literal_eval(node.value)
            if isinstance(target, ast.Name) and target.id == "_HOMES":
                homes = ast.literal_eval(node.value)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom), ast.unparse(statement)
                for alias in statement.names:
                    assert alias.asname is None, ast.unparse(statement)
                    typed[alias.name] = statement.module
    assert exported is not None and homes is not None, "__all__ or _HOMES is not a literal"
    return exported, homes, typed


def test_all_homes_and_the_type_checking_imports_name_the_same_set(root):
    exported, homes, typed = top_level_names_in_source(root)
    assert len(exported) == len(set(exported)), "a name twice in __all__"
    assert set(exported) == set(homes) == set(typed)
    assert typed == homes  # each imported for type checkers from the module it is loaded from
    assert "Registry" in exported and homes["Registry"] == "glmnotes.verify"
    assert exported == glmnotes.__all__ and homes == glmnotes._HOMES  # what runs is what is read
    for name, home in homes.items():
        assert getattr(glmnotes, name) is getattr(importlib.import_module(home), name), name


def test_an_ide_sees_the_top_level_names_without_running_the_package(root):
    """jedi (IPython's and many editors' completion) reads the source, as type checkers do: it
    never runs ``__getattr__``, so it finds the names only through the ``TYPE_CHECKING``
    imports."""
    jedi = pytest.importorskip("jedi")
    project = jedi.Project(str(root))
    for name, home in [("GLM", "glmnotes.glm"), ("Registry", "glmnotes.verify")]:
        source = f"import glmnotes\nglmnotes.{name}"
        found = jedi.Script(source, project=project).infer(2, len("glmnotes.") + 1)
        assert [(d.name, d.type) for d in found] == [(name, "class")], name
        assert found[0].module_name.startswith(home)


def imported_by(statement: str) -> list[str]:
    """The numerical libraries in ``sys.modules`` after running ``statement`` in a fresh
    interpreter."""
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.split())
    return sorted(name for name in NUMERICAL_LIBRARIES if name in loaded)


def test_import_glmnotes_pulls_in_no_numerical_library():
    assert imported_by("import glmnotes") == []
    assert imported_by("import glmnotes; glmnotes.__doc__; dir(glmnotes)") == []


def test_a_top_level_name_imports_only_its_own_module():
    assert "numpy" in imported_by("from glmnotes import GLM")


def test_import_glmnotes_verify_pulls_in_no_numerical_library():
    assert imported_by("import glmnotes.verify") == []


def test_the_package_docstring_lists_every_module(root):
    package = root / "glmnotes"
    modules = {path.stem for path in package.glob("*.py") if path.stem != "__init__"}
    modules |= {path.parent.name for path in package.glob("*/__init__.py")}
    for name in sorted(modules):
        assert f"glmnotes.{name}" in glmnotes.__doc__, name


def test_the_split_modules_stay_short(root):
    """The modules split up so that a reader finds a concept by file name stay under ~800
    lines each (verify and audit are another change's)."""
    package = root / "glmnotes"
    paths = [package / "links.py", package / "_validation.py", package / "notation.py"]
    for subpackage in ("errata", "families", "glm"):
        paths += sorted((package / subpackage).glob("*.py"))
    lengths = {str(path.relative_to(root)): len(path.read_text().splitlines()) for path in paths}
    assert len(lengths) >= 20
    assert {name: n for name, n in lengths.items() if n > 800} == {}
