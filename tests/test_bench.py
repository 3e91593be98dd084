"""``python -m boostobj bench`` end to end on tiny sizes (no timing assertions)."""

import json

import numpy as np
import pytest

pytest.importorskip("xgboost")
pytest.importorskip("lightgbm")
pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")

import boostobj
from boostobj import bench

TINY = ["--rows", "1500", "--rounds", "3", "--repeat", "2", "--kernel-rows", "3000",
        "--kernel-repeat", "3", "--no-progress"]


def test_bench_runs_end_to_end_and_writes_json_and_png(tmp_path, capsys):
    out = tmp_path / "res"
    assert bench.main([*TINY, "--tasks", ",".join(bench.TASKS), "--out", str(out)]) == 0
    report = json.loads((out / "bench.json").read_text())
    png = (out / "bench.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000

    cases = bench.make_cases(bench.TASKS, bench.parse_args([]).libraries)  # CatBoost if installed
    rows = report["training"]
    assert len(rows) == len(cases)
    assert {(r["task"], r["library"], r["objective"]) for r in rows} == \
        {(c.task, c.library, c.name) for c in cases}
    for r in rows:
        assert len(r["train_s_all"]) == 2 and r["train_s"] > 0
        assert all(np.isfinite(v) for v in r["quality"].values()) and r["quality"]
        if r["kind"] == "custom":
            assert r["ratio"] > 0 and r["objective_ms_per_round"] > 0
            assert 0 < r["objective_share_pct"] < 100
        assert r["split_rows_per_round"] > 0
    # every custom model started from its init score: its twin's quality is the built-in's
    by = {(r["task"], r["library"], r["objective"]): r["quality"] for r in rows}
    for lib, builtin in (("xgboost", "binary:logistic"), ("lightgbm", "binary")):
        assert by[("binary", lib, "BinaryLogLoss()")]["roc_auc"] == \
            pytest.approx(by[("binary", lib, builtin)]["roc_auc"], abs=1e-3)
    # the log-link losses get deviance rows beside their twins, on labels they take
    for lib, twins in (("xgboost", ("count:poisson", "reg:tweedie", "reg:gamma")),
                       ("lightgbm", ("poisson", "tweedie", "gamma"))):
        for (task, loss), twin in zip((("counts", "PoissonLoss()"), ("counts", "TweedieLoss()"),
                                       ("positive", "GammaLoss()")), twins):
            mine, theirs = by[(task, lib, loss)], by[(task, lib, twin)]
            assert mine["deviance"] > 0 and theirs["deviance"] > 0
            assert mine["deviance"] == pytest.approx(theirs["deviance"], rel=0.05)
        assert "mae" in by[("regression", lib, "SmoothQuantileLoss()")]

    names = {k["loss"] for k in report["kernels"]}
    assert {repr(loss) for loss in bench.kernel_losses()} == names
    for k in report["kernels"]:
        assert k["rows"] == 3000 and k["kernel_f32_ms"] > 0 and k["call_xgboost_ms"] > 0
        assert k["rows_per_s_f32"] > 0
        # a LightGBM Dataset holds no AFT bounds: no LightGBM call row for two label columns
        assert k["call_lightgbm_ms"] > 0 if "AFTLoss" not in k["loss"] else "call_lightgbm_ms" not in k
    assert report["memory"]["floor_rows_per_s"] > 0
    env = report["environment"]
    assert env["OMP_WAIT_POLICY"] and env["versions"]["xgboost"] and env["machine"]["cpu_count"]
    from boostobj import _kernels

    assert env["compiled_kernels"] is _kernels.COMPILED
    # the kernel each loss names, and whether the compiled extension runs it, come from the
    # loss and the kernel table; with the compiled extension, the numpy kernel it replaces is
    # timed beside it
    for k, loss in zip(report["kernels"], bench.kernel_losses()):
        spec = (loss.resolved(np.ones(3)) if loss.has_auto() else loss).fast_kernel()
        assert k["kernel"] == (spec[0] if spec else None)
        assert k["compiled"] is (spec is not None and _kernels.compiled(spec[0]))
        assert ("numpy_f32_ms" in k) is k["compiled"]
    compiled = {k["name"] for k in report["kernels"] if k["compiled"]}
    if _kernels.COMPILED:  # today's extension: every 1-D loss but squared error
        assert {"BinaryLogLoss", "FocalLoss", "LogCoshLoss", "PseudoHuberLoss", "PoissonLoss",
                "GammaLoss", "TweedieLoss", "QuantileLoss", "ExpectileLoss", "FairLoss",
                "CauchyLoss", "WelschLoss", "BinaryCrossEntropy"} <= compiled
    else:
        assert not compiled
    text = capsys.readouterr().out
    assert "ratio" in text and "BinaryLogLoss()" in text and "memory" in text


def test_one_library_and_no_kernels(tmp_path):
    assert bench.main([*TINY, "--libraries", "lightgbm", "--tasks", "regression",
                       "--kernel-rows", "0", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "bench.json").read_text())
    assert {r["library"] for r in report["training"]} == {"lightgbm"}
    assert report["kernels"] == []


def test_kernel_passes_take_the_median_of_each_timing_over_the_passes(monkeypatch, capsys):
    import boostobj
    from boostobj.bench import kernels

    fake = iter([1.0, 5.0, 2.0])  # one pass each: the median must be 2.0, the best the minimum

    def one_pass(loss, rows, reps, libraries):
        t = next(fake)
        return kernels._kernel_derived({"loss": repr(loss), "name": type(loss).__name__, "rows": rows,
                                      "bytes_per_row": 16, "kernel_f32_ms": t,
                                      "kernel_f32_best_ms": t / 2, "kernel_f64_ms": 2 * t,
                                      "kernel_f64_best_ms": t, "reference_f64_ms": 3 * t})

    monkeypatch.setattr(kernels, "kernel_rows_for", one_pass)
    seen = []
    (row,) = bench.kernel_rows([boostobj.LogCoshLoss()], 2_000_000, 3, (), passes=3,
                               progress=seen.append)
    assert len(seen) == 3 and row["passes"] == 3
    assert row["kernel_f32_ms"] == 2.0 and row["kernel_f64_ms"] == 4.0
    assert row["reference_f64_ms"] == 6.0 and row["kernel_f32_best_ms"] == 0.5
    assert row["kernel_ms_per_1m"] == 2.0 and row["kernel_best_ms_per_1m"] == 0.5
    assert row["kernel_ms_per_1m_passes"] == [1.0, 5.0, 2.0]
    text = bench.kernel_table([row], bench.memory_floor(reps=1))
    assert "each pass" in text and "1.00 5.00 2.00" in text


def test_kernel_passes_option_runs_end_to_end(tmp_path):
    assert bench.main([*TINY, "--libraries", "xgboost", "--tasks", "binary",
                       "--kernel-passes", "2", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "bench.json").read_text())
    assert report["kernels"] and all(k["passes"] == 2 and len(k["kernel_ms_per_1m_passes"]) == 2
                                     for k in report["kernels"])


def _stump_rows(leaves):
    """Brute force: a one-split tree's smaller child, from each row's leaf."""
    return sum(min(np.bincount(col)[np.unique(col)]) for col in leaves.T)


def test_split_rows_counts_the_smaller_child_of_every_split():
    import lightgbm as lgb
    import xgboost as xgb

    rng = np.random.default_rng(0)
    X = rng.standard_normal((3000, 4)).astype(np.float32)
    y = (X[:, 0] > 1.0) + 0.1 * rng.standard_normal(3000)  # the best split is uneven
    # stumps: the work of each tree is min(left rows, right rows)
    xb = xgb.train({"max_depth": 1, "eta": 0.5, "verbosity": 0}, xgb.DMatrix(X, y), 3)
    want = _stump_rows(xb.predict(xgb.DMatrix(X), pred_leaf=True).astype(int))
    assert bench.split_rows(xb, X, sample=len(X)) == want
    assert 0 < want < 3 * 1500
    lb = lgb.train({"num_leaves": 2, "verbose": -1, "min_data_in_leaf": 5}, lgb.Dataset(X, y), 3)
    assert bench.split_rows(lb, X) == _stump_rows(lb.predict(X, pred_leaf=True))
    per_tree = bench.split_rows(lb, X, per_tree=True)
    assert per_tree.shape == (3,) and per_tree.sum() == bench.split_rows(lb, X)
    # deeper trees: every split counts once; the total is below rows x depth
    deep = lgb.train({"num_leaves": 15, "verbose": -1}, lgb.Dataset(X, y), 2)
    assert 0 < bench.split_rows(deep, X) <= 2 * 3000 * 14 / 2
    xd = xgb.train({"max_depth": 4, "verbosity": 0}, xgb.DMatrix(X, y), 2)
    exact = bench.split_rows(xd, X, sample=len(X))
    assert bench.split_rows(xd, X, sample=1000) == pytest.approx(exact, rel=0.15)


def test_split_rows_of_catboost_symmetric_trees():
    cb = pytest.importorskip("catboost")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3000, 4)).astype(np.float32)
    y = (X[:, 0] > 1.0) + 0.5 * X[:, 1] + 0.1 * rng.standard_normal(3000)
    params = {"iterations": 3, "verbose": False, "allow_writing_files": False, "random_seed": 0}
    stump = cb.CatBoost({**params, "depth": 1}).fit(X, y)
    leaves = np.asarray(stump.calc_leaf_indexes(cb.Pool(X)))
    assert bench.split_rows(stump, X) == _stump_rows(leaves)
    # depth 2: the first split (leaf index bit 0) over all rows, the second within each side
    deep = cb.CatBoost({**params, "depth": 2}).fit(X, y)
    leaf = np.asarray(deep.calc_leaf_indexes(cb.Pool(X)))[:, 0]
    first = min(np.sum(leaf & 1), np.sum(1 - (leaf & 1)))
    second = sum(min(np.sum(leaf == side), np.sum(leaf == side + 2)) for side in (0, 1))
    assert bench.split_rows(deep, X, per_tree=True)[0] == first + second


