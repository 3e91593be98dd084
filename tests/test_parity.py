"""The parity harness on small data: every twin pair, both libraries, both modes.

float64 mode must meet the stated tolerances (XGBoost hist 2e-7 in probability with identical
tree structure, LightGBM 1e-12 with identical trees); match_builtin mode must give bit-identical
models (0 difference, every dump identical) with and without weights and NaN features.
"""

import ctypes
import ctypes.util
import json

import numpy as np
import pytest

pytest.importorskip("xgboost")
pytest.importorskip("lightgbm")
pytest.importorskip("sklearn")

import lightgbm as lgb
import xgboost as xgb

import boostobj
from boostobj import parity
from boostobj.parity import mirror

ROUNDS = 10
LOSSES = parity.parity_losses()
LIBRARIES = parity.cli.default_libraries()  # CatBoost when it is installed
PAIRS = [(loss, library, method) for loss in LOSSES for library in boostobj.builtin_twin(loss)
         if library in LIBRARIES for method in parity.TREE_METHODS[library]]
MIRRORED = [p for p in PAIRS if "match_builtin" in parity.LIBRARY_MODES[p[1]]
            and mirror.has_mirror(p[1], boostobj.builtin_twin(p[0])[p[1]])]


@pytest.fixture(scope="module")
def datasets():
    tasks = {loss.task for loss in LOSSES}
    return {t: parity.load_datasets(t, sources=("real",)) for t in tasks}


@pytest.fixture(scope="module")
def cache():
    return {}


def _run(loss, library, method, data, mode, cache, **kw):
    return parity.run_case(parity.Case(loss, library, method, data, mode, ROUNDS, **kw), cache)


def test_pairs_cover_every_twin():
    names = {type(loss).__name__ for loss in LOSSES}
    assert {"BinaryLogLoss", "FocalLoss", "PseudoHuberLoss", "SquaredErrorLoss", "SoftmaxLoss",
            "MulticlassFocalLoss", "PoissonLoss", "GammaLoss", "TweedieLoss", "BinaryCrossEntropy",
            "FairLoss", "LogCoshLoss", "CoxPHLoss", "AFTLoss"} <= names
    for loss in LOSSES:
        assert boostobj.builtin_twin(loss)
    assert ("xgboost", "hist") in {(lib, m) for _, lib, m in PAIRS}
    assert ("lightgbm", "gbdt") in {(lib, m) for _, lib, m in PAIRS}


@pytest.mark.parametrize(("loss", "library", "method"), PAIRS, ids=lambda v: str(v))
def test_float64_within_tolerance(loss, library, method, datasets, cache):
    for data in datasets[loss.task]:
        r = _run(loss, library, method, data, "float64", cache)
        if r.status == "known":  # a documented limit (an older library version, a built-in
            # that weighs rows otherwise by design), with its note
            assert r.note.startswith(("catboost < 1.2.3", "weighted: ")), r
            continue
        assert r.status in ("pass", "info"), r
        # survival: judged on margins (the log of predictions of any size)
        rel = (r.max_abs_diff_margin if data.task == "survival"
               else r.max_abs_diff_pred / data.scale)
        if data.task == "survival" and data.w is not None and r.status == "info":
            assert r.note.startswith("weighted: "), r  # reported: weights differ by design
            continue
        if r.status == "info":
            # not judged by the tolerance table: XGBoost approx/exact (a near-tie split may flip on
            # big data) and weighted LightGBM (last-bit float32 differences); on these small
            # sets they still agree closely
            assert rel <= (2e-6 if loss.link.name == "log" else 1e-6), r
            if library == "xgboost":
                assert r.same_structure >= r.trees - 1, r
        elif library == "xgboost":  # 2e-7; 2e-6 for the float32-exp log-link built-ins
            assert rel <= r.tolerance <= 2e-6 and r.same_structure == r.trees, r
        elif library == "catboost":  # double derivatives on both sides (SurvivalAft: within
            # its declared tolerance, an approximate float32 log of the label)
            assert r.status == "pass" and rel <= r.tolerance <= 1e-3, r
            assert r.tolerance == 1e-7 or type(loss).__name__ == "AFTLoss", r
            if r.require == "structure":
                assert r.same_structure == r.trees, r
        else:
            assert rel <= 1e-12 and r.identical_trees == r.trees, r


@pytest.mark.parametrize(("loss", "library", "method"), MIRRORED, ids=lambda v: str(v))
def test_match_builtin_is_bit_identical(loss, library, method, datasets, cache):
    for data in datasets[loss.task]:
        r = _run(loss, library, method, data, "match_builtin", cache)
        assert r.status == "pass", r
        assert r.max_abs_diff_pred == 0.0 and r.max_abs_diff_margin == 0.0
        assert r.identical_trees == r.trees == ROUNDS * (3 if loss.task == "multiclass" else 1)
        if library == "xgboost":
            assert r.intercept_equal, r


