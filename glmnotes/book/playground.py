r"""Check your own step: what a reader's next line of a derivation is checked against; the check.

Under every derivation of the book the reader can type the next expression and see the verdict
the book's own checker (:func:`glmnotes.verify.check_equal`) gives it, with the derivation's
domain, ``given`` substitutions and symbols. The check runs in the reader's browser (Pyodide);
this module is the Python side of it and imports no numpy.

- :func:`reader_spec` describes a derivation as JSON: the expression the next step is compared
  with (the last true line; for an equation chain, the right-hand side of its last true line),
  the symbol table (the names the reader types, each bound to the derivation's own symbol with
  its assumptions), the functions, the domain, ``given``, ``dims``, a seed, and two suggested
  next steps: one true, one tempting and false (both checked here, numerically).
- :func:`check_reader_step` parses the reader's text against that table (sympy syntax: ``^`` or
  ``**`` for powers, implicit multiplication, only known names: no Python is evaluated) and checks
  it, returning the verdict's record and HTML, or a one-line message.

Expressions travel as :func:`sympy.srepr` text in which every symbol is replaced by a short name
``_s<k>`` of the symbol table, so that they parse back exactly (integers, rationals,
assumptions). Functions that only the chapter's code defines (classes built at run time) cannot
travel: the expression is then *prepared* as the checker prepares it (``given`` substituted,
``.doit()``), which removes them in the book's derivations; a derivation where that is not enough
is described as unavailable, with the reason.
"""

from __future__ import annotations

import io
import json
import keyword
import re
import time
import tokenize
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import sympy as sp
from sympy.core.function import AppliedUndef, UndefinedFunction
from sympy.core.symbol import Str
from sympy.printing.str import StrPrinter

from glmnotes.verify import check_equal
from glmnotes.verify.exact_size import guarded_functions, guarded_operators
from glmnotes.verify.render import page
from glmnotes.verify.render.latex import expr_latex

__all__ = ["FORMAT", "ReaderInputError", "check_reader_step", "reader_spec", "verdict_html"]

FORMAT = 1  # version of the JSON produced by reader_spec
MAX_INPUT = 2000  # characters of reader input
MAX_DEPTH = 40  # nested brackets in reader input
SUGGESTION_MAX_CHARS = 120  # a suggested step longer than this is not offered (nor typed)
REWRITE_MAX_OPS = 25  # factor(), expand(), cancel()... are tried for suggestions up to this size
SIMPLIFY_MAX_OPS = 12  # and simplify() up to this one (it can take seconds on larger ones)
MAX_REWRITES = 3  # equal rewritings checked for the true suggestion
MAX_SLIPS = 3  # mistakes checked for the false suggestion

#: Functions and constants a reader may type besides the derivation's own names (and the book's
#: ``sigmoid`` and ``Indicator``).
READER_FUNCTIONS = (
    "exp log ln sqrt sin cos tan sinh cosh tanh asin acos atan Abs sign Max Min floor ceiling "
    "gamma loggamma digamma polygamma beta factorial binomial erf Heaviside "
    "Derivative diff Integral Sum Product Subs Piecewise Rational "
    "Matrix Transpose transpose Inverse Trace trace Determinant det Identity ZeroMatrix "
    "pi E I oo"
).split()

#: sympy constants the numeric check cannot treat as unknowns: never shadowed by a symbol name.
_CONSTANTS = {"pi", "E", "I", "oo"}

