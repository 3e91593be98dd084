"""boostobj's survival objectives: Cox proportional hazards and accelerated failure time (AFT)
with XGBoost and LightGBM, censored labels in each library's form, predictions, Harrell's C.

Run: python examples/survival.py [--rounds 60]

Ends by asserting that the custom objectives reproduce XGBoost's ``survival:cox`` and
``survival:aft`` from the same start (untied times, no weights), and that every model ranks the
held-out rows well (Harrell's C above 0.7, where the true risk reaches 0.75).
"""

import argparse

import numpy as np
import xgboost as xgb

import boostobj
from boostobj import AFTLoss, CoxPHLoss
from boostobj.losses.survival import concordance_index, event_bounds
from boostobj.metrics import Concordance


def simulated(n: int, seed: int = 0):
    """Features, ``[time, event]`` labels (exponential times, log hazard ``x0 - 0.5 x1``,
    about 30% right-censored) and weights."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    risk = X[:, 0] - 0.5 * X[:, 1]
    t = rng.exponential(np.exp(-risk))
    c = rng.exponential(2.5, n)
    y = np.column_stack([np.minimum(t, c), (t <= c).astype(float)])
    return X, y, rng.uniform(0.5, 2.0, n), risk


def main(rounds: int = 60) -> None:
    X, y, w, risk = simulated(3000)
    tr, te = slice(0, 2000), slice(2000, None)
    best = concordance_index(y[te, 0], y[te, 1], risk[te])
    print(f"Harrell's C of the true risk on the test rows: {best:.3f}")
    params = {"max_depth": 3, "eta": 0.1, "tree_method": "hist", "nthread": 1}

    # 1. Cox through xgb.train: XGBoost's signed times (negative = censored)
    cox = CoxPHLoss()
    signed = cox.stored_labels(y)  # from [time, event]
    dtrain = xgb.DMatrix(X[tr], signed[tr])
    start = boostobj.xgboost_params(cox, signed[tr])  # survival:cox, base_score 1 (margin 0)
    custom = xgb.train({**params, **start}, dtrain, rounds, obj=cox)
    builtin = xgb.train({**params, **start}, dtrain, rounds)
    dtest = xgb.DMatrix(X[te])
    dm = np.max(np.abs(custom.predict(dtest, output_margin=True)
                       - builtin.predict(dtest, output_margin=True)))
    relative_risk = custom.predict(dtest)  # exp(margin)
    c_cox = cox.concordance(y[te], np.log(relative_risk))
    print(f"CoxPHLoss vs survival:cox: max |d margin| = {dm:.2e}; test C = {c_cox:.3f}")

    # with sample weights, the weighted partial likelihood (weights inside the risk sets;
    # survival:cox multiplies its unweighted gradient instead)
    weighted = xgb.train({**params, **start}, xgb.DMatrix(X[tr], signed[tr], weight=w[tr]),
                         rounds, obj=cox)
    print(f"weighted CoxPHLoss: test C = "
          f"{cox.concordance(y[te], weighted.predict(dtest, output_margin=True)):.3f}")

    # 2. AFT through xgb.train: bounds [lower, upper] (upper = inf: right-censored)
    aft = AFTLoss(distribution="normal", scale=1.0)
    bounds = event_bounds(y)
    dtrain = xgb.DMatrix(X[tr], label_lower_bound=bounds[tr, 0],
                         label_upper_bound=bounds[tr, 1])
    start = boostobj.xgboost_params(aft, bounds[tr])  # survival:aft, base_score = exp(start)
    custom = xgb.train({**params, **start}, dtrain, rounds, obj=aft)
    builtin = xgb.train({**params, **start}, dtrain, rounds)
    da = np.max(np.abs(custom.predict(dtest, output_margin=True)
                       - builtin.predict(dtest, output_margin=True)))
    predicted_time = custom.predict(dtest)  # exp(margin)
    c_aft = aft.concordance(bounds[te], np.log(predicted_time))
    print(f"AFTLoss vs survival:aft: max |d margin| = {da:.2e}; test C = {c_aft:.3f}, median "
          f"predicted time {np.median(predicted_time):.2f}")

    # 3. the estimators take the labels in their own forms
    lgbm_cox = boostobj.LGBMRegressor(objective=cox, n_estimators=rounds, num_leaves=8,
                                      learning_rate=0.1, verbose=-1, n_jobs=1)
    lgbm_cox.fit(X[tr], y[tr], sample_weight=w[tr])  # [time, event]
    print(f"LGBMRegressor(CoxPHLoss): test C = {lgbm_cox.score(X[te], y[te]):.3f}")
    xgb_aft = boostobj.XGBRegressor(objective=aft, n_estimators=500, max_depth=3,
                                    learning_rate=0.1, n_jobs=1, early_stopping_rounds=20,
                                    eval_metric=Concordance(aft))
    xgb_aft.fit(X[tr][:1500], bounds[tr][:1500], eval_set=[(X[tr][1500:], bounds[tr][1500:])],
                verbose=False)
    print(f"XGBRegressor(AFTLoss), early stopping on the concordance (maximised): best "
          f"iteration {xgb_aft.best_iteration}, test C = {xgb_aft.score(X[te], bounds[te]):.3f}")

    # 4. CatBoost cannot hand a Python objective every row (Cox) or two labels a row (AFT)
    try:
        boostobj.CatBoostRegressor(loss_function=cox, iterations=2).fit(X[tr], y[tr])
    except NotImplementedError as exc:
        print(f"CatBoost: {exc}")
    except ImportError:
        pass

    assert dm < 1e-4 and da < 1e-5, (dm, da)
    for c in (c_cox, c_aft, lgbm_cox.score(X[te], y[te]), xgb_aft.score(X[te], bounds[te])):
        assert 0.7 < c <= best + 0.02, (c, best)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=60)
    main(parser.parse_args().rounds)
