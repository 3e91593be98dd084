"""Why a robust loss trains slower than squared error on the same data: the trees, not the objective.

Trains LightGBM (or XGBoost) on the benchmark's outlier-contaminated regression set with the
built-in squared error, boostobj's ``SquaredErrorLoss`` (the same trees) and
``PseudoHuberLoss``, and prints, for every block of rounds, the time per round beside the
tree-building work: the rows in the smaller child of every split (``boostobj.bench.split_rows``).

    .venv/bin/python benchmarks/split_work.py [rows] [rounds] [lightgbm|xgboost]
"""

import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

import boostobj
from boostobj import bench


def main(rows: int = 1_000_000, rounds: int = 200, library: str = "lightgbm") -> None:
    data = bench.make_data("regression", rows, 28, 0)
    X, y = data["X"], data["y"]
    bins = 10 if rounds % 10 == 0 else 1
    print(f"{library}, {rows:,} rows, {rounds} rounds; per block of {rounds // bins} rounds: "
          "ms per round | split M rows per round")
    if library == "lightgbm":
        import lightgbm as lgb

        ds = lgb.Dataset(X, y, params={"max_bin": 255, "verbose": -1}).construct()
        models = {"regression (built-in)": "regression",
                  "SquaredErrorLoss()": boostobj.SquaredErrorLoss(),
                  "PseudoHuberLoss()": boostobj.PseudoHuberLoss()}
    else:
        import xgboost as xgb

        ds = xgb.QuantileDMatrix(X, y, max_bin=256)
        models = {"reg:squarederror (built-in)": None,
                  "SquaredErrorLoss()": boostobj.SquaredErrorLoss(),
                  "PseudoHuberLoss()": boostobj.PseudoHuberLoss()}
    for name, objective in models.items():
        stamps = []
        if library == "lightgbm":
            params = bench.lgb_params(2)
            if not isinstance(objective, str):
                ds.set_init_score(np.full(rows, objective.init_score(y)))
            params["objective"] = objective
            t0 = time.perf_counter()
            booster = lgb.train(params, ds, rounds,
                                callbacks=[lambda env, s=stamps: s.append(time.perf_counter())])
            ds.set_init_score(None)
        else:
            params = bench.xgb_params(2)
            if objective is not None:
                params.update(boostobj.xgboost_params(objective, y))

            class Stamp(xgb.callback.TrainingCallback):
                def __init__(self, out):
                    super().__init__()
                    self.out = out

                def after_iteration(self, model, epoch, evals_log):
                    self.out.append(time.perf_counter())
                    return False

            t0 = time.perf_counter()
            booster = xgb.train(params, ds, rounds, obj=objective, callbacks=[Stamp(stamps)])
        ms = np.diff([t0, *stamps]) * 1e3
        work = bench.split_rows(booster, X, per_tree=True) / 1e6
        ms_bins = ms.reshape(bins, -1).mean(axis=1)
        work_bins = work.reshape(bins, -1).mean(axis=1)
        print(f"{name:28s} ms   " + " ".join(f"{v:6.0f}" for v in ms_bins))
        print(f"{'':28s} Mrow " + " ".join(f"{v:6.2f}" for v in work_bins))


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 1_000_000, int(args[1]) if len(args) > 1 else 200,
         args[2] if len(args) > 2 else "lightgbm")
