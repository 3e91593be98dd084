"""The parity report: the plain-text table, the summary and the JSON form."""

from __future__ import annotations

import dataclasses
import json
import math

from . import mirror
from .cases import Result

__all__ = ["format_table", "report_json", "summary", "summary_lines"]

_COLUMNS = ("loss", "library", "builtin", "method", "dataset", "mode", "max|dpred|",
            "max|dmargin|", "identical", "structure", "start", "tolerance", "result")


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "-"
    return "0" if x == 0 else f"{x:.2g}"


def _row(r: Result) -> list[str]:
    extra = ",".join(f"{k}={v}" for k, v in r.extra.items())
    method = r.tree_method + (f" {extra}" if extra else "")
    if r.tolerance is None:
        tol = "-"
    elif r.tolerance == 0:
        tol = "0, all dumps"
    else:
        tol = f"{r.tolerance:g}, {r.require}"
    start = {True: "same", False: "differs", None: "-"}[r.intercept_equal]

    def trees(k):
        return f"{k}/{r.trees}" if r.trees else "-"

    return [r.loss, r.library, r.builtin, method, r.dataset, r.mode, _fmt(r.max_abs_diff_pred),
            _fmt(r.max_abs_diff_margin), trees(r.identical_trees), trees(r.same_structure),
            start, tol, r.status + (f" ({r.note})" if r.note else "")]


def format_table(results) -> str:
    """The plain-text report: one line per case, columns aligned."""
    rows = [list(_COLUMNS)] + [_row(r) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
    lines = []
    for k, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[-1])
        if k == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 6)
    return "\n".join(lines)


def summary(results, pseudohuber: str | None = None, plan: str | None = None) -> dict:
    """Counts per status, the library versions, the C library's ``expf`` build, and (when
    detected) which hessian XGBoost's ``reg:pseudohubererror`` uses."""
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    import lightgbm
    import xgboost

    out = {"counts": counts, "cases": len(results), "xgboost": xgboost.__version__,
           "lightgbm": lightgbm.__version__, "libm_expf_fma": mirror.libm_uses_fma()}
    if any(r.library == "catboost" for r in results):
        import catboost

        out["catboost"] = catboost.__version__
    if plan is not None:
        out["plan"] = plan
    if pseudohuber is not None:
        out["xgboost_pseudohuber_hessian"] = pseudohuber
    return out


def report_json(results, summary_: dict) -> str:
    """The ``--json`` report: ``{"summary": ..., "results": [one dict per case]}``."""
    return json.dumps({"summary": summary_,
                       "results": [dataclasses.asdict(r) for r in results]},
                      indent=1, default=str)


def summary_lines(summary_: dict) -> list[str]:
    """The lines printed under the table."""
    counts = ", ".join(f"{v} {k}" for k, v in sorted(summary_["counts"].items()))
    versions = ", ".join(f"{lib} {summary_[lib]}" for lib in ("xgboost", "lightgbm", "catboost")
                         if lib in summary_)
    lines = [f"summary: {counts}; {versions}"]
    pseudohuber = summary_.get("xgboost_pseudohuber_hessian")
    if pseudohuber is not None:
        lines.append(f"reg:pseudohubererror in this XGBoost uses the {pseudohuber} hessian"
                     + (" ((1+z^2/d^2)^-3/2, as PseudoHuberLoss(hessian='exact'))"
                        if pseudohuber == "exact" else ""))
    return lines
