"""The objective checker: it passes every boostobj objective and catches broken ones."""

import sys
import textwrap

import numpy as np
import pytest
from conftest import ALL_LOSSES
from scipy.special import expit

import boostobj
from boostobj.check import check_objective, main, parse_params, resolve

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")


def logloss(y, m):
    return np.logaddexp(0.0, m) - y * m


def logcosh(y, m):
    return boostobj.LogCoshLoss().loss(y, m)


# ----------------------------------------------------------------------------- correct objectives
def xgb_logloss(preds, dtrain):
    y, w = dtrain.get_label(), dtrain.get_weight()
    p = expit(preds.astype(np.float64))
    g, h = p - y, np.maximum(p * (1.0 - p), 1e-16)
    if w.size:
        g, h = g * w, h * w
    return g, h


def lgb_logloss(preds, train_data):
    y, w = train_data.get_label(), train_data.get_weight()
    p = expit(preds)
    g, h = p - y, np.maximum(p * (1.0 - p), 1e-16)
    if w is not None:
        g, h = g * w, h * w
    return g, h


def skl_logloss(y_true, y_pred, sample_weight=None):
    p = expit(y_pred)
    g, h = p - y_true, np.maximum(p * (1.0 - p), 1e-16)
    if sample_weight is not None:
        g, h = g * sample_weight, h * sample_weight
    return g, h


def skl_unclipped(y_true, y_pred, sample_weight):
    g, _ = skl_logloss(y_true, y_pred, sample_weight)
    p = expit(y_pred)
    return g, p * (1.0 - p) * (1.0 if sample_weight is None else sample_weight)


@pytest.mark.parametrize("objective", [xgb_logloss, lgb_logloss, skl_logloss], ids=lambda f: f.__name__)
def test_correct_user_objectives_pass(objective):
    report = check_objective(objective, logloss, kind="binary")
    assert report.ok, str(report)
    assert not [f for f in report.findings if f.status == "WARN"], str(report)


def test_auto_api_picks_the_library_by_signature():
    report = check_objective(lgb_logloss, logloss, kind="binary")
    # XGBoost's empty-weights convention is not LightGBM's: the xgboost call is tried first
    assert {f.api for f in report.findings if f.status == "ok"} <= {"xgboost", "lightgbm"}
    assert check_objective(xgb_logloss, logloss, kind="binary", api="xgboost").ok


def test_underflowing_hessian_is_a_warning_not_a_failure():
    report = check_objective(skl_unclipped, logloss, kind="binary")
    assert report.ok, str(report)
    zero = [f for f in report.findings if f.check == "hessian sign" and f.status == "WARN"]
    assert zero and "zero hessian" in zero[0].message
    assert "margin=" in zero[0].worst


# ----------------------------------------------------------------------------- every boostobj objective
CHECKED = [lo for lo in ALL_LOSSES + [cls() for cls in boostobj.LOSSES.values()]
           if lo.task != "survival"]


@pytest.mark.parametrize("loss", [boostobj.CoxPHLoss(), boostobj.AFTLoss()], ids=repr)
def test_survival_losses_are_refused_by_name(loss):
    with pytest.raises(ValueError, match="survival loss.*coupled rows"):
        check_objective(loss)


@pytest.mark.parametrize("loss", CHECKED, ids=repr)
def test_every_boostobj_objective_passes(loss):
    report = check_objective(loss, n_random=100)
    assert report.ok, str(report)
    apis = {f.api for f in report.findings}
    assert apis == {"xgboost", "lightgbm", "sklearn"}
    want = "exact" if loss.hessian == "exact" and getattr(loss, "hessian_scale", 1.0) == 1.0 else "bounded"
    assert report.hessian == want


def test_bounded_hessians_are_reported_as_bounded():
    report = check_objective(boostobj.LogCoshLoss(), api="sklearn")
    assert report.hessian == "bounded" and "hessian=bounded" in str(report)
    info = [f for f in report.findings if f.check == "hessian"]
    assert info[0].status == "info" and "bounded/exact" in info[0].message
    assert "surrogate" not in str(report)
    # forcing an exact comparison on a bounded hessian fails, with the offending input
    forced = check_objective(boostobj.LogCoshLoss(), api="sklearn", hessian="exact")
    assert forced.failed("hessian")
    assert check_objective(boostobj.LogCoshLoss(), api="sklearn", hessian="bounded").ok
    with pytest.raises(ValueError, match="'surrogate' is 'bounded'"):
        check_objective(boostobj.LogCoshLoss(), api="sklearn", hessian="surrogate")


def test_multiclass_unscaled_hessian_is_checked_exactly():
    loss = boostobj.SoftmaxLoss(hessian_scale=1.0)
    report = check_objective(loss, n_random=50)
    assert report.hessian == "exact" and report.ok, str(report)


