"""CatBoost with a Python objective: boostobj's ``BinaryLogLoss`` beside CatBoost's own
``Logloss`` and beside a Python objective that hands back a ready array and computes nothing,
training time, median of ``--repeat`` alternating runs.

CatBoost calls ``calc_ders_range`` on blocks of about 1000 rows, several hundred times an
iteration from its worker threads, each call holding the GIL. boostobj's estimators hand it a
compiled callable (no Python frame per block) and watch ``loss.metric`` (evaluated on the
training rows every iteration). Rows: the estimator; the same watching CatBoost's own
``Logloss`` metric (the objective alone); the loss passed to ``catboost.CatBoostClassifier``
directly with ``eval_metric=loss.metric`` (a Python method that checks each block's labels);
the do-nothing Python method. Run on quiet cores:

    .venv/bin/python benchmarks/catboost_speed.py [--rows 200000] [--features 10]
        [--iterations 200] [--threads 2] [--repeat 3]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import catboost
import numpy as np

import boostobj


class Constant:
    """A Python objective that computes nothing: CatBoost's form of a fixed gradient (the block's
    first ``m`` rows of a ready ``(n, 2)`` array), the cost of the calls alone."""

    no_jit = True

    def __init__(self, n: int) -> None:
        self.out = np.empty((n, 2))
        self.out[:, 0] = 0.1
        self.out[:, 1] = -0.25

    def calc_ders_range(self, approxes, targets, weights):
        return self.out[: len(approxes)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--features", type=int, default=10)
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()

    rng = np.random.default_rng(0)
    X = rng.standard_normal((a.rows, a.features))
    y = (rng.random(a.rows) < 1 / (1 + np.exp(-X[:, :3].sum(axis=1)))).astype(float)
    common = {"iterations": a.iterations, "depth": 6, "thread_count": a.threads,
              "verbose": False, "random_seed": 0, "allow_writing_files": False}

    def run(kind):
        t0 = time.perf_counter()
        if kind == "Logloss":
            catboost.CatBoostClassifier(loss_function="Logloss", **common).fit(X, y)
        elif kind == "BinaryLogLoss":  # the estimator watches loss.metric (Python) every iteration
            boostobj.CatBoostClassifier(loss_function=boostobj.BinaryLogLoss(), **common).fit(X, y)
        elif kind == "  metric Logloss":  # the same, watching CatBoost's own Logloss metric
            boostobj.CatBoostClassifier(loss_function=boostobj.BinaryLogLoss(),
                                        eval_metric="Logloss", **common).fit(X, y)
        elif kind == "bare loss":  # catboost's own estimator, the loss object, its metric
            loss = boostobj.BinaryLogLoss()
            catboost.CatBoostClassifier(loss_function=loss, eval_metric=loss.metric,
                                        **common).fit(catboost.Pool(X, y, baseline=start))
        else:  # the floor: a Python objective that computes nothing (eval_metric: no Python)
            catboost.CatBoostRegressor(loss_function=Constant(a.rows), eval_metric="RMSE",
                                       **common).fit(X, y)
        return time.perf_counter() - t0

    start = np.full(a.rows, boostobj.BinaryLogLoss().init_score(y))
    kinds = ("Logloss", "BinaryLogLoss", "  metric Logloss", "bare loss", "Python floor")
    for k in kinds:
        run(k)  # warm-up
    times = {k: [] for k in kinds}
    for _ in range(a.repeat):
        for k in kinds:
            times[k].append(run(k))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"catboost {catboost.__version__}: {a.rows:,} rows x {a.features}, depth 6, "
          f"{a.iterations} iterations, {a.threads} threads, median of {a.repeat}")
    for k in kinds:
        print(f"  {k:14s} {med[k]:7.2f} s   {med[k] / med['Logloss']:.3f} x Logloss")


if __name__ == "__main__":
    main()
