r"""The docstrings' mathematics renders on the API page (book/api.md, Sphinx autodoc).

Docstrings are reStructuredText: mathematics is written ``:math:`...``` inline and in
``.. math::`` blocks, which Sphinx hands to MathJax. Markdown's ``$...$``, ``$$...$$`` and a bare
``\begin{...}`` mean nothing there, and the page would show them as raw TeX. These tests read
every docstring of the package (modules, classes, functions, methods, properties and ``#:``
comments of data) and refuse such delimiters outside math, literals and code examples;
tests/test_site.py checks the built page itself.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator

import pytest

import glmnotes

#: Directives whose content is TeX or code, shown or typeset as written.
_VERBATIM_DIRECTIVE = re.compile(r"^\.\. (?:math|code|code-block|sourcecode|doctest)::")
_ROLE = re.compile(r":math:`[^`]*`")
_LITERAL = re.compile(r"``.+?``", re.S)
_RAW_TEX = re.compile(r"(?<!\\)\$|\\begin\{|\\\(|\\\[")


def prose(docstring: str) -> str:
    """``docstring`` without what is meant as written: ``.. math::`` (and code) directives,
    literal blocks after ``::``, doctest blocks, ``:math:`` roles and ````literals````."""
    kept: list[str] = []
    opener: int | None = None  # indentation of the line that opened a verbatim block
    doctest = False
    for line in docstring.splitlines():
        indent, stripped = len(line) - len(line.lstrip()), line.strip()
        if opener is not None:
            if not stripped or indent > opener:
                continue
            opener = None
        doctest = doctest and bool(stripped) or stripped.startswith(">>>")
        if doctest:
            continue
        if _VERBATIM_DIRECTIVE.match(stripped):
            opener = indent
            continue
        if stripped.endswith("::"):
            opener = indent
            line = line.rstrip()[:-2]
        kept.append(line)
    return _ROLE.sub(" ", _LITERAL.sub(" ", "\n".join(kept)))


def raw_tex(docstring: str) -> list[str]:
    """The lines of ``docstring`` whose prose still holds a ``$``, ``\\begin{``, ``\\(`` or
    ``\\[``: mathematics the page would show as raw TeX."""
    return [line.strip() for line in prose(docstring).splitlines() if _RAW_TEX.search(line)]


def package_modules() -> list[str]:
    """Every module and subpackage of glmnotes, by name (private ones too: their docstrings
    are read by people, if not by autodoc)."""
    names = ["glmnotes"]
    names += [info.name for info in pkgutil.walk_packages(glmnotes.__path__, "glmnotes.")]
    return sorted(names)


def docstrings(module_name: str) -> Iterator[tuple[str, str]]:
    """``(qualified name, docstring)`` of the module, of the classes and functions defined in
    it, of their methods and properties, and of its and their ``#:`` documented data."""
    from sphinx.pycode import ModuleAnalyzer

    module = importlib.import_module(module_name)
    yield module_name, inspect.getdoc(module) or ""
    for name, value in vars(module).items():
        if getattr(value, "__module__", None) != module_name:
            continue
        if inspect.isfunction(value):
            yield f"{module_name}.{name}", inspect.getdoc(value) or ""
        if inspect.isclass(value):
            yield f"{module_name}.{name}", inspect.getdoc(value) or ""
            for member_name, member in vars(value).items():
                member = getattr(member, "__func__", member)  # classmethod, staticmethod
                if inspect.isfunction(member) or isinstance(member, property):
                    doc = member.__doc__ or ""
                    yield f"{module_name}.{name}.{member_name}", inspect.cleandoc(doc)
    for (scope, name), lines in ModuleAnalyzer.for_module(module_name).find_attr_docs().items():
        yield ".".join(filter(None, (module_name, scope, name))), "\n".join(lines)


def test_the_package_has_modules_and_docstrings_to_read():
    modules = package_modules()
    assert {"glmnotes.verify.check", "glmnotes.book.audit", "glmnotes.families.beta"} <= set(
        modules
    )
    found = [doc for module in modules for _, doc in docstrings(module)]
    assert len(found) > 500
    assert sum(":math:`" in doc for doc in found) > 100  # the docstrings do write mathematics


@pytest.mark.parametrize("module", package_modules())
def test_no_docstring_writes_mathematics_the_page_shows_raw(module):
    offenders = {name: raw_tex(doc) for name, doc in docstrings(module) if raw_tex(doc)}
    assert not offenders, (
        "write mathematics in docstrings as :math:`...` or a '.. math::' block (reST, which "
        f"autodoc renders), not $...$, $$...$$ or a bare \\begin{{...}}: {offenders}"
    )


@pytest.mark.parametrize(
    "docstring, raw",
    [
        (r"The mean :math:`\mu = A'(\eta)`, and ``$x$`` as typed.", []),
        ("The mean $\\mu$ of y.", ["The mean $\\mu$ of y."]),
        ("Display:\n\n$$\na = b\n$$", ["$$", "$$"]),
        ("A sum.\n\n.. math::\n\n    \\begin{aligned} a &= b \\end{aligned}\n\nAfter.", []),
        (
            ".. math:: \\begin{pmatrix} 1 \\end{pmatrix}\nthen \\begin{cases}",
            ["then \\begin{cases}"],
        ),
        ("Example::\n\n    print('$5')\n\nCosts \\$5.", []),  # a literal block; an escaped $
        (">>> f('$')\n'$'\n\nand \\(x\\)", ["and \\(x\\)"]),
        ("Inline :math:`a\n+ b` across lines, ``$$\n$$`` too.", []),
    ],
)
def test_raw_tex_is_found_outside_math_and_literals_only(docstring, raw):
    assert raw_tex(docstring) == raw