def test_exact_focal_hessian_floor_is_reported():
    report = check_objective(boostobj.FocalLoss(gamma=2.0, hessian="exact"), api="xgboost")
    assert report.ok
    assert any("floored" in f.message for f in report.findings)


# ----------------------------------------------------------------------------- broken objectives
def wrong_sign(preds, dtrain):
    g, h = xgb_logloss(preds, dtrain)
    return -g, h


def ignores_weights(preds, train_data):
    p = expit(preds)
    return p - train_data.get_label(), np.maximum(p * (1.0 - p), 1e-16)


def weights_on_grad_only(y_true, y_pred, sample_weight):
    p = expit(y_pred)
    sample_weight = 1.0 if sample_weight is None else sample_weight
    return (p - y_true) * sample_weight, np.maximum(p * (1.0 - p), 1e-16)


def wrong_hessian(preds, dtrain):
    g, h = xgb_logloss(preds, dtrain)
    return g, 2.0 * h  # XGBoost's softmax factor pasted into a binary objective


def float16_output(y_true, y_pred, sample_weight):
    g, h = skl_logloss(y_true, y_pred, sample_weight)
    return g.astype(np.float16), h.astype(np.float16)


def list_output(preds, dtrain):
    g, h = xgb_logloss(preds, dtrain)
    return list(g), list(h)


def clips_in_place(preds, dtrain):  # the pattern of XGBoost's old custom_rmsle demo
    preds[preds < -1] = -1 + 1e-6
    return xgb_logloss(preds, dtrain)


def naive_logcosh(y_true, y_pred, sample_weight):
    r = y_pred - y_true
    sample_weight = 1.0 if sample_weight is None else sample_weight
    g = np.sinh(r) / np.cosh(r)  # inf / inf past |r| = 710
    return g * sample_weight, sample_weight / np.cosh(r) ** 2


def unclipped_focal(y_true, y_pred, sample_weight):
    loss = boostobj.FocalLoss(gamma=2.0, hessian="exact")
    return loss.gradient_hessian(y_true, y_pred, sample_weight)  # exact: negative for bad rows


def flat_softmax(preds, dtrain):
    y = dtrain.get_label().astype(int)
    p = boostobj._math.softmax(preds.astype(np.float64))
    g = p.copy()
    g[np.arange(y.size), y] -= 1.0
    h = np.maximum(p * (1.0 - p), 1e-16)
    w = dtrain.get_weight()
    if w.size:
        g, h = g * w[:, None], h * w[:, None]
    return g.ravel(order="F"), h.ravel(order="F")


def softmax_loss(y, m):
    return boostobj.SoftmaxLoss().loss(y, m)


BROKEN = [
    (wrong_sign, logloss, "binary", "gradient", "wrong sign"),
    (ignores_weights, logloss, "binary", "weights", "weights ignored"),
    (weights_on_grad_only, logloss, "binary", "weights", "hessian"),
    (wrong_hessian, logloss, "binary", "hessian", "differs"),
    (float16_output, logloss, "binary", "output", "float16"),
    (list_output, logloss, "binary", "output", "not an np.ndarray"),
    (clips_in_place, logloss, "binary", "in-place", "preds"),
    (naive_logcosh, logcosh, "regression", "finite", "NaN"),
    (unclipped_focal, boostobj.FocalLoss(gamma=2.0).loss, "binary", "hessian sign", "negative"),
    (flat_softmax, softmax_loss, "multiclass", "output", "flat"),
]


@pytest.mark.parametrize(("objective", "loss", "kind", "check", "text"), BROKEN,
                         ids=[b[0].__name__ for b in BROKEN])
def test_broken_objectives_are_caught(objective, loss, kind, check, text):
    report = check_objective(objective, loss, kind=kind, n_random=100)
    assert not report.ok
    hits = [f for f in report.findings if f.status == "FAIL" and f.check == check]
    assert hits, str(report)
    assert any(text in f.message for f in hits), str(report)
    if check not in ("output",):
        assert any("y=" in f.worst and "margin=" in f.worst for f in hits), str(report)


def test_worst_input_of_naive_logcosh_is_where_cosh_overflows():
    report = check_objective(naive_logcosh, logcosh, kind="regression")
    worst = next(f for f in report.findings if f.check == "finite").worst
    margin = float(worst.split("margin=")[1].split(":")[0])
    assert abs(margin) == 711.0  # the smallest extreme margin past cosh's overflow


def test_flat_class_major_output_is_identified():
    report = check_objective(flat_softmax, softmax_loss, kind="multiclass", api="xgboost")
    assert any("class-major" in f.message for f in report.findings if f.status == "info")