@pytest.mark.parametrize("builtin", ["count:poisson", "reg:gamma", "reg:tweedie"])
def test_xgboost_log_link_start(builtin, datasets, cache):
    """XGBoost >= 3.0 starts the log-link built-ins at the label mean, as ``loss.init_score``;
    2.x one Newton step from margin 0, far from it (xgboost 2.1.0 on diabetes: Poisson 3.93e32,
    gamma 2.70, Tweedie 7.20 for the mean 152.13). There both sides start from
    ``loss.init_score`` outside ``match_builtin``, which keeps the built-in's own start."""
    from boostobj.adapters._versions import xgb_intercept_is_label_mean
    from boostobj.parity import runner
    from boostobj.parity.compare import xgboost_intercept

    data = datasets["regression"][0]
    mean = float(np.mean(data.y))
    own = runner.xgb_builtin_intercept(builtin, data.y)
    pinned = runner.pinned_intercept("xgboost", builtin, "float64")
    assert not runner.pinned_intercept("xgboost", builtin, "match_builtin")
    if xgb_intercept_is_label_mean():
        assert own == pytest.approx(mean, rel=1e-6)
        assert not pinned and runner.same_start("xgboost", builtin)
    else:
        assert abs(np.log(own) - np.log(mean)) > 2.0
        assert pinned and not runner.same_start("xgboost", builtin)
    loss = next(lo for lo in LOSSES if boostobj.builtin_twin(lo).get("xgboost") == builtin)
    case = parity.Case(loss, "xgboost", "hist", data, "float64", 1)
    b, _ = runner.train_xgboost(case, True, cache)
    c, _ = runner.train_xgboost(case, False, cache)
    assert xgboost_intercept(b) == xgboost_intercept(c) == [pytest.approx(mean, rel=1e-6)]


def test_weights_and_nan_variants_are_covered(datasets):
    names = [d.name for d in datasets["binary"]]
    assert names == ["breast_cancer", "breast_cancer+w", "breast_cancer+nan", "breast_cancer+w+nan"]
    d = datasets["binary"][3]
    assert d.w is not None and np.isnan(d.X).mean() == pytest.approx(0.1, abs=0.01)


def test_sampling_cases(datasets, cache):
    loss, data = boostobj.BinaryLogLoss(), datasets["binary"][0]
    xgb_sub = _run(loss, "xgboost", "hist", data, "match_builtin", cache,
                   extra={"subsample": 0.8, "colsample_bytree": 0.8})
    assert xgb_sub.status == "pass"
    # LightGBM#6053: through lgb.train the column sampler is one draw ahead for custom objectives;
    # reported as "known", and the workaround (no objective reset) is bit-identical
    known = _run(loss, "lightgbm", "gbdt", data, "match_builtin", cache,
                 extra={"feature_fraction": 0.5})
    assert known.status == "known" and "6053" in known.note
    fixed = _run(loss, "lightgbm", "gbdt", data, "match_builtin", cache,
                 extra={"feature_fraction": 0.5}, skip_objective_reset=True)
    assert fixed.status == "pass", fixed


def test_pseudohuber_hessian_detected():
    found = parity.detect_pseudohuber_hessian()
    assert found in ("exact", "bounded")
    if xgb.__version__ == "3.2.0":
        assert found == "exact"


def test_cli_table_and_json(capsys, tmp_path):
    argv = ["--datasets", "synthetic", "--rows", "3000", "--rounds", "3", "--variants", "w+nan",
            "--losses", "log_loss", "squared_error", "--quiet", "--no-sampling"]
    assert parity.main(argv) == 0
    out = capsys.readouterr().out
    assert "max|dpred|" in out and "synthetic3k+w+nan" in out and "FAIL" not in out
    assert parity.main([*argv, "--json", "--json-out", str(tmp_path / "r.json")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["counts"].get("FAIL", 0) == 0
    assert {r["mode"] for r in report["results"]} == set(parity.MODES)


def test_cli_is_dispatched():
    from boostobj.__main__ import main

    assert main(["parity", "--datasets", "real", "--rounds", "1", "--losses", "squared_error",
                 "--libraries", "lightgbm", "--quiet", "--variants", "plain"]) == 0


# ------------------------------------------------------------------ the mirror itself
def _libm_expf():
    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
    except OSError:  # pragma: no cover
        pytest.skip("no C library to compare with")
    libm.expf.restype, libm.expf.argtypes = ctypes.c_float, [ctypes.c_float]
    return libm.expf


def test_expf_matches_the_c_library():
    expf = _libm_expf()
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-104, 89, 20000), rng.normal(0, 5, 20000),
                        [-63.09946, 32.564632, 0.0, -0.0, 88.7, -103.97, -104.0, 89.0]])
    x = x.astype(np.float32)
    want = np.array([expf(float(v)) for v in x], dtype=np.float32)
    got = mirror.expf(x)
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32))
    special = mirror.expf(np.array([np.inf, -np.inf, np.nan, 100.0], dtype=np.float32))
    assert special[0] == np.inf and special[1] == 0 and np.isnan(special[2]) and special[3] == np.inf


