"""boostobj with XGBoost: native API and scikit-learn wrapper, weights, starting score, metrics.

Run: python examples/xgboost_example.py [--rounds 50]
Ends by asserting that the custom log loss reproduces ``binary:logistic``.
"""

import argparse

import numpy as np
import xgboost as xgb
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.model_selection import train_test_split

import boostobj


def main(rounds: int = 50) -> None:
    X, y = load_breast_cancer(return_X_y=True)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    Xtr, Xte, ytr, yte, wtr, _ = train_test_split(X, y, w, random_state=0)
    dtrain, dtest = xgb.DMatrix(Xtr, ytr, weight=wtr), xgb.DMatrix(Xte, yte)

    # 1. the custom log loss against the built-in: same start (base_score), same link
    loss = boostobj.BinaryLogLoss()
    params = {"max_depth": 4, "eta": 0.1, "tree_method": "hist", **boostobj.xgboost_params(loss, ytr, wtr)}
    custom = xgb.train(params, dtrain, rounds, obj=loss)
    builtin = xgb.train(params, dtrain, rounds)
    diff = np.max(np.abs(custom.predict(dtest) - builtin.predict(dtest)))
    print(f"BinaryLogLoss vs binary:logistic: max |dp| = {diff:.2e}")

    # 2. focal loss with its own metric and early stopping on it
    focal = boostobj.FocalLoss(gamma=2.0, alpha=0.25)
    params = {"max_depth": 4, "eta": 0.1, "disable_default_eval_metric": True,
              **boostobj.xgboost_params(focal, ytr, wtr)}
    booster = xgb.train(params, dtrain, 500, obj=focal, custom_metric=focal.metric,
                        evals=[(dtest, "test")], early_stopping_rounds=20, verbose_eval=False)
    proba = booster.predict(dtest, iteration_range=(0, booster.best_iteration + 1))
    print(f"FocalLoss: best iteration {booster.best_iteration}, "
          f"test accuracy {np.mean((proba > 0.5) == yte):.3f}")

    # 3. the scikit-learn wrapper: boostobj.XGBClassifier sets base_score from init_score
    clf = boostobj.XGBClassifier(objective=focal, n_estimators=rounds, max_depth=4,
                                 eval_metric=focal.metric).fit(Xtr, ytr, sample_weight=wtr)
    print(f"XGBClassifier(objective=focal): predict_proba rows sum to "
          f"{clf.predict_proba(Xte).sum(1).min():.6f}")

    # 4. robust regression
    Xr, yr = load_diabetes(return_X_y=True)
    reg = boostobj.XGBRegressor(objective=boostobj.PseudoHuberLoss(delta=20.0), n_estimators=rounds,
                                max_depth=3).fit(Xr, yr)
    mae = np.mean(np.abs(reg.predict(Xr) - yr))
    print(f"XGBRegressor(objective=PseudoHuberLoss(delta=20)): train MAE {mae:.1f}")

    assert diff < 2e-6, diff
    assert np.mean((proba > 0.5) == yte) > 0.9
    assert mae < 40


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    main(parser.parse_args().rounds)