def test_inputs_are_not_modified_by_the_checker():
    y = np.array([0.0, 1.0])
    before = y.copy()
    check_objective(boostobj.BinaryLogLoss(), api="sklearn", n_random=10)
    np.testing.assert_array_equal(y, before)


# ----------------------------------------------------------------------------- errors and CLI
def test_bad_input_errors():
    with pytest.raises(TypeError, match="loss="):
        check_objective(skl_logloss)
    with pytest.raises(TypeError, match="kind="):
        check_objective(skl_logloss, logloss)
    with pytest.raises(ValueError, match="kind must be"):
        check_objective(skl_logloss, logloss, kind="ranking")
    with pytest.raises(TypeError, match="one value per row"):
        check_objective(skl_logloss, lambda y, m: float(np.mean(logloss(y, m))), kind="binary")
    with pytest.raises(ValueError, match="api="):
        check_objective(lambda a, b: (a, b), logloss, kind="binary")
    with pytest.raises(ValueError, match="name=value"):
        parse_params(["gamma"])


def test_cli_registry_loss(capsys):
    assert main(["focal_loss", "--param", "gamma=2", "--param", "alpha=0.25", "--rows", "50"]) == 0
    out = capsys.readouterr().out
    assert "FocalLoss(alpha=0.25)" in out and out.rstrip().endswith("PASSED")
    assert resolve("pseudo_huber", {"delta": 2}).delta == 2.0