@pytest.mark.parametrize("task", bench.TASKS)
def test_make_data(task):
    d = bench.make_data(task, 4000, 12, seed=3)
    assert d["X"].shape == (4000, 12) and d["X_test"].shape == (1000, 12)
    assert d["X"].dtype == np.float32
    again = bench.make_data(task, 4000, 12, seed=3)
    np.testing.assert_array_equal(d["y"], again["y"])
    if task == "imbalanced":
        assert 0.01 < d["y"].mean() < 0.08
    if task == "binary":
        assert 0.3 < d["y"].mean() < 0.7
    if task == "regression":
        assert np.max(np.abs(d["y"])) > 15 > np.percentile(np.abs(d["y_test"]), 99)
    if task == "counts":
        assert np.all(d["y"] == np.floor(d["y"])) and 0.2 < np.mean(d["y"] == 0) < 0.7
    if task == "positive":
        assert np.all(d["y"] > 0)


@pytest.mark.parametrize("argv", [["--tasks", "nope"], ["--tasks", ","], ["--libraries", "nope"],
                                  ["--quality", "real", "--libraries", "catboost"],
                                  ["--catboost-rows", "10"],
                                  ["--rows", "0"], ["--repeat", "0"], ["--features", "0"],
                                  ["--features", "9"], ["--kernel-rows", "-1"],
                                  ["--threads", "0"], ["--rounds", "x"]])
