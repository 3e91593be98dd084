"""``python -m boostobj parity``: the command line of the parity harness.

Plans (what runs without options, and the documented full runs):

* default (quick): the small real sets (breast_cancer, diabetes, wine), variants plain and
  w+nan, every tree method, modes float64 and match_builtin, 100 rounds, plus the sampling
  cases (12 per XGBoost twin, 4 per LightGBM twin, 4 sampling cases; 6 per XGBoost survival
  twin, which has the float64 mode only) on data of at most 569 rows, a few minutes on 2 cores;
* ``--full``: every case on the real sets (4 variants x 3 modes), plus the 200,000-row synthetic
  sets with XGBoost ``hist`` and LightGBM, variants plain and w+nan, modes float64 and
  match_builtin (40 cases per XGBoost twin, 16 per LightGBM twin, 4 sampling cases; 26 per
  XGBoost survival twin), an estimated 25 minutes on 2 cores for the 20 twins it was timed with;
* ``--datasets real synthetic``: every case on both (slow; approx/exact on 200k rows too).

CatBoost, when installed, joins each plan (:data:`QUICK_CATBOOST`): two cases per CatBoost twin
in the default run (plain and weighted), 8 in ``--full`` and in ``--datasets real`` (4 for a
survival twin: float64 only). The run prints its number of cases first (the counts follow the
registry's twins).

The survival twins (``coxph``, ``aft``) get their own sets, ``diabetes/surv`` (the features of
scikit-learn's diabetes, its target as untied event times, 30% censored) and the synthetic
``.../surv``, and run in ``float64`` mode only (no mirror of XGBoost's ``survival:``
objectives; in CatBoost through the harness's keyed objective,
:class:`~boostobj.parity.runner.KeyedCatBoostObjective`).
"""

from __future__ import annotations

import argparse
import contextlib
import sys

from .._cli import int_at_least, writable_or_error
from ..registry import REGISTRY, builtin_twin
from .cases import MODES, TREE_METHODS, VARIANTS, build_cases, load_datasets, parity_losses
from .report import format_table, report_json, summary, summary_lines
from .runner import detect_pseudohuber_hessian, run

__all__ = ["default_libraries", "main"]

#: The default run's variants and modes (the tree methods: all).
QUICK = {"variants": ["plain", "w+nan"], "modes": ["float64", "match_builtin"]}
#: ``--full``: on the synthetic sets, the cases the tolerances are stated for.
FULL_SYNTHETIC = {"variants": ["plain", "w+nan"], "tree_methods": ["hist"],
                  "modes": ["float64", "match_builtin"]}