def test_lightgbm_intercepts_match_the_builtin():
    # a booster that cannot split keeps only BoostFromScore's value as its (constant) first tree
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 3))
    y_reg = rng.normal(3.0, 2.0, 500).astype(np.float32)
    y_bin = (rng.random(500) < 0.3).astype(np.float64)
    w = rng.uniform(0.1, 3.0, 500)
    params = {"min_data_in_leaf": 1000, "verbose": -1, "deterministic": True}
    for objective, y, init_score in [("regression", y_reg, mirror.lgb_l2_init_score),
                                     ("binary", y_bin, mirror.lgb_binary_init_score)]:
        for weight in (None, w):
            bst = lgb.train({**params, "objective": objective},
                            lgb.Dataset(X, y, weight=weight), 1)
            assert bst.predict(X[:1], raw_score=True)[0] == init_score(y, weight)


def test_match_builtin_refuses_a_library_without_twin():
    objective = mirror.match_builtin(boostobj.PseudoHuberLoss(delta=2.0, hessian="exact"))
    ds = lgb.Dataset(np.zeros((4, 1)), label=np.zeros(4)).construct()
    with pytest.raises(ValueError, match=r"twins in: \['xgboost'\]"):
        objective(np.zeros(4), ds)
    with pytest.raises(ValueError, match="has none"):
        mirror.match_builtin(boostobj.LogCoshLoss())
    with pytest.raises(ValueError, match="twin of {'catboost': 'LogCosh'} only"):
        mirror.match_builtin(boostobj.LogCoshLoss(scale=1.0, hessian="exact"))


# ------------------------------------------------------------------ the modes' objectives
def _every_registry_loss():
    """Each registry class with each of its hessian options, and every parity twin."""
    out = [entry.cls(hessian=opt) if len(entry.cls.hessian_options) > 1 else entry.cls()
           for entry in boostobj.registry.REGISTRY for opt in entry.cls.hessian_options]
    return out + LOSSES


def _library_call(library, loss, rng, n=64):
    from conftest import labels_for, margins_for

    y = labels_for(loss, n, rng)
    w = rng.uniform(0.5, 2.0, n)
    z = margins_for(loss, n, rng)
    X = np.zeros((n, 1))
    held = {"label": y}  # what the library holds: survival labels in its own forms
    if loss.task == "survival":
        if loss.label_columns == 2:
            if library == "lightgbm":
                pytest.skip("a LightGBM Dataset holds one label per row (refused for AFT)")
            held = {"label_lower_bound": y[:, 0], "label_upper_bound": y[:, 1]}
        else:
            y = loss.stored_labels(y)
            held = {"label": y}
    if library == "xgboost":
        return xgb.DMatrix(X, weight=w, **held), z.astype(np.float32), y, w
    ds = lgb.Dataset(X, weight=w, params={"verbose": -1}, **held).construct()
    return ds, np.asfortranarray(z), y, w


