"""boostobj with xgboost.dask: the same objective instances on a two-worker LocalCluster.

Run: python examples/dask_xgboost.py [--rounds 50] [--rows 20000] [--quantise]

Trains on 8 partitions with sample weights: ``xgboost.dask.train(obj=loss,
custom_metric=loss.metric)`` with the starting score reduced from the Dask arrays, then
``boostobj.DaskXGBClassifier`` / ``DaskXGBRegressor``. Ends by asserting that the custom log loss
matches XGBoost's built-in ``binary:logistic`` under the same Dask setup, that ``loss.metric``
reports the global loss, and that the model is as good as single-machine training.
``--quantise`` replaces the features by 16 equal-frequency levels, so the distributed quantile sketch is
exact and Dask reproduces single-machine XGBoost.
"""

import argparse
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # 2 processes share the cores

import dask.array as da
import numpy as np
import xgboost as xgb
import xgboost.dask as dxgb
from distributed import Client, LocalCluster, wait
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import log_loss

import boostobj
from boostobj.adapters.dask import xgboost_params

PARAMS = {"tree_method": "hist", "max_depth": 6, "eta": 0.1}


def partitioned(client, X, y, w, n_parts=8):
    """X, y, w as Dask arrays whose row chunks live together on one worker each."""
    data = client.persist(da.from_array(np.column_stack([X, y, w]), chunks=(-(-len(y) // n_parts), -1)))
    wait(data)
    return data[:, :-2], data[:, -2], data[:, -1]


def quantised(X, levels=16):
    """Equal-frequency levels per column: every level on every worker, far fewer than max_bin."""
    return (np.argsort(np.argsort(X, axis=0), axis=0) * levels // X.shape[0]).astype(np.float64)



def main(rounds=50, rows=20000, quantise=False):
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        X, y = make_classification(rows, 20, n_informative=10, random_state=0)
        if quantise:
            X = quantised(X)
        w = np.random.default_rng(0).uniform(0.1, 3.0, rows)
        dX, dy, dw = partitioned(client, X, y, w)

        # 1. xgboost.dask.train: the objective runs on each worker's rows; the starting score
        #    needs all labels and comes from a reduction over the partitions
        loss = boostobj.BinaryLogLoss()
        params = {**PARAMS, **xgboost_params(loss, dy, dw)}  # binary:logistic + base_score
        dtrain = dxgb.DaskDMatrix(client, dX, dy, weight=dw)
        custom = dxgb.train(client, {**params, "eval_metric": "logloss"}, dtrain, rounds, obj=loss,
                            custom_metric=loss.metric, evals=[(dtrain, "train")], verbose_eval=False)
        builtin = dxgb.train(client, params, dtrain, rounds, verbose_eval=False)
        p = dxgb.predict(client, custom["booster"], dX).compute()  # probabilities
        p_builtin = dxgb.predict(client, builtin["booster"], dX).compute()
        d_builtin = float(np.max(np.abs(p - p_builtin)))
        hist = custom["history"]["train"]
        d_metric = float(np.max(np.abs(np.subtract(hist["log_loss"], hist["logloss"]))))
        print(f"xgboost.dask.train, BinaryLogLoss vs binary:logistic: max |dp| = {d_builtin:.2e}")
        print(f"loss.metric vs built-in logloss over {rounds} rounds: max diff {d_metric:.2e}")

        single = xgb.train(params, xgb.DMatrix(X, y, weight=w), rounds, obj=loss)
        p_single = single.predict(xgb.DMatrix(X))
        d_single = float(np.max(np.abs(p - p_single)))
        ll_dask, ll_single = log_loss(y, p, sample_weight=w), log_loss(y, p_single, sample_weight=w)
        print(f"dask vs single machine: max |dp| = {d_single:.2e}, weighted log loss "
              f"{ll_dask:.5f} vs {ll_single:.5f}")

        # 2. the estimators: base_score from the same reduction, predict_proba = probabilities
        clf = boostobj.DaskXGBClassifier(objective=boostobj.FocalLoss(gamma=1.0), n_estimators=rounds,
                                         max_depth=6, learning_rate=0.1)
        clf.fit(dX, dy, sample_weight=dw)
        acc = float(np.mean((clf.predict_proba(dX).compute()[:, 1] > 0.5) == y))
        print(f"DaskXGBClassifier(objective=FocalLoss(gamma=1)): train accuracy {acc:.4f}")

        Xr, yr = make_regression(rows, 20, noise=20.0, random_state=0)
        yr = yr + np.random.default_rng(1).standard_t(2, rows) * 10  # heavy-tailed noise
        dXr, dyr, dwr = partitioned(client, Xr, yr, w)
        robust = boostobj.PseudoHuberLoss(delta=20.0)
        reg = boostobj.DaskXGBRegressor(objective=robust, n_estimators=rounds, max_depth=6, learning_rate=0.1)
        reg.fit(dXr, dyr, sample_weight=dwr)
        mae = float(np.average(np.abs(reg.predict(dXr).compute() - yr), weights=w))
        ref = boostobj.XGBRegressor(objective=robust, n_estimators=rounds, max_depth=6,
                                    learning_rate=0.1).fit(Xr, yr, sample_weight=w)
        mae_single = float(np.average(np.abs(ref.predict(Xr) - yr), weights=w))
        print(f"DaskXGBRegressor(objective=PseudoHuberLoss(delta=20)): weighted MAE {mae:.2f} "
              f"(single machine {mae_single:.2f})")

    assert d_builtin < 1e-6, d_builtin  # the same objective as the built-in, float32 rounding apart
    assert d_metric < 1e-5, d_metric  # loss.metric is allreduced: the global loss, not one worker's
    assert abs(ll_dask - ll_single) < 0.01, (ll_dask, ll_single)
    if quantise:
        assert d_single < 1e-6, d_single  # exact sketch: Dask reproduces one machine
    assert acc > 0.9
    assert abs(mae - mae_single) < 0.1 * mae_single  # measured within 1.2% at the defaults


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--quantise", action="store_true")
    args = parser.parse_args()
    main(args.rounds, args.rows, args.quantise)