def test_bad_arguments_are_usage_errors_before_the_output_folder(argv, tmp_path, capsys):
    out = tmp_path / "not-yet"
    with pytest.raises(SystemExit) as exc:
        bench.main([*argv, "--out", str(out), "--no-progress"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "Traceback" not in err
    assert not out.exists()  # the folder is created only once every option is known good


def test_out_must_be_a_folder(tmp_path, capsys):
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(SystemExit) as exc:
        bench.main(["--out", str(afile), "--no-progress"])
    assert exc.value.code == 2 and "not a folder" in capsys.readouterr().err


def test_default_run_is_quick_and_full_is_the_readme_configuration():
    quick = bench.parse_args([])
    assert (quick.rows, quick.rounds, quick.repeat, quick.kernel_rows, quick.kernel_repeat) == \
        (50_000, 50, 1, 200_000, 7)
    full = bench.parse_args(["--full"])
    assert (full.rows, full.rounds, full.repeat, full.kernel_rows, full.kernel_repeat) == \
        (100_000, 100, 3, 1_000_000, 21)
    mixed = bench.parse_args(["--full", "--rounds", "7"])  # explicit options win
    assert mixed.rounds == 7 and mixed.rows == 100_000
    assert quick.tasks == list(bench.TASKS)
    assert quick.libraries == [lib for lib in bench.LIBRARIES
                               if lib != "catboost" or bench.report.installed(lib)]
    assert (quick.catboost_rows, full.catboost_rows) == (5_000, 20_000)
    assert "catboost" not in bench.parse_args(["--quality", "real"]).libraries


def test_catboost_is_left_out_cleanly_when_not_installed(monkeypatch, tmp_path, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "catboost", None)  # import catboost raises ImportError
    assert bench.parse_args([]).libraries == ["xgboost", "lightgbm"]
    with pytest.raises(SystemExit) as exc:
        bench.main(["--libraries", "catboost", "--out", str(tmp_path / "x"), "--no-progress"])
    assert exc.value.code == 2 and "not installed" in capsys.readouterr().err
    assert bench.main([*TINY, "--tasks", "regression", "--kernel-rows", "0",
                       "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "bench.json").read_text())
    assert {r["library"] for r in report["training"]} == {"xgboost", "lightgbm"}


def test_catboost_rows_beside_its_builtins(tmp_path):
    pytest.importorskip("catboost")
    assert bench.main([*TINY, "--libraries", "catboost", "--tasks", "binary,multiclass",
                       "--catboost-rows", "1000", "--kernel-rows", "0",
                       "--out", str(tmp_path)]) == 0
    rows = json.loads((tmp_path / "bench.json").read_text())["training"]
    by = {r["objective"]: r for r in rows}
    assert {"Logloss", "CrossEntropy", "MultiClass", "BinaryLogLoss()", "SoftmaxLoss()"} <= set(by)
    # CrossEntropy on 0/1 labels is Logloss; the custom rows are timed against Logloss
    assert by["CrossEntropy"]["quality"] == pytest.approx(by["Logloss"]["quality"], rel=1e-9)
    assert by["BinaryLogLoss()"]["reference"] == "Logloss"
    assert by["SoftmaxLoss()"]["reference"] == "MultiClass"
    for r in rows:
        assert r["split_rows_per_round"] > 0 and r["quality"]
        if r["kind"] == "custom":
            assert r["objective_ms_per_round"] > 0 and "target" not in r


def test_rows_walk_the_registry():
    from boostobj.registry import REGISTRY

    names = {c.name for c in bench.make_cases(bench.TASKS, bench.LIBRARIES) if c.loss is not None}
    # SquaredLogErrorLoss (labels > -1 on the identity link) fits no task: kernel rows only;
    # the survival losses have no training task yet: their kernels are timed
    assert names == {repr(e.cls(**bench.LOSS_PARAMS.get(e.cls.name, {}))) for e in REGISTRY
                     if e.cls is not boostobj.SquaredLogErrorLoss and e.cls.task != "survival"}
    kinds = {loss.task for loss in bench.kernel_losses()}
    assert kinds == {"binary", "regression", "multiclass", "survival"}
    assert {type(loss) for loss in bench.kernel_losses()} == {e.cls for e in REGISTRY}


def test_make_data_needs_ten_features():
    with pytest.raises(ValueError, match="features must be >= 10"):
        bench.make_data("binary", 100, 5, seed=0)


@pytest.mark.parametrize("library", ["lightgbm", "xgboost"])
def test_split_work_script_runs(library, capsys):
    import runpy
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "split_work.py"
    runpy.run_path(str(script), run_name="split_work")["main"](3000, 10, library)
    out = capsys.readouterr().out
    assert "PseudoHuberLoss()" in out and out.count("Mrow") == 3


def test_alternatives_script_runs(capsys):
    import runpy
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "alternatives.py"
    runpy.run_path(str(script), run_name="alternatives")["main"](5000, 3)
    out = capsys.readouterr().out
    assert "float32 arithmetic" in out and "two threads" in out and "numba" in out
    assert "numpy kernel" in out and "compiled kernel" in out
