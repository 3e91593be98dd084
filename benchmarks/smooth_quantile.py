"""SmoothQuantileLoss against QuantileLoss (and the built-in quantile objectives, for context):
held-out pinball loss in XGBoost and LightGBM through boostobj's estimators.

Data: 5 features uniform on [-1, 1], a smooth signal and heteroscedastic Student-t(3) noise,
2,000 training and 2,000 held-out rows, 5 seeds; learning rate 0.1, 200 and 600 rounds, no
early stopping, XGBoost depth 4, LightGBM 15 leaves, one thread. About a minute of CPU.

    .venv/bin/python benchmarks/smooth_quantile.py
"""

import warnings

import lightgbm as lgb
import numpy as np
import xgboost as xgb

import boostobj

LEVELS = (0.1, 0.5, 0.9)
ROUNDS = (200, 600)
SEEDS = range(5)


def pinball(y, z, alpha):
    r = y - z
    return float(np.mean(np.where(r >= 0, alpha * r, (alpha - 1) * r)))


def data(seed, n=4000):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 5))
    f = 2 * np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + X[:, 2]
    return X, f + (0.5 + 0.5 * np.abs(X[:, 3])) * rng.standard_t(3, n)


def models(alpha, rounds):
    kx = {"n_estimators": rounds, "learning_rate": 0.1, "max_depth": 4, "nthread": 1}
    kl = {"n_estimators": rounds, "learning_rate": 0.1, "num_leaves": 15, "verbose": -1,
          "n_jobs": 1}
    return {
        ("xgboost", "QuantileLoss"): boostobj.XGBRegressor(objective=boostobj.QuantileLoss(alpha=alpha), **kx),
        ("xgboost", "SmoothQuantileLoss"): boostobj.XGBRegressor(
            objective=boostobj.SmoothQuantileLoss(alpha=alpha), **kx),
        ("xgboost", "reg:quantileerror"): xgb.XGBRegressor(objective="reg:quantileerror",
                                                           quantile_alpha=alpha, **kx),
        ("lightgbm", "QuantileLoss"): boostobj.LGBMRegressor(objective=boostobj.QuantileLoss(alpha=alpha), **kl),
        ("lightgbm", "SmoothQuantileLoss"): boostobj.LGBMRegressor(
            objective=boostobj.SmoothQuantileLoss(alpha=alpha), **kl),
        ("lightgbm", "quantile"): lgb.LGBMRegressor(objective="quantile", alpha=alpha, **kl),
    }


def main():
    warnings.simplefilter("ignore")
    res = {}
    for seed in SEEDS:
        X, y = data(seed)
        Xtr, ytr, Xte, yte = X[:2000], y[:2000], X[2000:], y[2000:]
        for alpha in LEVELS:
            for rounds in ROUNDS:
                for (lib, name), model in models(alpha, rounds).items():
                    model.fit(Xtr, ytr)
                    res.setdefault((lib, alpha, rounds), {}).setdefault(name, []).append(
                        pinball(yte, model.predict(Xte), alpha))
    print("library   alpha rounds  " + "  ".join(f"{n:>20}" for n in ("QuantileLoss", "SmoothQuantileLoss", "built-in")) + "  smooth wins")
    for (lib, alpha, rounds), row in sorted(res.items()):
        names = list(row)
        diff = np.array(row["SmoothQuantileLoss"]) - np.array(row["QuantileLoss"])
        cells = "  ".join(f"{np.mean(row[n]):>12.4f} ± {np.std(row[n]):.4f}" for n in names)
        print(f"{lib:9} {alpha:5} {rounds:6}  {cells}  {int((diff < 0).sum())}/{len(diff)}")


if __name__ == "__main__":
    main()
