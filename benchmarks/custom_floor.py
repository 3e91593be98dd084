"""Where a custom objective's time goes: the floor set by the library's own custom path, and what
boostobj adds on top.

Three trainings on the same data (2 threads, median of ``--repeat`` runs, alternating):

* ``built-in``: the library's objective (``binary:logistic`` / ``multi:softprob`` in XGBoost,
  ``binary`` / ``multiclass`` in LightGBM), gradients computed inside, no copies;
* ``replay``: a Python objective that hands back, round by round, the gradients and hessians
  that boostobj's loss produced in a recorded run (computed beforehand, so it costs nothing):
  the trees are those of the custom run, and the time over the built-in is the library's custom
  path alone (XGBoost: the margin copy of ``predict(output_margin=True, training=True)``, the
  Python call, the copy of the gradient pairs; LightGBM: ``LGBM_BoosterGetPredict`` into a
  float64 buffer, the Python call, the float32 gradients handed to
  ``LGBM_BoosterUpdateOneIterCustom``);
* the loss: boostobj's objective (the dispatcher's label read and check, the kernel).

``--task binary`` trains ``BinaryLogLoss``, ``--task multiclass`` ``SoftmaxLoss`` on 3 classes,
``--task regression``: in XGBoost ``PseudoHuberLoss(delta=1, hessian="exact")`` beside
``reg:pseudohubererror`` (``huber_slope=1``, the same start): twins, so all three runs grow the
same trees, on the benchmark's regression data (standardised, 5% outliers), where both converge;
in LightGBM ``PseudoHuberLoss()`` beside ``huber`` with ``alpha`` set to the loss's resolved
``delta`` (not twins: LightGBM's Huber has a hessian of 1 everywhere, so the trees differ, and
the replay grows the loss's trees at no objective cost).
``--loss FocalLoss`` (binary) or ``--loss MulticlassFocalLoss`` (multiclass) trains that loss
(default parameters) instead: a loss without a built-in twin grows other trees than the
built-in, and the replay, which grows the loss's trees, separates that difference (replay /
built-in) from boostobj's own share (loss / replay).
Run on quiet cores (nothing else running; the replay keeps every round's gradients in memory,
about 1.6 GB per 1M rows and 100 rounds at 3 classes):

    .venv/bin/python benchmarks/custom_floor.py [--library xgboost|lightgbm]
        [--task binary|multiclass|regression] [--loss FocalLoss] [--rows 1000000]
        [--rounds 200] [--repeat 3]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


import boostobj
from boostobj.bench.data import make_data
from boostobj.bench.training import lgb_params, xgb_params


def replay(recorded):
    """A Python objective handing back the recorded gradients, one round after the other (a
    closure: ``lightgbm.train`` deep-copies objects in its parameters, not functions)."""
    rounds = iter(recorded)
    return lambda preds, data: next(rounds)


def timed(loss, seconds, keep=None):
    """The loss as the objective, its calls' time added to ``seconds[0]`` (and its outputs kept
    in ``keep`` if given)."""

    def objective(preds, data):
        t0 = time.perf_counter()
        g, h = loss(preds, data)
        seconds[0] += time.perf_counter() - t0
        if keep is not None:
            keep.append((g.copy(), h.copy()))
        return g, h

    return objective


def trainers(library, task, X, y, loss, threads, rounds):
    """``train(objective)``: the built-in run for ``objective=None``, else the custom run with that
    objective (from the loss's start)."""
    k = int(y.max()) + 1 if task == "multiclass" else 1
    if library == "xgboost":
        import xgboost as xgb

        d = xgb.DMatrix(X, y, nthread=threads)
        params = xgb_params(threads)
        custom = {**params, **boostobj.xgboost_params(loss, y)}
        builtin = {"binary": {"objective": "binary:logistic"},
                   "multiclass": {"objective": "multi:softprob", "num_class": k},
                   "regression": {"objective": "reg:pseudohubererror", "huber_slope": 1.0,
                                  "base_score": custom.get("base_score")}}[task]

        def train(obj):
            if obj is None:
                return xgb.train({**params, **builtin}, d, rounds)
            return xgb.train(custom, d, rounds, obj=obj)

        return train
    import lightgbm as lgb

    ds_params = {"max_bin": 255, "verbose": -1, "num_threads": threads}
    plain = lgb.Dataset(X, y, params=ds_params, free_raw_data=False).construct()
    with_init = lgb.Dataset(X, y, params=ds_params, free_raw_data=False,
                            init_score=loss.init_raw_prediction(y).ravel(order="F")).construct()
    params = lgb_params(threads)
    builtin = {"binary": {"objective": "binary"},
               "multiclass": {"objective": "multiclass", "num_class": k},
               "regression": {"objective": "huber", "alpha": loss.resolved(y, None).delta}}[task]
    custom = {**params, **({"num_class": k} if task == "multiclass" else {})}

    def train(obj):
        if obj is None:
            return lgb.train({**params, **builtin}, plain, rounds)
        return lgb.train({**custom, "objective": obj}, with_init, rounds)

    return train


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--library", choices=("xgboost", "lightgbm"), default="xgboost")
    ap.add_argument("--task", choices=("binary", "multiclass", "regression"), default="binary")
    ap.add_argument("--loss", choices=("FocalLoss", "MulticlassFocalLoss"), default=None,
                    help="train this loss (default parameters) instead of the built-in's twin")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()

    wanted = {"FocalLoss": "binary", "MulticlassFocalLoss": "multiclass"}.get(a.loss, a.task)
    if wanted != a.task:
        ap.error(f"--loss {a.loss} needs --task {wanted}")
    data = make_data(a.task, a.rows, 28, seed=0)
    X, y = data["X"], data["y"]
    loss = {"binary": boostobj.BinaryLogLoss(), "multiclass": boostobj.SoftmaxLoss(),
            "regression": (boostobj.PseudoHuberLoss(delta=1.0, hessian="exact")
                           if a.library == "xgboost" else boostobj.PseudoHuberLoss())}[a.task]
    if a.loss:
        loss = getattr(boostobj, a.loss)()
    name = type(loss).__name__
    train = trainers(a.library, a.task, X, y, loss, a.threads, a.rounds)
    recorded, seconds = [], [0.0]
    train(timed(loss, [0.0], keep=recorded))  # record the custom run's gradients (and warm up)

    run_of = {"built-in": lambda: train(None), "replay": lambda: train(replay(recorded)),
              name: lambda: train(timed(loss, seconds))}
    times = {k: [] for k in run_of}
    for _ in range(a.repeat):
        for k, run in run_of.items():
            t0 = time.perf_counter()
            run()
            times[k].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    per_round = seconds[0] / a.repeat / a.rounds * 1e3
    print(f"{a.library}, {a.task}: {a.rows:,} rows x 28, {a.rounds} rounds, {a.threads} threads, "
          f"median of {a.repeat}")
    for k in run_of:
        print(f"  {k:14s} {med[k]:8.2f} s   {med[k] / med['built-in']:.3f} x built-in")
    print(f"  the library's custom path (replay / built-in): {med['replay'] / med['built-in']:.3f}")
    print(f"  boostobj's share ({name} / replay): {med[name] / med['replay']:.3f}"
          f"   (objective call {per_round:.2f} ms per round, "
          f"{per_round * a.rounds / 1e3 / med[name] * 100:.1f}% of the training)")


if __name__ == "__main__":
    main()