@pytest.mark.parametrize("loss", _every_registry_loss(), ids=repr)
@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_float64_mode_runs_the_float64_reference(loss, library, monkeypatch):
    """The float64 mode calls the loss's exact math on float64 margins (never its float32 fast
    kernel), multiclass included, and hands the library float64 values: the exact derivatives,
    floored, times the library's multiclass hessian scale, weighted."""
    data, z, y, w = _library_call(library, loss, np.random.default_rng(3))
    seen = []
    original = type(loss)._gradient_hessian

    def spy(self, yy, zz, *weights):
        seen.append(zz.dtype)
        return original(self, yy, zz, *weights)

    monkeypatch.setattr(type(loss), "_gradient_hessian", spy)
    objective = parity.custom_objective(loss, "float64")
    g, h = objective(z, data)
    assert seen and all(dt == np.float64 for dt in seen)
    assert g.dtype == np.float64 and h.dtype == np.float64
    z64 = np.asarray(z, dtype=np.float64)
    w32 = w.astype(np.float32).astype(np.float64)  # what both libraries hold
    y32 = loss.check_labels(y.astype(np.float32).astype(np.float64))
    if loss.couples_rows:  # the weights inside the risk sums, the floor weighted
        g_exact, h_exact = original(loss, y32, z64, w32)
        np.testing.assert_array_equal(g, g_exact)
        np.testing.assert_array_equal(h, np.maximum(h_exact, boostobj.HESSIAN_FLOOR * w32))
        return
    g_exact, h_exact = original(loss.resolved(y32, w32), y32, z64)  # "auto": the training scale
    scale = 1.0
    if loss.task == "multiclass":
        scale = 2.0 if library == "xgboost" else 3.0 / 2.0  # multi:softprob; LightGBM's K/(K-1)
        if loss.hessian_scale != "library":
            scale = loss.hessian_scale
    ww = w32 if g.ndim == 1 else w32[:, None]
    np.testing.assert_array_equal(g, g_exact * ww)
    np.testing.assert_array_equal(h, np.maximum(h_exact, boostobj.HESSIAN_FLOOR) * scale * ww)


