"""The printed summary of a fitted :class:`~glmnotes.glm.GLM`, laid out like statsmodels'
``GLMResults.summary()``: the model and its fit statistics, then one row per coefficient."""

from __future__ import annotations

import html
from typing import Any

__all__ = ["Summary", "parameter_names", "summary"]

WIDTH = 72  # what a printed page's code block holds (the PDF: 10 pt FreeMono)
COLUMN = 10


class Summary(str):
    """The summary as plain text (a ``str``: ``print`` it), which a notebook shows as HTML
    tables (``_repr_html_``)."""

    header: list[tuple[str, str]]
    columns: list[str]
    rows: list[list[str]]

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in self.header
        )
        head = "".join(f"<th>{html.escape(c)}</th>" for c in ["", *self.columns])
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
            for row in self.rows
        )
        return (
            f'<table class="glm-summary">{cells}</table>'
            f'<table class="glm-summary"><tr>{head}</tr>{body}</table>'
        )


def _number(value: float) -> str:
    return f"{value:.6g}"


def _header(model: Any) -> list[tuple[str, str]]:
    result = model.inference_
    solver = "Newton (IRLS)" if model.solver == "newton" else "gradient ascent"
    return [
        ("Family", model.family_.name),
        ("Link", model.link_.name),
        ("Method", solver),
        ("Iterations", str(model.n_iter_)),
        ("Converged", str(model.converged_)),
        ("Covariance", "nonrobust"),
        ("Information", "expected (Fisher)"),
        ("No. observations", str(result.nobs)),
        ("Df residuals", str(result.df_resid)),
        ("Df model", str(result.df_model)),
        ("Scale", _number(result.scale)),
        ("Log-likelihood", _number(result.llf)),
        ("Deviance", _number(result.deviance)),
        ("Null deviance", _number(result.null_deviance)),
        ("Pearson chi2", _number(result.pearson_chi2)),
        ("AIC", _number(result.aic)),
        ("BIC (llf)", _number(result.bic)),
    ]


def summary(model: Any, alpha: float = 0.05) -> Summary:
    """The summary of a fitted scalar-family :class:`~glmnotes.glm.GLM`."""
    result = model.inference_
    statistic = "t" if result.use_t else "z"
    low, high = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
    columns = ["coef", "std err", statistic, f"P>|{statistic}|", low, high]
    interval = result.conf_int(alpha)
    rows = [
        [name, *(f"{v:.4f}" for v in (coef, se, z)), f"{p:.3f}", f"{a:.4f}", f"{b:.4f}"]
        for name, coef, se, z, p, (a, b) in zip(
            model.param_names_,
            result.params,
            result.bse,
            result.zvalues,
            result.pvalues,
            interval,
            strict=True,
        )
    ]
    header = _header(model)
    half = (len(header) + 1) // 2
    left, right = header[:half], header[half:] + [("", "")] * (2 * half - len(header))
    label = max(len(k) for k, _ in header) + 2
    value = (WIDTH - 2 * label - 2) // 2
    lines = ["Generalized linear model (glmnotes)".center(WIDTH), "=" * WIDTH]
    for (a, x), (b, z) in zip(left, right, strict=True):
        lines.append(
            f"{a + ':':<{label}}{x:>{value}}  {(b + ':') if b else '':<{label}}{z:>{value}}"
        )
    name_width = max(10, *(len(row[0]) + 1 for row in rows))
    lines += ["=" * WIDTH, " " * name_width + "".join(f"{c:>{COLUMN}}" for c in columns)]
    lines.append("-" * WIDTH)
    for name, *values in rows:
        lines.append(f"{name:<{name_width}}" + "".join(f"{v:>{COLUMN}}" for v in values))
    lines.append("=" * WIDTH)
    text = Summary("\n".join(lines))
    text.header, text.columns, text.rows = header, columns, rows
    return text


def parameter_names(X: Any, n_features: int, fit_intercept: bool) -> list[str]:
    """``const`` (with an intercept) and the columns' names if ``X`` has string ones (a pandas
    DataFrame), else ``x1 ... xp`` (statsmodels' defaults)."""
    columns = getattr(X, "columns", None)
    if columns is not None and all(isinstance(c, str) for c in columns):
        names = list(columns)
    else:
        names = [f"x{j}" for j in range(1, n_features + 1)]
    return (["const"] if fit_intercept else []) + names
