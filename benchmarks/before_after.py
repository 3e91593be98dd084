"""Training time of boostobj objectives against their built-in twins, for comparing two versions.

Run it once per checkout (same machine, quiet, one after the other) and compare the ratios:

    PYTHONPATH=/path/to/old/checkout python benchmarks/before_after.py --out old.json
    PYTHONPATH=/path/to/new/checkout python benchmarks/before_after.py --out new.json

Each case trains the custom objective and its built-in twin on the same data (hist, 2 threads),
``--repeat`` times alternately, and reports the median time of each and their ratio. Works with
any boostobj version (it finds ``xgboost_params`` as a function or as the old method).
"""

import argparse
import json
import statistics
import time

import lightgbm as lgb
import xgboost as xgb
from sklearn.datasets import make_classification, make_regression

import boostobj


def xgboost_params(loss, y):
    if hasattr(boostobj, "xgboost_params"):
        return boostobj.xgboost_params(loss, y)
    return loss.xgboost_params(y)  # boostobj 0.1


def cases(rows: int):
    Xb, yb = make_classification(rows, 28, n_informative=14, random_state=0)
    Xr, yr = make_regression(rows, 28, n_informative=14, noise=1.0, random_state=0)
    Xm, ym = make_classification(rows, 28, n_informative=14, n_classes=3, random_state=0)
    yield "BinaryLogLoss", boostobj.BinaryLogLoss(), "binary", Xb, yb
    yield "FocalLoss(gamma=2)", boostobj.FocalLoss(gamma=2.0), "binary", Xb, yb
    yield "PseudoHuberLoss(delta=1)", boostobj.PseudoHuberLoss(delta=1.0), "regression", Xr, yr
    yield "SquaredErrorLoss", boostobj.SquaredErrorLoss(), "regression", Xr, yr
    yield "SoftmaxLoss", boostobj.SoftmaxLoss(), "multiclass", Xm, ym


BUILTIN = {"binary": ("binary:logistic", "binary"), "regression": ("reg:squarederror", "regression"),
           "multiclass": ("multi:softprob", "multiclass")}


def time_xgb(loss, task, X, y, rounds):
    d = xgb.DMatrix(X, y)
    base = {"tree_method": "hist", "max_depth": 6, "eta": 0.1, "nthread": 2, "verbosity": 0}
    custom = {**base, **xgboost_params(loss, y)}
    builtin = {**custom, "objective": BUILTIN[task][0]}

    def run_custom():
        xgb.train(custom, d, rounds, obj=loss)

    def run_builtin():
        xgb.train(builtin, d, rounds)

    return run_custom, run_builtin


def time_lgb(loss, task, X, y, rounds):
    base = {"num_leaves": 63, "learning_rate": 0.1, "num_threads": 2, "verbose": -1,
            "force_col_wise": True, "metric": "None"}
    if task == "multiclass":
        base["num_class"] = 3
    init = loss.init_raw_prediction(y)

    def run_custom():
        lgb.train({**base, "objective": loss}, lgb.Dataset(X, y, init_score=init), rounds)

    def run_builtin():
        lgb.train({**base, "objective": BUILTIN[task][1]}, lgb.Dataset(X, y), rounds)

    return run_custom, run_builtin


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    rows = []
    for name, loss, task, X, y in cases(args.rows):
        for library, make in (("xgboost", time_xgb), ("lightgbm", time_lgb)):
            run_custom, run_builtin = make(loss, task, X, y, args.rounds)
            run_custom()  # warm up (imports, caches)
            tc, tb = [], []
            for _ in range(args.repeat):
                for fn, out in ((run_custom, tc), (run_builtin, tb)):
                    t0 = time.perf_counter()
                    fn()
                    out.append(time.perf_counter() - t0)
            c, b = statistics.median(tc), statistics.median(tb)
            rows.append({"loss": name, "library": library, "custom_s": c, "builtin_s": b,
                         "ratio": c / b})
            print(f"{name:26s} {library:9s} custom {c:7.3f} s  built-in {b:7.3f} s  ratio {c / b:.3f}",
                  flush=True)
    if args.out:
        with open(args.out, "w") as fh:
            json.dump({"boostobj": boostobj.__file__, "rows": args.rows, "rounds": args.rounds,
                       "repeat": args.repeat, "results": rows}, fh, indent=1)


if __name__ == "__main__":
    main()