def test_float64_mode_differs_from_the_default_kernel_for_softmax():
    # the reported case: SoftmaxLoss's float64 mode used to run the float32 kernel
    loss = boostobj.SoftmaxLoss()
    data, z, _, _ = _library_call("xgboost", loss, np.random.default_rng(4))
    g_ref, h_ref = parity.custom_objective(loss, "float64")(z, data)
    g_fast, h_fast = parity.custom_objective(loss, "default")(z, data)
    assert g_ref.dtype == np.float64 and g_fast.dtype == np.float32
    np.testing.assert_allclose(g_ref, g_fast, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(h_ref, h_fast, rtol=1e-6)
    assert not np.array_equal(g_ref, g_fast.astype(np.float64))


def test_modes_are_objectives_not_patched_losses():
    loss = boostobj.BinaryLogLoss()
    for mode in parity.MODES:
        objective = parity.custom_objective(loss, mode)
        assert objective is loss or isinstance(objective, boostobj.FitObjective)
        assert loss == boostobj.BinaryLogLoss() and "_gradient_hessian" not in vars(loss)
    assert parity.custom_objective(loss, "match_builtin").kernel is mirror.builtin_gradient_hessian
    with pytest.raises(ValueError, match="unknown parity mode"):
        parity.custom_objective(loss, "float32")


# ------------------------------------------------------------------ CatBoost's protocol
@pytest.mark.parametrize("loss", [lo for lo in LOSSES if lo.task in ("binary", "regression")],
                         ids=repr)
def test_float64_mode_in_catboost_hands_the_exact_derivatives(loss):
    """``calc_ders_range`` of the float64 mode: the loss's exact float64 math, floored, weighted,
    negated, as float64 (the default mode hands the fast kernel's float32)."""
    from conftest import labels_for, margins_for

    rng = np.random.default_rng(5)
    y = labels_for(loss, 50, rng).astype(np.float32)
    w = rng.uniform(0.5, 2.0, 50).astype(np.float32)
    z = margins_for(loss, 50, rng).astype(np.float64)
    out = parity.custom_objective(loss, "float64").calc_ders_range(z, y, w)
    assert out.shape == (50, 2) and out.dtype == np.float64
    y64, w64 = y.astype(np.float64), w.astype(np.float64)
    g, h = type(loss)._gradient_hessian(loss, y64, z)
    np.testing.assert_array_equal(out[:, 0], -g * w64)
    np.testing.assert_array_equal(out[:, 1], -np.maximum(h, boostobj.HESSIAN_FLOOR) * w64)


@pytest.mark.parametrize("loss", [boostobj.SoftmaxLoss(), boostobj.MulticlassFocalLoss(gamma=2.0)],
                         ids=repr)
def test_float64_mode_in_catboost_multiclass_is_the_loss_own_row(loss):
    """The float64 mode's ``calc_ders_multi`` is the loss's own (already exact float64): the full
    softmax hessian for MultiClass's twins, the diagonal times K/(K-1) for the others."""
    z = np.array([0.3, -1.2, 0.5])
    got = parity.custom_objective(loss, "float64").calc_ders_multi(z, 2.0, 1.5)
    want = loss.calc_ders_multi(z, 2.0, 1.5)
    assert got == want
    offdiag = np.asarray(want[1])[0, 1]
    assert (offdiag != 0) == (type(loss) is boostobj.SoftmaxLoss)


def test_catboost_is_left_out_cleanly_when_not_installed(monkeypatch, capsys):
    import sys

    from boostobj.parity import cli

    monkeypatch.setitem(sys.modules, "catboost", None)  # import catboost raises ImportError
    assert cli.default_libraries() == ["xgboost", "lightgbm"]
    _, plans = cli._plans(cli._parser().parse_args([]))
    assert all("catboost" not in p["libraries"] for p in plans)
    with pytest.raises(SystemExit) as exc:
        parity.main(["--libraries", "catboost", "--quiet"])
    assert exc.value.code == 2 and "not installed" in capsys.readouterr().err


# ------------------------------------------------------------------ plans and usage errors
def _count(argv):
    from boostobj.parity import cli

    args = cli._parser().parse_args(argv)
    name, plans = cli._plans(args)
    losses = parity.parity_losses(args.losses)
    n = 0
    for plan in plans:
        datasets = {t: parity.load_datasets(t, sources=plan["sources"], rows=args.rows,
                                             variants=plan["variants"])
                    for t in {loss.task for loss in losses}}
        n += len(parity.build_cases(losses, datasets, libraries=plan["libraries"],
                                    tree_methods=plan["tree_methods"], modes=plan["modes"],
                                    sampling=plan["sampling"]))
    return name, n


def test_default_plan_is_quick_and_full_is_the_documented_run():
    # per twin of each library (the counts the CLI's docstring gives): the quick plan 12 per
    # XGBoost twin (3 tree methods x 2 variants x 2 modes; 6 for a survival twin, float64
    # only), 4 per LightGBM twin, 2 per CatBoost twin (float64 on two variants), 4 sampling
    # cases; --full and --datasets real every variant and mode on the real sets (36, 12, 8 per
    # twin; a survival twin 24 in XGBoost, 4 in CatBoost), --full also the synthetic sets with
    # hist (4 per XGBoost or LightGBM twin; 2 for a survival twin)
    twins = [boostobj.builtin_twin(loss) for loss in parity.parity_losses()]
    survival = [boostobj.builtin_twin(loss) for loss in parity.parity_losses()
                if loss.task == "survival"]
    x, lg = (sum(lib in t for t in twins) for lib in ("xgboost", "lightgbm"))
    xs = sum("xgboost" in t for t in survival)
    cb = sum("catboost" in t for t in twins) * ("catboost" in LIBRARIES)
    cbs = sum("catboost" in t for t in survival) * ("catboost" in LIBRARIES)
    assert xs == 4 and (cbs == 4 or "catboost" not in LIBRARIES)
    assert _count([]) == ("quick", 12 * x - 6 * xs + 4 * lg + 4 + 2 * cb)
    assert _count(["--full", "--rows", "1000"]) == (
        "full", 40 * x - 14 * xs + 16 * lg + 4 + 8 * cb - 4 * cbs)
    assert _count(["--datasets", "real"]) == (
        "datasets", 36 * x - 12 * xs + 12 * lg + 4 + 8 * cb - 4 * cbs)
    assert _count(["--libraries", "xgboost", "lightgbm"]) == ("quick", 12 * x - 6 * xs + 4 * lg + 4)


@pytest.mark.parametrize("argv", [["--seeds", "-1"], ["--rows", "50"], ["--rounds", "0"],
                                  ["--threads", "0"], ["--full", "--datasets", "real"],
                                  ["--losses", "cauchy"]])
def test_usage_errors_exit_2_before_running(argv, monkeypatch, capsys):
    from boostobj.parity import cli

    monkeypatch.setattr(cli, "run", lambda *a, **k: pytest.fail("ran despite a usage error"))
    with pytest.raises(SystemExit) as exc:
        parity.main([*argv, "--quiet"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "Traceback" not in err


def test_json_out_is_checked_before_the_run(tmp_path, monkeypatch, capsys):
    from boostobj.parity import cli

    monkeypatch.setattr(cli, "run", lambda *a, **k: pytest.fail("ran before checking --json-out"))
    for bad in (tmp_path / "missing" / "r.json", tmp_path):
        with pytest.raises(SystemExit) as exc:
            parity.main(["--json-out", str(bad), "--quiet"])
        assert exc.value.code == 2
        assert "--json-out" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()
    # a writable path is left as it was until the report is written
    monkeypatch.setattr(cli, "run", lambda cases, progress=None: [])
    monkeypatch.setattr(cli, "detect_pseudohuber_hessian", lambda: "exact")
    good = tmp_path / "r.json"
    assert parity.main(["--json-out", str(good), "--quiet", "--json"]) == 0
    assert json.loads(good.read_text())["summary"]["plan"] == "quick"