_GREEK_TO_NAME = {
    unicodedata.lookup(f"GREEK SMALL LETTER {name.upper()}"): name
    for name in (
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lamda mu nu xi omicron pi rho "
        "sigma tau upsilon phi chi psi omega"
    ).split()
}
_TYPOGRAPHY = {"\u2212": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u00b2": "^2"}


class ReaderInputError(ValueError):
    """The reader's text cannot be checked; the message is one line, meant for the reader."""


# --- the spec: what the next step is checked against ------------------------------------------


def reader_spec(derivation: Any) -> dict[str, Any]:
    """See :func:`_reader_spec`; never raises: a derivation it cannot describe is described as
    unavailable, with the reason (the page is built all the same)."""
    try:
        return _reader_spec(derivation)
    except Exception as error:  # the display of a derivation must not fail because of this
        return {
            "format": FORMAT,
            "label": getattr(derivation, "label", ""),
            "available": False,
            "reason": _one_line(f"it could not be prepared for the browser ({error})"),
        }


def _reader_spec(derivation: Any) -> dict[str, Any]:
    """A JSON-serialisable description of what the next step of ``derivation`` is checked against.

    Keys: ``format``, ``label``, ``title``, ``chain`` (``"expression"`` or ``"equation"``),
    ``available`` (False, with ``reason``, when the derivation's notation cannot travel),
    ``compare_with`` (expression text), ``compare_with_latex``, ``symbols`` (the table: reader
    name, ``srepr`` and LaTeX of each symbol), ``functions``, ``domain``, ``given``, ``dims``,
    ``seed``, ``lowered`` (True when ``given`` and ``.doit()`` were applied before sending) and
    ``suggestions`` (``[{"text", "holds"}, ...]``: one true next step, one tempting false one).
    """
    label = derivation.label
    equation = bool(derivation.is_equation_chain)
    base: dict[str, Any] = {
        "format": FORMAT,
        "label": label,
        "title": getattr(derivation, "title", label),
        "chain": "equation" if equation else "expression",
        "seed": f"{label}#reader",
        "condition": getattr(derivation, "condition", None),
    }
    target = _compare_with(derivation)
    given = dict(derivation.given or {})
    domain = _domain_of(derivation)
    dims = {s: int(v) for s, v in (derivation.dims or {}).items()}
    lowered = False
    if not _portable_classes([target, *given, *given.values()]):
        given, target, lowered = _lowered_given(given), _prepared(target, given), True
    if not _portable_classes([target, *given, *given.values(), *domain]):
        blocked = sorted({c.__name__ for c in _function_classes([target]) if not _portable(c)})
        return {
            **base,
            "available": False,
            "reason": "it uses functions that only the chapter's code defines ("
            + ", ".join(blocked)
            + "), which cannot be sent to the browser",
        }
    shown = [derivation.start, *(s.expr for s in derivation.steps)]
    table = _SymbolTable(
        [target, *given, *given.values(), *domain, *dims],
        [e for e in shown if _portable_classes([e])],
    )
    spec = {
        **base,
        "available": True,
        "lowered": lowered,
        "compare_with": table.encode(target),
        "compare_with_latex": expr_latex(target),
        "symbols": table.symbols_json(),
        "functions": table.functions_json(),
        "domain": [[table.encode(s), _box_json(b)] for s, b in domain.items()],
        "given": [[table.encode(k), table.encode(v)] for k, v in given.items()],
        "dims": [[table.encode(s), v] for s, v in dims.items()],
    }
    spec["suggestions"] = _suggestions(spec, target, given, table)
    return spec


def _compare_with(derivation: Any) -> sp.Basic:
    """The last true expression (expression chain) or the right side of the last true line."""
    if derivation.is_equation_chain:
        lines = [derivation.start, *(s.expr for s in derivation.steps if s.erratum is None)]
        return lines[-1].rhs
    last_true = getattr(derivation, "last_true", None)
    if last_true is not None and not callable(last_true):
        return last_true
    lines = [derivation.start, *(s.expr for s in derivation.steps if s.erratum is None)]
    return lines[-1]


def _domain_of(derivation: Any) -> dict[sp.Basic, Any]:
    """``{symbol: (lo, hi) or kind}`` as ``check_equal(domain=...)`` accepts it."""
    domain_spec = getattr(derivation, "domain_spec", None)
    if callable(domain_spec):
        return dict(domain_spec())
    boxes = {}
    for symbol, box in (derivation.domain or {}).items():
        kind = getattr(box, "matrix", None)
        boxes[symbol] = kind if kind in ("spd", "diagonal", "symmetric") else (box.lo, box.hi)
    return boxes


def _box_json(spec: Any) -> Any:
    if isinstance(spec, str):
        return spec
    return [str(sp.Rational(spec[0])), str(sp.Rational(spec[1]))]


def _prepared(expr: sp.Basic, given: Mapping) -> sp.Basic:
    """What the checker compares: ``given`` substituted, then ``.doit()``."""
    if given:
        expr = expr.subs(given)
    return expr.doit()


def _lowered_given(given: Mapping) -> dict:
    """``given`` whose values are prepared; entries that still cannot travel are dropped."""
    lowered = {}
    for old, new in given.items():
        value = new if _portable_classes([new]) else _prepared(new, given)
        if _portable_classes([old, value]):
            lowered[old] = value
    return lowered


def _function_classes(exprs: Iterable[Any]) -> set[type]:
    classes = set()
    for expr in exprs:
        if isinstance(expr, sp.Basic):
            classes |= {type(f) for f in expr.atoms(sp.Function)}
            classes |= {type(f) for f in expr.atoms(AppliedUndef)}
    return classes


#: What sympy's metaclass and a ``_latex`` method put in the dictionary of a function class that
#: adds nothing else: such a class (``glmnotes.notation.function_named``) is an undefined function.
_DISPLAY_ONLY_KEYS = {
    "__doc__",
    "__module__",
    "__qualname__",
    "_explicit_class_assumptions",
    "_latex",
    "_nargs",
    "_prop_handler",
    "default_assumptions",
}


def _undefined_like(cls: type) -> bool:
    """An undefined function, or a Function subclass that only changes how it is displayed."""
    if isinstance(cls, UndefinedFunction):
        return True
    return cls.__bases__ == (sp.Function,) and set(vars(cls)) <= _DISPLAY_ONLY_KEYS


def _portable(cls: type) -> bool:
    """A function class the browser can rebuild: sympy's own, undefined (or display-only), or
    one of glmnotes.notation's."""
    if _undefined_like(cls):
        return True
    module = cls.__module__ or ""
    if module == "sympy" or module.startswith("sympy."):
        return getattr(sp, cls.__name__, None) is cls
    if module == "glmnotes.notation":
        from glmnotes import notation

        return getattr(notation, cls.__name__, None) is cls
    return False


def _portable_classes(exprs: Iterable[Any]) -> bool:
    return all(_portable(c) for c in _function_classes(exprs))


# --- the symbol table --------------------------------------------------------------------------


_ATOMS = (sp.MatrixSymbol, sp.IndexedBase, sp.Idx, sp.Symbol)


class _SymbolTable:
    """Symbols (``_s<k>`` in the transported text) and functions, with the names a reader types."""

    def __init__(self, exprs: list, shown: list) -> None:
        atoms: list[sp.Basic] = []
        for expr in [*exprs, *shown]:
            if isinstance(expr, sp.Basic):
                found = expr.atoms(*_ATOMS) | ({expr} if isinstance(expr, _ATOMS) else set())
                for atom in sorted(found, key=sp.default_sort_key):
                    if atom not in atoms and not isinstance(atom, sp.Indexed):
                        atoms.append(atom)
        self.atoms = atoms
        self.classes = sorted(
            (c for c in _function_classes([*exprs, *shown]) if _portable(c)),
            key=lambda c: c.__name__,
        )
        taken: set[str] = set()
        self.function_names: dict[type, str] = {}
        for cls in self.classes:
            name = _function_reader_name(cls)
            candidate, n = name, 2
            while candidate in taken:
                candidate, n = f"{name}_{n}", n + 1
            taken.add(candidate)
            self.function_names[cls] = candidate
        reserved = set(taken) | _CONSTANTS | {"sigmoid", "Indicator"}
        self.names: list[str | None] = []
        for atom in atoms:
            if isinstance(atom, (sp.Dummy, sp.Idx)):
                self.names.append(None)
                continue
            name = _reader_name(str(atom.name if hasattr(atom, "name") else atom))
            if name in reserved:
                name += "_"
            candidate, n = name, 2
            while candidate in taken:
                candidate, n = f"{name}_{n}", n + 1
            taken.add(candidate)
            self.names.append(candidate)
        # longest first, so that a MatrixSymbol's srepr is replaced before its size symbols'
        self._replacements = sorted(
            ((sp.srepr(a), f"_s{k}") for k, a in enumerate(atoms)),
            key=lambda pair: -len(pair[0]),
        )
        self._printer = _ReaderPrinter(
            {a: n for a, n in zip(atoms, self.names, strict=True) if n is not None},
            self.function_names,
        )

    def encode(self, expr: sp.Basic) -> str:
        text = sp.srepr(expr)
        for long, short in self._replacements:
            text = text.replace(long, short)
        return text

    def symbols_json(self) -> list[dict[str, Any]]:
        return [
            {"name": name, "srepr": sp.srepr(atom), "latex": expr_latex(atom)}
            for name, atom in zip(self.names, self.atoms, strict=True)
        ]

    def functions_json(self) -> list[dict[str, Any]]:
        out = []
        for cls in self.classes:
            entry = {"name": cls.__name__, "reader": self.function_names[cls]}
            if _undefined_like(cls):
                kwargs = getattr(cls, "_kwargs", None) or cls._explicit_class_assumptions
                entry["kind"] = "undefined"
                entry["assumptions"] = {k: v for k, v in kwargs.items() if v is not None}
                # sympy writes F(t) as F{\left(t \right)}: the name is what precedes the braces
                entry["latex"] = expr_latex(cls(sp.Symbol("t"))).split(r"{\left(")[0]
            else:
                entry["kind"] = "notation" if cls.__module__ == "glmnotes.notation" else "sympy"
            out.append(entry)
        return out

    def reader_text(self, expr: sp.Basic) -> str:
        """``expr`` as a reader would type it, with the reader names."""
        text = " ".join(self._printer.doprint(expr).split())
        return re.sub(r"\[\s+", "[", re.sub(r"\s+\]", "]", text))


class _ReaderPrinter(StrPrinter):
    """sympy's string printer with the reader's names (and ``Identity(n)`` rather than ``I``)."""

    def __init__(self, names: dict, functions: dict) -> None:
        super().__init__()
        self._names = names
        self._functions = functions

    def _print_Symbol(self, expr):
        return self._names.get(expr, expr.name)

    _print_MatrixSymbol = _print_Symbol

    def _print_Function(self, expr):
        name = self._functions.get(type(expr))
        if name is None:
            return super()._print_Function(expr)
        return f"{name}({self.stringify(expr.args, ', ')})"

    def _print_Identity(self, expr):
        return f"Identity({self._print(expr.rows)})"

    def _print_ZeroMatrix(self, expr):
        return f"ZeroMatrix({self._print(expr.rows)}, {self._print(expr.cols)})"


def _function_reader_name(cls: type) -> str:
    """The name a reader types for a function: its displayed name for a display-only class
    (``function_named("A", "zA")`` is typed ``A``), else its class name."""
    if _undefined_like(cls) and not isinstance(cls, UndefinedFunction):
        shown = expr_latex(cls(sp.Symbol("t")))
        head = re.split(r"\\left\(|\(", shown)[0]
        return _reader_name(head)
    return cls.__name__


_ACCENTS = {"hat": "hat", "bar": "bar", "tilde": "tilde", "dot": "dot", "vec": "vec"}


def _reader_name(name: str) -> str:
    r"""A Python identifier a reader can type for a symbol whose name may be LaTeX.

    ``\theta_1`` gives ``theta_1``, ``{\hat{y}}_{1}`` gives ``yhat_1``, ``y^{(1)}`` gives ``y1``,
    ``\frac{\partial \ell}{\partial \theta_1}`` gives ``dell_dtheta_1``, ``lambda`` gives
    ``lamda`` (sympy's spelling; ``lambda`` is a Python keyword).
    """
    if name.isidentifier() and not keyword.iskeyword(name):
        return name
    text = name
    frac = re.fullmatch(r"\{?\\frac\{\\partial\^?\d? ?(.+?)\}\{\\partial (.+?)\}\}?", text)
    if frac:
        return f"d{_reader_name(frac.group(1))}_d{_reader_name(frac.group(2))}"
    for accent, suffix in _ACCENTS.items():
        text = re.sub(rf"\\{accent}\{{([^{{}}]*)\}}", rf"\1{suffix}", text)
    text = re.sub(r"\\(?:mathrm|text|mathbb|mathcal|operatorname|mathbf|boldsymbol)", "", text)
    text = re.sub(r"\^\{\(([^{}]*)\)\}", r"\1", text)  # y^{(1)} -> y1
    text = text.replace("^", "")
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    text = re.sub(r"[^0-9A-Za-z_]+", "_", text)
    text = re.sub(r"_+", "_", text).strip("_")
    if not text:
        text = "s"
    if text[0].isdigit():
        text = "s" + text
    if text == "lambda":
        return "lamda"
    if keyword.iskeyword(text):
        text += "_"
    return text


# --- suggestions -------------------------------------------------------------------------------


def _suggestions(spec: dict, target: sp.Basic, given: Mapping, table: _SymbolTable) -> list:
    """One true next step (an equal rewriting) and one tempting false one (a slip the checker
    rejects with a counterexample), both checked numerically with the reader's seed."""
    prepared = _prepared(target, given)
    candidates = [prepared] if prepared != target else []
    ops = sp.count_ops(prepared)
    small = ops <= REWRITE_MAX_OPS
    if small and not isinstance(prepared, (sp.MatrixBase, sp.MatrixExpr)):
        rewrites = [sp.factor, sp.expand, sp.together, _reciprocal, sp.cancel]
        if ops <= SIMPLIFY_MAX_OPS:
            rewrites.insert(0, sp.simplify)
        for rewrite in rewrites:
            try:
                candidates.append(rewrite(prepared))
            except Exception:  # a rewriting that fails is simply not offered
                continue
    elif small and isinstance(prepared, sp.MatrixExpr):
        candidates.append(prepared.expand())
    current = table.reader_text(target)
    texts: dict[str, sp.Basic] = {}
    for candidate in candidates:
        text = table.reader_text(candidate)
        if text != current and len(text) <= SUGGESTION_MAX_CHARS:
            texts.setdefault(text, candidate)
    true_step = None
    for text, candidate in list(texts.items())[:MAX_REWRITES]:
        if _holds(spec, text):
            true_step = candidate
            break
    if true_step is None and _holds(spec, current):
        true_step = target  # nothing shorter to offer: the line itself, retyped
    suggestions = []
    if true_step is not None:
        suggestions.append({"text": table.reader_text(true_step), "holds": True})
    base = true_step if true_step is not None else prepared
    for tried, slip in enumerate(_slips(base)):
        text = table.reader_text(slip)
        if tried == MAX_SLIPS or len(text) > SUGGESTION_MAX_CHARS:
            break
        kind = _kind(spec, text)
        if kind == "failed":
            suggestions.append({"text": text, "holds": False})
        if kind in ("failed", "unverified", None):
            break  # found; or the checker cannot evaluate this expression, so no slip would show
    return suggestions


def _reciprocal(expr: sp.Expr) -> sp.Expr:
    """``1/expand(1/expr)``: ``exp(eta)/(1 + exp(eta))`` becomes ``1/(1 + exp(-eta))``."""
    return 1 / sp.expand(1 / expr)


def _slips(expr: sp.Basic) -> Iterable[sp.Basic]:
    """Tempting mistakes: a flipped sign in an exponent, a flipped term, a dropped factor, an
    inverted power; a factor 2 last."""
    for power in sorted(expr.atoms(sp.exp), key=sp.default_sort_key):
        yield expr.xreplace({power: sp.exp(-power.args[0])})
    for add in sorted(expr.atoms(sp.Add), key=sp.default_sort_key):
        term = add.args[-1]
        yield expr.xreplace({add: add - 2 * term})
    for mul in sorted(expr.atoms(sp.Mul), key=sp.default_sort_key):
        coefficient, rest = mul.as_coeff_Mul()
        if coefficient not in (1, -1) and coefficient.is_Rational:
            yield expr.xreplace({mul: rest})
    for power in sorted(expr.atoms(sp.Pow), key=sp.default_sort_key):
        if power.exp == -1:
            yield expr.xreplace({power: power.base})
    yield 2 * expr


def _settled(spec: dict, text: str) -> dict | None:
    """The check of ``text``, numeric route first; None when it failed or a time budget cut it
    (a suggestion must not depend on the machine's speed, and must not be slow to check)."""
    # a suggestion only needs to hold on the box: no probe outside it (whose evaluation can
    # run into its time budget, e.g. a quadrature outside its parameters' domain)
    result = _check(spec, text, numeric_first=True, probe_outside=False)
    if not result.get("ok", False) or result["verdict"].get("clock_cuts"):
        return None
    return result


def _kind(spec: dict, text: str) -> str | None:
    result = _settled(spec, text)
    return result["verdict"]["kind"] if result else None


def _holds(spec: dict, text: str) -> bool:
    result = _settled(spec, text)
    return bool(result and result["holds"])


# --- the reader's step -------------------------------------------------------------------------


def check_reader_step(spec: Mapping[str, Any] | str, text: str) -> dict[str, Any]:
    """Check the reader's ``text`` as the next step of the derivation described by ``spec``.

    Returns ``{"ok": True, "verdict": <Verdict.to_record()>, "holds": ..., "html": ...,
    "describe": ...,
    "input": ..., "input_latex": ..., "seconds": ...}`` or ``{"ok": False, "error": "<one
    line>"}``. Never raises for bad input.
    """
    return _check(spec, text, numeric_first=False)


def _check(
    spec: Mapping[str, Any] | str, text: str, numeric_first: bool, probe_outside: bool = True
) -> dict[str, Any]:

    if isinstance(spec, str):
        spec = json.loads(spec)
    if not spec.get("available", False):
        return {"ok": False, "error": f"This derivation cannot be checked here: {spec['reason']}."}
    started = time.perf_counter()
    try:
        context = _Context(spec)
        expr = parse_reader_text(text, context.names)
    except ReaderInputError as error:
        return {"ok": False, "error": str(error)}
    try:
        verdict = check_equal(
            context.target,
            expr,
            domain=context.domain,
            given=context.given,
            dims=context.dims,
            seed=spec["seed"],
            numeric_first=numeric_first,
            probe_outside=probe_outside,
        )
    except (ValueError, TypeError, sp.SympifyError, ArithmeticError) as error:
        return {"ok": False, "error": _one_line(f"This step cannot be compared: {error}")}
    except RecursionError:
        return {"ok": False, "error": "This expression is too deeply nested to check."}
    return {
        "ok": True,
        "verdict": verdict.to_record(),
        "holds": bool(verdict.holds),
        "describe": verdict.describe(),
        "html": verdict_html(verdict),
        "input": sp.sstr(expr),
        "input_latex": expr_latex(expr),
        "seconds": round(time.perf_counter() - started, 3),
    }


class _Context:
    """A spec turned back into sympy objects: target, domain, given, dims, the reader's names."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        if spec.get("format") != FORMAT:
            raise ReaderInputError(
                f"The page was built by another version of the playground (format "
                f"{spec.get('format')}, expected {FORMAT}); rebuild the book."
            )
        namespace = _spec_namespace(spec.get("functions", []))
        self.namespace = namespace
        symbols = spec.get("symbols", [])
        for k, entry in enumerate(symbols):
            namespace[f"_s{k}"] = _eval_spec(entry["srepr"], namespace)
        self.target = self.decode(spec["compare_with"])
        self.domain = {self.decode(s): self._box(b) for s, b in spec.get("domain", [])}
        self.given = {self.decode(k): self.decode(v) for k, v in spec.get("given", [])}
        self.dims = {self.decode(s): int(v) for s, v in spec.get("dims", [])}
        from glmnotes import notation

        names: dict[str, Any] = {name: namespace[name] for name in READER_FUNCTIONS}
        names.update(ln=sp.log, sigmoid=notation.sigmoid, Indicator=notation.Indicator)
        names.update({f["reader"]: namespace[f["name"]] for f in spec.get("functions", [])})
        for k, entry in enumerate(symbols):
            if entry["name"] is not None:
                names[entry["name"]] = namespace[f"_s{k}"]
        self.names = names

    def decode(self, text: str) -> Any:
        return _eval_spec(text, self.namespace)

    @staticmethod
    def _box(spec: Any) -> Any:
        return spec if isinstance(spec, str) else (sp.Rational(spec[0]), sp.Rational(spec[1]))


def _spec_namespace(functions: list[dict[str, Any]]) -> dict[str, Any]:
    """sympy's names, the glmnotes.notation functions the spec names, and undefined functions
    rebuilt with their assumptions (``srepr`` prints ``Function('A')`` without them)."""
    namespace: dict[str, Any] = {k: v for k, v in vars(sp).items() if not k.startswith("_")}
    namespace["Str"] = Str
    undefined = {}
    for entry in functions:
        if entry["kind"] == "undefined":
            undefined[entry["name"]] = sp.Function(entry["name"], **entry.get("assumptions", {}))
            namespace[entry["name"]] = undefined[entry["name"]]
        elif entry["kind"] == "notation":
            from glmnotes import notation

            namespace[entry["name"]] = getattr(notation, entry["name"])

    def function(name, **assumptions):
        return undefined.get(str(name)) or sp.Function(str(name), **assumptions)

    namespace["Function"] = function
    return namespace


def _eval_spec(text: str, namespace: dict[str, Any]) -> Any:
    """Evaluate ``srepr`` text written by :func:`reader_spec` (the book's own data, not the
    reader's input) with sympy's names only and no builtins."""
    try:
        return eval(text, {"__builtins__": {}}, namespace)  # noqa: S307 - see the docstring
    except Exception as error:
        message = _one_line(f"The page's derivation data is damaged: {error}")
        raise ReaderInputError(message) from None


# --- parsing the reader's text ----------------------------------------------------------------


_ALLOWED_OPERATORS = {"+", "-", "*", "/", "**", "^", "(", ")", "[", "]", ",", "@", "!", "."}
_RELATIONS = {"=", "==", "<", ">", "<=", ">=", "!=", "<>", ":="}


def _normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for char, replacement in _TYPOGRAPHY.items():
        text = text.replace(char, replacement)
    return "".join(_GREEK_TO_NAME.get(char, char) for char in text)


def parse_reader_text(text: str, names: Mapping[str, Any]) -> sp.Basic:
    """The reader's text as a sympy expression, using only ``names`` (no Python is evaluated:
    every token is checked before sympy's parser sees it). Raises :class:`ReaderInputError`."""
    from sympy.parsing.sympy_parser import (
        auto_number,
        convert_xor,
        factorial_notation,
        implicit_multiplication,
        parse_expr,
        rationalize,
    )

    if not isinstance(text, str) or not text.strip():
        raise ReaderInputError("Type an expression first.")
    if len(text) > MAX_INPUT:
        raise ReaderInputError(f"That is longer than {MAX_INPUT} characters.")
    text = " ".join(_normalised(text).split())
    tokens = _tokens(text)
    _validate(tokens, names)
    global_dict = {
        "__builtins__": {},
        "Integer": sp.Integer,
        "Float": sp.Float,
        "Rational": sp.Rational,
        "factorial": sp.factorial,
        # relations and logic of an unevaluated parse (evaluate=False writes a < b as Lt(...))
        **{name: getattr(sp, name) for name in ("Eq", "Ne", "Lt", "Le", "Gt", "Ge")},
        **{name: getattr(sp, name) for name in ("And", "Or", "Not")},
        # Add, Mul, Pow, factorial, binomial...: evaluated node by node, except that a number
        # too large to compute exactly (3^(10^10) typed by a reader: minutes of one
        # uninterruptible operation, gigabytes) is kept whole and evaluated in floating precision
        **guarded_operators(),
    }
    names = {
        name: guarded_functions([value]).get(str(value), value) if callable(value) else value
        for name, value in names.items()
    }
    transformations = (
        auto_number,
        factorial_notation,
        convert_xor,
        implicit_multiplication,
        rationalize,
    )
    try:
        expr = parse_expr(
            text,
            local_dict=dict(names),
            global_dict=global_dict,
            transformations=transformations,
            evaluate=False,  # the operators are the guarded ones of global_dict
        )
    except (SyntaxError, tokenize.TokenError):
        raise ReaderInputError("That is not a complete expression (check the brackets).") from None
    except RecursionError:
        raise ReaderInputError("That expression is too deeply nested.") from None
    except Exception as error:
        message = _one_line(f"That cannot be read as an expression: {error}")
        raise ReaderInputError(message) from None
    logic = (
        sp.core.relational.Relational,
        sp.logic.boolalg.BooleanAtom,
        sp.logic.boolalg.BooleanFunction,
    )
    if isinstance(expr, (bool, *logic)):
        raise ReaderInputError("Type an expression, not a relation or a truth value.")
    if isinstance(expr, (int, float)):
        expr = sp.sympify(expr)
    if not isinstance(expr, (sp.Basic, sp.MatrixBase)):
        raise ReaderInputError("That is not a mathematical expression.")
    return expr


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        raise ReaderInputError("That is not a complete expression (check the brackets).") from None


def _validate(tokens: list[tokenize.TokenInfo], names: Mapping[str, Any]) -> None:
    depth = 0
    significant = [
        t
        for t in tokens
        if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT)
    ]
    for index, token in enumerate(significant):
        kind, value = token.type, token.string
        if kind == tokenize.NAME:
            if keyword.iskeyword(value) or value.startswith("_"):
                raise ReaderInputError(f"'{value}' is not a name of this derivation.")
            previous = significant[index - 1].string if index else ""
            if previous == "." and value == "T":
                continue
            if value not in names:
                raise ReaderInputError(
                    f"Unknown name '{value}': use the derivation's names (listed under the box) "
                    "and sympy functions such as exp, log, sqrt."
                )
        elif kind == tokenize.NUMBER:
            if value[-1] in "jJ":
                raise ReaderInputError(f"'{value}': write I for the imaginary unit.")
            if len(value) > 30:
                raise ReaderInputError(f"The number {value[:12]}... is too long.")
        elif kind == tokenize.OP:
            if value in _RELATIONS:
                raise ReaderInputError(
                    f"'{value}' makes a relation: type only the next expression; it is checked "
                    "as (the line above) = (your expression)."
                )
            if value not in _ALLOWED_OPERATORS:
                raise ReaderInputError(f"'{value}' is not allowed here.")
            if value == ".":
                following = significant[index + 1].string if index + 1 < len(significant) else ""
                if following != "T":
                    raise ReaderInputError("'.' is allowed only in numbers and in X.T (transpose).")
            if value in "([":
                depth += 1
                if depth > MAX_DEPTH:
                    raise ReaderInputError("That expression is too deeply nested.")
            elif value in ")]":
                depth -= 1
        elif kind == tokenize.STRING:
            raise ReaderInputError("Quotes are not allowed: type the expression itself.")
        elif kind in (tokenize.ERRORTOKEN,) and value.strip():
            if value == "!":
                continue
            if value in ("=", "<", ">"):
                raise ReaderInputError(
                    f"'{value}' makes a relation: type only the next expression."
                )
            raise ReaderInputError(f"'{value}' is not allowed here.")
        elif kind not in (tokenize.OP, tokenize.ERRORTOKEN, tokenize.NAME, tokenize.NUMBER):
            if value.strip():
                raise ReaderInputError(f"'{value}' is not allowed here.")


# --- rendering ---------------------------------------------------------------------------------


def verdict_html(verdict: Any) -> str:
    """The verdict's mark and details as the book shows them under a derivation, opened at once
    for a false step (its counterexample shown)."""
    return page.verdict_html(verdict, open=not verdict.holds)


def _one_line(text: str, limit: int = 240) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."
