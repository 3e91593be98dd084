"""Where a custom objective's time goes in ``xgb.train``: the floor set by XGBoost's own custom
path, and what boostobj adds on top.

Three trainings on the same data (hist, 2 threads, median of ``--repeat`` runs, alternating):

* ``built-in``: ``binary:logistic`` (XGBoost computes the gradients inside, no copies);
* ``replay``: a Python objective that hands back, round by round, the gradients and hessians
  that ``BinaryLogLoss`` produced in a recorded run (computed beforehand, so it costs nothing):
  the trees are those of the custom run, and the time over the built-in is XGBoost's custom
  path alone (the margin copy of ``predict(output_margin=True, training=True)``, the Python
  call, the copy of the gradient pairs in ``XGBoosterTrainOneIter``);
* ``BinaryLogLoss``: boostobj's objective (the dispatcher's label read and check, the kernel).

Run on quiet cores (nothing else running):

    .venv/bin/python benchmarks/xgboost_floor.py [--rows 1000000] [--rounds 200] [--repeat 3]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import xgboost as xgb

import boostobj
from boostobj.bench.data import make_data


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()

    data = make_data("binary", a.rows, 28, seed=0)
    X, y = data["X"], data["y"]
    d = xgb.DMatrix(X, y, nthread=a.threads)
    params = {"tree_method": "hist", "max_depth": 6, "eta": 0.1, "max_bin": 256,
              "nthread": a.threads, "verbosity": 0, "seed": 0}
    loss = boostobj.BinaryLogLoss()
    start = float(loss.init_score(y))

    recorded = []

    def record(preds, data):
        g, h = loss(preds, data)
        recorded.append((g.copy(), h.copy()))
        return g, h

    class Replay:
        def __init__(self):
            self.i = 0

        def __call__(self, preds, data):
            g, h = recorded[self.i]
            self.i += 1
            return g, h

    objective_seconds = [0.0]

    def timed_loss(preds, data):
        t0 = time.perf_counter()
        out = loss(preds, data)
        objective_seconds[0] += time.perf_counter() - t0
        return out

    custom = {**params, "base_score": 1 / (1 + np.exp(-start))}
    xgb.train(custom, d, a.rounds, obj=record)  # record the custom run's gradients

    def run(kind):
        t0 = time.perf_counter()
        if kind == "built-in":
            xgb.train({**params, "objective": "binary:logistic"}, d, a.rounds)
        elif kind == "replay":
            xgb.train(custom, d, a.rounds, obj=Replay())
        else:
            xgb.train(custom, d, a.rounds, obj=timed_loss)
        return time.perf_counter() - t0

    kinds = ("built-in", "replay", "BinaryLogLoss")
    times = {k: [] for k in kinds}
    run("BinaryLogLoss")  # warm-up (the first training set validation, page faults)
    objective_seconds[0] = 0.0
    for _ in range(a.repeat):
        for k in kinds:
            times[k].append(run(k))
    med = {k: statistics.median(v) for k, v in times.items()}
    per_round = objective_seconds[0] / a.repeat / a.rounds * 1e3
    print(f"{a.rows:,} rows x 28, {a.rounds} rounds, {a.threads} threads, median of {a.repeat}")
    for k in kinds:
        print(f"  {k:14s} {med[k]:8.2f} s   {med[k] / med['built-in']:.3f} x built-in")
    print(f"  XGBoost's custom path (replay / built-in): {med['replay'] / med['built-in']:.3f}")
    print(f"  boostobj's share (BinaryLogLoss / replay): {med['BinaryLogLoss'] / med['replay']:.3f}"
          f"   (objective call {per_round:.2f} ms per round, "
          f"{per_round * a.rounds / 1e3 / med['BinaryLogLoss'] * 100:.1f}% of the training)")


if __name__ == "__main__":
    main()
