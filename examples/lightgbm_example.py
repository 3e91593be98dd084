"""boostobj with LightGBM: native API and scikit-learn wrapper, weights, starting score, metrics.

Run: python examples/lightgbm_example.py [--rounds 50]
Ends by asserting that the custom log loss reproduces LightGBM's ``binary``.
"""

import argparse

import lightgbm as lgb
import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.model_selection import train_test_split

import boostobj

PARAMS = {"num_leaves": 15, "learning_rate": 0.1, "verbose": -1, "deterministic": True,
          "force_col_wise": True}


def main(rounds: int = 50) -> None:
    X, y = load_breast_cancer(return_X_y=True)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    Xtr, Xte, ytr, yte, wtr, _ = train_test_split(X, y, w, random_state=0)

    # 1. the custom log loss against the built-in: start from init_score, fold it in afterwards
    loss = boostobj.BinaryLogLoss()
    init = loss.init_score(ytr, wtr)
    dtrain = lgb.Dataset(Xtr, ytr, weight=wtr, init_score=loss.init_raw_prediction(ytr, wtr))
    custom = lgb.train({**PARAMS, "objective": loss, "metric": "None"}, dtrain, rounds)
    boostobj.fold_init_score(custom, init)
    builtin = lgb.train({**PARAMS, "objective": "binary"}, lgb.Dataset(Xtr, ytr, weight=wtr), rounds)
    diff = np.max(np.abs(loss.link.inverse(custom.predict(Xte)) - builtin.predict(Xte)))
    print(f"BinaryLogLoss vs binary: max |dp| = {diff:.2e}")

    # 2. focal loss with its own metric driving early stopping
    focal = boostobj.FocalLoss(gamma=2.0, alpha=0.25)
    init = focal.init_score(ytr, wtr)
    dtrain = lgb.Dataset(Xtr, ytr, weight=wtr, init_score=focal.init_raw_prediction(ytr, wtr))
    dvalid = lgb.Dataset(Xte, yte, init_score=np.full(len(yte), init), reference=dtrain)
    model = lgb.train({**PARAMS, "objective": focal, "metric": "None"}, dtrain, 500,
                      valid_sets=[dvalid], feval=focal.metric,
                      callbacks=[lgb.early_stopping(20, verbose=False)])
    boostobj.fold_init_score(model, init)
    proba = focal.link.inverse(model.predict(Xte))  # uses best_iteration
    print(f"FocalLoss: best iteration {model.best_iteration}, "
          f"test accuracy {np.mean((proba > 0.5) == yte):.3f}")

    # 3. the scikit-learn wrapper: start, metric and probabilities handled
    clf = boostobj.LGBMClassifier(objective=focal, n_estimators=rounds, **PARAMS)
    clf.fit(Xtr, ytr, sample_weight=wtr)
    print(f"LGBMClassifier(objective=focal): init_score_ = {clf.init_score_:.4f}, "
          f"predict_proba rows sum to {clf.predict_proba(Xte).sum(1).min():.6f}")

    # 4. robust regression
    Xr, yr = load_diabetes(return_X_y=True)
    reg = boostobj.LGBMRegressor(objective=boostobj.LogCoshLoss(), n_estimators=rounds, **PARAMS).fit(Xr, yr)
    mae = np.mean(np.abs(reg.predict(Xr) - yr))
    print(f"LGBMRegressor(objective=LogCoshLoss()): train MAE {mae:.1f}")

    assert diff < 1e-9, diff
    assert np.mean((proba > 0.5) == yte) > 0.9
    assert np.allclose(clf.predict_proba(Xte).sum(1), 1.0)
    assert mae < 60


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    main(parser.parse_args().rounds)