def test_cli_user_module(tmp_path, monkeypatch, capsys):
    (tmp_path / "myobj_for_check.py").write_text(textwrap.dedent("""
        import numpy as np
        from scipy.special import expit

        def good(y_true, y_pred, sample_weight):
            p = expit(y_pred)
            sample_weight = 1.0 if sample_weight is None else sample_weight
            return (p - y_true) * sample_weight, np.maximum(p * (1 - p), 1e-16) * sample_weight

        def bad(y_true, y_pred, sample_weight):
            p = expit(y_pred)
            sample_weight = 1.0 if sample_weight is None else sample_weight
            return (y_true - p) * sample_weight, np.maximum(p * (1 - p), 1e-16) * sample_weight

        def no_none(y_true, y_pred, sample_weight):
            p = expit(y_pred)
            return (p - y_true) * sample_weight, np.maximum(p * (1 - p), 1e-16) * sample_weight

        def loss(y, m):
            return np.logaddexp(0, m) - y * m
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    try:
        common = ["--loss", "myobj_for_check:loss", "--kind", "binary", "--rows", "50", "-q"]
        assert main(["myobj_for_check:good", *common]) == 0
        assert main(["myobj_for_check:no_none", *common]) == 1  # LightGBM passes weight=None
        assert "NoneType" in capsys.readouterr().out
        assert main(["myobj_for_check:bad", *common]) == 1
        assert "wrong sign" in capsys.readouterr().out
        assert main(["myobj_for_check:good", "--loss", "myobj_for_check:loss"]) == 2  # no --kind
        assert main(["no_such_objective"]) == 2
    finally:
        sys.modules.pop("myobj_for_check", None)


def test_cli_all():
    assert main(["--all", "--rows", "20", "-q", "--api", "sklearn"]) == 0


def test_cli_all_applies_each_param_to_the_losses_that_take_it(capsys):
    common = ["--rows", "20", "--api", "sklearn"]
    assert main(["--all", "--param", "gamma=0.5", *common]) == 0
    out = capsys.readouterr().out
    checked = [line.split("  ")[0] for line in out.splitlines() if line.startswith("check ")]
    assert checked == ["check FocalLoss(gamma=0.5)", "check FocalLoss(gamma=0.5, hessian='exact')",
                       "check MulticlassFocalLoss(gamma=0.5)",
                       "check MulticlassFocalLoss(gamma=0.5, hessian='exact')"]
    assert out.startswith("skipped (no parameter gamma): log_loss, log_cosh, pseudo_huber,")
    assert main(["--all", "--param", "hessian=exact", "--param", "delta=2", *common]) == 0
    checked = [line.split("  ")[0] for line in capsys.readouterr().out.splitlines()
               if line.startswith("check ")]
    assert checked == ["check PseudoHuberLoss(delta=2.0, hessian='exact')",
                       "check HuberLoss(delta=2.0, hessian='exact')"]


def test_cli_all_with_a_param_no_loss_takes_is_a_usage_error(capsys):
    assert main(["--all", "--param", "gamm=2", "--rows", "20"]) == 2
    captured = capsys.readouterr()
    assert "--param gamm: no registry loss takes it; their parameters are alpha," in captured.err
    assert captured.out == ""  # nothing checked


def test_match_builtin_is_checked_through_its_libraries():
    from boostobj.parity.mirror import match_builtin

    report = check_objective(match_builtin(boostobj.BinaryLogLoss()), n_random=50)
    assert report.ok, str(report)  # XGBoost's float32 logistic passes the float32 tolerance
    assert {f.api for f in report.findings} == {"xgboost", "lightgbm"}
    # pseudo-Huber's twin is XGBoost's only; softmax's mirrors hand a scaled (bounded) diagonal
    # (XGBoost's float32 pseudo-Huber itself overflows at the extreme margins: z * z = inf)
    ph = check_objective(match_builtin(boostobj.PseudoHuberLoss(hessian="exact")), n_random=50)
    assert {f.api for f in ph.findings} == {"xgboost"}, str(ph)
    soft = check_objective(match_builtin(boostobj.SoftmaxLoss()), n_random=50)
    assert soft.ok and soft.hessian == "bounded", str(soft)


def test_objectives_bound_to_a_library_are_checked_like_their_loss():
    report = check_objective(boostobj.FitObjective(boostobj.SoftmaxLoss(), "lightgbm"), n_random=50)
    assert report.ok and report.kind == "multiclass" and report.hessian == "bounded", str(report)


# ----------------------------------------------------------------------------- n_classes
def test_n_classes_is_validated_not_blamed_on_the_objective():
    softmax = boostobj.SoftmaxLoss()
    for bad in (0, 1, -3):
        with pytest.raises(ValueError, match="n_classes must be >= 2"):
            check_objective(softmax, n_classes=bad, api="sklearn")
    with pytest.raises(ValueError, match="multiclass"):
        check_objective(boostobj.BinaryLogLoss(), n_classes=3, api="sklearn")
    with pytest.raises(ValueError, match="is for 3 classes"):
        check_objective(boostobj.SoftmaxLoss(n_classes=3), n_classes=4, api="sklearn")
    report = check_objective(softmax, n_classes=4, api="sklearn", n_random=20)
    assert report.ok
    # the number of classes a loss fixes is the default (alpha's length here)
    focal = boostobj.MulticlassFocalLoss(gamma=1.0, alpha=[1.0, 2.0, 1.0, 0.5])
    assert check_objective(focal, api="sklearn", n_random=20).ok


@pytest.mark.parametrize("argv", [["softmax_loss", "--n-classes", "1"],
                                  ["softmax_loss", "--n-classes", "0"],
                                  ["softmax_loss", "--hessian", "surrogate"],
                                  ["--all", "focal_loss"], [], ["log_loss", "--rows", "0"]])
def test_cli_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "Traceback" not in err


def test_cli_n_classes_on_a_binary_loss_is_a_usage_error(capsys):
    assert main(["log_loss", "--n-classes", "3", "-q"]) == 2
    assert "multiclass" in capsys.readouterr().err


# ----------------------------------------------------------------------------- resolve
def test_resolve_leaves_sys_path_as_it_was(tmp_path, monkeypatch):
    (tmp_path / "myobj_path_check.py").write_text("def f(y_true, y_pred, sample_weight=None):\n"
                                                   "    return y_pred - y_true, y_pred * 0 + 1\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    before = list(sys.path)
    try:
        assert resolve("myobj_path_check:f").__name__ == "f"
        assert sys.path == before
        with pytest.raises(ModuleNotFoundError):
            resolve("no_such_module_for_check:f")
        assert sys.path == before
    finally:
        sys.modules.pop("myobj_path_check", None)


def test_a_non_callable_attribute_is_named_as_such(capsys):
    assert main(["math:pi", "--kind", "regression"]) == 2
    err = capsys.readouterr().err
    assert "math:pi exists but is not callable, so it cannot be the objective: it is float " \
        "3.14159" in err and "--loss" not in err
    assert main(["pseudo_huber", "--loss", "math:pi"]) == 2
    assert "math:pi exists but is not callable, so it cannot be the loss" in capsys.readouterr().err
    with pytest.raises(TypeError, match="the objective must be a boostobj Loss, a FitObjective or "
                                        "a callable objective function, got float"):
        check_objective(3.14, logloss, kind="binary")


def test_cli_help_says_what_module_attr_imports(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "running its code as python -c 'import module' would" in \
        " ".join(capsys.readouterr().out.split())
    import boostobj.check

    assert "python -c" in boostobj.check.__doc__ and "top-level code" in boostobj.check.__doc__


def test_messages_print_plain_values():
    with pytest.raises(ValueError, match=r"got 1$") as exc:
        check_objective(boostobj.SoftmaxLoss(), n_classes=np.int64(1), api="sklearn")
    assert "np." not in str(exc.value)
    with pytest.raises(ValueError) as exc:
        check_objective(boostobj.BinaryLogLoss(), kind=np.str_("ranking"))
    assert str(exc.value).endswith("got 'ranking'")