#: CatBoost in the default run: its float64 cases on the plain sets and the weighted ones with
#: NaN features (the survival twins hold unweighted only), 20 rounds (CatBoost calls a Python
#: objective per block of rows, per row for multiclass: its cases cost more than the others', a
#: few seconds in all here). ``--full`` runs every CatBoost case on the real sets with
#: ``--rounds``; the synthetic sets only with ``--datasets``.
QUICK_CATBOOST = {"variants": ["plain", "w+nan"], "modes": ["float64"], "rounds": 20}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m boostobj parity",
        description="Train boostobj objectives beside their built-in twins (XGBoost, LightGBM) "
                    "and compare predictions and tree dumps. Without options: a quick run on the "
                    "small real sets (a few minutes on 2 cores); --full for the documented plan "
                    "with the 200k-row sets (about half an hour).")
    p.add_argument("--rows", type=int_at_least(100), default=200_000,
                   help="rows of the synthetic datasets (default 200000)")
    p.add_argument("--rounds", type=int_at_least(1), default=None,
                   help="boosting rounds (default 100; CatBoost in the default run: 20)")
    p.add_argument("--seeds", type=int_at_least(0), nargs="+", default=[0],
                   help="seeds (>= 0) for synthetic data, weights and NaN positions (default 0)")
    plan = p.add_mutually_exclusive_group()
    plan.add_argument("--full", action="store_true",
                      help="the full plan: every case on the real sets, plus the synthetic sets "
                           "with XGBoost hist and LightGBM, variants plain and w+nan, modes "
                           "float64 and match_builtin")
    plan.add_argument("--datasets", nargs="+", choices=("real", "synthetic"), default=None,
                      help="real: breast_cancer/diabetes/wine from scikit-learn; synthetic: "
                           "make_classification/make_regression with --rows rows; every variant, "
                           "tree method and mode unless narrowed. Default: the real sets, "
                           "variants plain and w+nan, modes float64 and match_builtin")
    p.add_argument("--variants", nargs="+", choices=VARIANTS, default=None,
                   help="plain, w (sample weights), nan (10%% NaN features), w+nan")
    p.add_argument("--libraries", nargs="+", choices=("xgboost", "lightgbm", "catboost"),
                   default=None,
                   help="default: xgboost and lightgbm, and catboost when it is installed")
    p.add_argument("--tree-methods", nargs="+", choices=TREE_METHODS["xgboost"], default=None,
                   help="XGBoost tree methods (default all)")
    p.add_argument("--modes", nargs="+", choices=MODES, default=None)
    p.add_argument("--losses", nargs="+", default=None,
                   choices=sorted(e.cls.name for e in REGISTRY if e.twins),
                   help="registry keys (default: every loss with a built-in twin)")
    p.add_argument("--no-sampling", action="store_true",
                   help="skip the subsample/colsample/feature_fraction/bagging cases")
    p.add_argument("--threads", type=int_at_least(1), default=None,
                   help="library threads (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    p.add_argument("--json-out", metavar="PATH", default=None,
                   help="also write the JSON report to PATH (checked before the run)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return p


def _plans(args) -> tuple[str, list[dict]]:
    """The plan's name and what to run: the options as given over the plan's defaults."""
    given = {"variants": args.variants, "tree_methods": args.tree_methods, "modes": args.modes}
    everything = {"variants": list(VARIANTS), "tree_methods": list(TREE_METHODS["xgboost"]),
                  "modes": list(MODES)}
    sampling = not args.no_sampling
    rounds = args.rounds or 100
    libraries = args.libraries if args.libraries is not None else default_libraries()
    others = [lib for lib in libraries if lib != "catboost"]
    catboost = ["catboost"] if "catboost" in libraries else []

    def over(defaults):
        return {k: given[k] if given[k] is not None else defaults[k] for k in given}

    def plan(sources, libraries, defaults, sampling=sampling, rounds=rounds):
        return {"sources": sources, "sampling": sampling, "libraries": libraries,
                "rounds": rounds, **over(defaults)}

    if args.datasets is not None:
        return "datasets", [plan(args.datasets, libraries, everything)]
    if args.full:
        plans = [plan(["real"], libraries, everything),
                 plan(["synthetic"], others, FULL_SYNTHETIC, sampling=False)]
    else:
        plans = [plan(["real"], others, {**everything, **QUICK})]
        if catboost:
            plans.append(plan(["real"], catboost, {**everything, **QUICK_CATBOOST},
                              rounds=args.rounds or QUICK_CATBOOST["rounds"]))
    return ("full" if args.full else "quick"), [p for p in plans if p["libraries"]]


def _installed(module: str) -> bool:
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def default_libraries() -> list[str]:
    """XGBoost and LightGBM, and CatBoost when it is installed (an optional extra)."""
    return ["xgboost", "lightgbm"] + (["catboost"] if _installed("catboost") else [])


def main(argv=None) -> int:
    """``python -m boostobj parity [options]``: exit status 1 if any case FAILs, 2 on bad usage,
    else 0."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.json_out:
        writable_or_error(parser, "--json-out", args.json_out)
    if args.libraries is None:
        args.libraries = default_libraries()
    elif "catboost" in args.libraries and not _installed("catboost"):
        parser.error("--libraries catboost: catboost is not installed (pip install "
                     "'boostobj[catboost]')")
    losses = parity_losses(args.losses)
    tasks = sorted({loss.task for loss in losses})
    plan_name, plans = _plans(args)
    results = []
    for seed in args.seeds:
        cases = []
        for plan in plans:
            datasets = {t: load_datasets(t, sources=plan["sources"], rows=args.rows, seed=seed,
                                         variants=plan["variants"]) for t in tasks}
            cases += build_cases(losses, datasets, libraries=plan["libraries"],
                                 tree_methods=plan["tree_methods"], modes=plan["modes"],
                                 rounds=plan["rounds"], threads=args.threads, seed=seed,
                                 sampling=plan["sampling"])
        total, done = len(cases), [0]

        def progress(r, total=total, done=done):
            done[0] += 1
            if not args.quiet:
                print(f"[{done[0]}/{total}] {r.status:5} {r.loss} {r.library} {r.tree_method} "
                      f"{r.dataset} {r.mode} ({r.seconds:.1f}s)", file=sys.stderr, flush=True)

        if not args.quiet:
            print(f"parity: {len(cases)} cases (plan {plan_name}, seed {seed})",
                  file=sys.stderr, flush=True)
        # stdout carries the report only: the libraries' own messages go to stderr (LightGBM
        # 4.0 prints "[LightGBM] [Warning] Using self-defined objective function" through
        # Python's print despite verbose=-1, which would corrupt --json)
        with contextlib.redirect_stdout(sys.stderr):
            results += run(cases, progress=progress)
    pseudohuber = None
    if "xgboost" in args.libraries and any(builtin_twin(loss).get("xgboost") ==
                                           "reg:pseudohubererror" for loss in losses):
        with contextlib.redirect_stdout(sys.stderr):
            pseudohuber = detect_pseudohuber_hessian()
    summary_ = summary(results, pseudohuber, plan_name)
    report = report_json(results, summary_)
    if args.json_out:
        try:
            with open(args.json_out, "w", encoding="utf-8") as fh:
                fh.write(report + "\n")
        except OSError as exc:  # the folder went away during the run
            print(f"error: --json-out {args.json_out}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    if args.json:
        print(report)
    else:
        print(format_table(results))
        print()
        print("\n".join(summary_lines(summary_)))
    return 1 if summary_["counts"].get("FAIL") else 0
