"""Objectives derived from a formula agree with the hand-written ones and train the same models."""

import pickle

import numpy as np
import pytest

import boostobj
from boostobj.derive import DerivationWarning, DerivedLoss, derive

pytest.importorskip("sympy")

LOGLOSS = "log(1 + exp(-(2*y - 1)*m))"
LOGCOSH = "log(cosh(m - y))"
PSEUDO_HUBER = "delta**2*(sqrt(1 + ((m - y)/delta)**2) - 1)"

# (formula, derive kwargs, hand-written twin, label kind)
PAIRS = [
    ("softplus(-(2*y - 1)*m)", {"link": "logit"}, boostobj.BinaryLogLoss(), "binary"),
    (LOGLOSS, {"link": "logit", "stable": True}, boostobj.BinaryLogLoss(), "binary"),
    ("logcosh(m - y)", {}, boostobj.LogCoshLoss(scale=1.0, hessian="exact"), "regression"),
    (LOGCOSH, {"stable": True}, boostobj.LogCoshLoss(scale=1.0, hessian="exact"), "regression"),
    (PSEUDO_HUBER, {"params": {"delta": 1.5}}, boostobj.PseudoHuberLoss(delta=1.5, hessian="exact"),
     "regression"),
]
IDS = [f"{p[0]}-{p[1]}" for p in PAIRS]


def moderate(kind, rng, n=2000):
    """Labels and margins with 0.2 <= |z - y| <= 5 (|z| for binary): where every formula has full
    relative precision (log(cosh r), log(1 + e^-|z|) and the pseudo-Huber difference cancel as
    r -> 0 / |z| -> inf when written naively)."""
    size = rng.uniform(0.2, 5.0, n) * rng.choice([-1.0, 1.0], n)
    if kind == "binary":
        return (rng.random(n) < 0.4).astype(float), size
    y = rng.normal(0.0, 3.0, n)
    return y, y + size


@pytest.mark.parametrize(("formula", "kwargs", "twin", "kind"), PAIRS, ids=IDS)
def test_derived_matches_hand_written(formula, kwargs, twin, kind, rng):
    derived = derive(formula, **kwargs)
    y, z = moderate(kind, rng)
    w = rng.uniform(0.1, 3.0, y.size)
    np.testing.assert_allclose(derived.loss(y, z, w), twin.loss(y, z, w), rtol=1e-12, atol=0)
    for a, b in zip(derived.gradient_hessian(y, z, w), twin.gradient_hessian(y, z, w)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)
    assert derived.init_score(y, w) == pytest.approx(twin.init_score(y, w), rel=1e-10, abs=1e-12)
    assert derived.hessian == "exact" and not derived.overflow
    assert derived.check(n_random=50).ok


def test_naive_formulas_warn_about_overflow_and_the_stable_forms_do_not():
    with pytest.warns(DerivationWarning, match=r"loss is inf at y=0, m=711.*stable=True"):
        naive = derive(LOGLOSS, link="logit")
    assert naive.overflow == [("loss", 0.0, 711.0, np.inf)]
    with pytest.warns(DerivationWarning, match="loss is inf"):
        derive(LOGCOSH)
    z = np.array([-1e4, -800.0, 0.0, 800.0, 1e4])
    stable = derive(LOGLOSS, link="logit", stable=True)
    for y in (np.zeros(5), np.ones(5)):
        np.testing.assert_allclose(stable.loss(y, z), boostobj.BinaryLogLoss().loss(y, z), rtol=1e-15)


def test_naive_focal_fails_its_own_check_and_stable_focal_matches_focal_loss(rng):
    focal = "-(y*(1-sigmoid(m))**gamma*log(sigmoid(m)) + (1-y)*sigmoid(m)**gamma*log(1-sigmoid(m)))"
    with pytest.warns(DerivationWarning) as record:
        derive(focal, link="logit", params={"gamma": 2.0})
    assert any("fails its own check" in str(r.message) for r in record)
    stable = derive(focal, link="logit", params={"gamma": 2.0}, stable=True)
    twin = boostobj.FocalLoss(gamma=2.0, hessian="exact")
    y, z = moderate("binary", rng)
    np.testing.assert_allclose(stable.loss(y, z), twin.loss(y, z), rtol=1e-12)
    np.testing.assert_allclose(stable.gradient(y, z), twin.gradient(y, z), rtol=1e-12)


def test_replacement_hessian_is_bounded():
    # a positive bound on sech^2(r) that decays like 1/|r|, as LogCoshLoss(hessian="bounded")
    bounded = derive("logcosh(m - y)", hessian="1/sqrt(1 + (m - y)**2)")
    assert bounded.hessian == "bounded" and DerivedLoss.hessian_options == ("exact", "bounded")
    assert pickle.loads(pickle.dumps(bounded)).hessian == "bounded"
    report = bounded.check(api="sklearn")
    assert report.hessian != "exact" and report.ok, str(report)  # the checker's own word
    for option in ("exact", "bounded", "surrogate"):  # an option name is not a formula
        with pytest.raises(ValueError, match=rf"hessian={option!r}.*formula.*'exact'.*'bounded'"):
            derive("logcosh(m - y)", hessian=option)
    # written as tanh(r)/r the same idea is 0/0 at r = 0: its own check catches it
    with pytest.warns(DerivationWarning, match=r"fails its own check(.|\n)*hess nan"):
        derive("logcosh(m - y)", hessian="tanh(m - y)/(m - y)")
    same = derive("logcosh(m - y)", hessian="1/cosh(m - y)**2")
    assert same.hessian == "exact"


@pytest.mark.parametrize("formula", ["Abs(m - y)", "abs(m - y)", "abs(m - y) + 0.3*(m - y)"])
def test_a_kink_asks_for_a_hessian(formula):
    with pytest.raises(ValueError, match=r"second derivative of .* Dirac delta at m - y = 0"
                       r"(.|\n)*hessian='1'(.|\n)*logcosh\(m - y\)(.|\n)*pseudo-Huber"):
        derive(formula)
    loss = derive(formula, hessian="1")
    assert loss.hessian == "bounded" and not loss.overflow and not loss.inaccurate
    g, h = loss.gradient_hessian([0.0, 0.0, 0.0], [-2.0, 0.0, 3.0])
    tilt = 0.3 if "0.3" in formula else 0.0
    np.testing.assert_array_equal(g, np.array([-1.0, 0.0, 1.0]) + tilt)
    np.testing.assert_array_equal(h, [1.0, 1.0, 1.0])
    assert loss.init_score([0.0, 1.0, 5.0]) == pytest.approx(1.0, abs=1e-9)  # at the kink


def test_a_jump_in_the_loss_is_refused():
    import sympy as sp

    y, m = sp.symbols("y m")
    with pytest.raises(ValueError, match=r"gradient of .* Dirac delta at m - y = 0"):
        derive((m - y) ** 2 + sp.Heaviside(m - y))


TAIL_STEPS = (0.0, 1e-8, 1.0, 19.0, 20.0, 25.0, 40.0, 300.0, 700.0)


def _tanh(x):
    import mpmath

    return mpmath.tanh(x)


def _sech2(x):
    import mpmath

    return mpmath.sech(x) ** 2


def _sigmoid(x):
    import mpmath

    return 1 / (1 + mpmath.exp(-x))


# formula, kwargs, exact gradient and hessian of (y, m) in mpmath (None: gradient not compared,
# e.g. sigmoid(m) - y, which cancels by construction)
TAILS = [
    ("2*logcosh(m - y)", {}, lambda y, m: 2 * _tanh(m - y),
     lambda y, m: 2 * _sech2(m - y)),
    ("log(cosh(m - y))", {"stable": True}, lambda y, m: _tanh(m - y),
     lambda y, m: _sech2(m - y)),
    ("delta*logcosh((m - y)/delta)", {"params": {"delta": 2.0}},
     lambda y, m: _tanh((m - y) / 2), lambda y, m: _sech2((m - y) / 2) / 2),
    ("tanh(m - y)**2/2", {}, lambda y, m: _tanh(m - y) * _sech2(m - y),
     lambda y, m: _sech2(m - y) * (_sech2(m - y) - 2 * _tanh(m - y) ** 2)),
    ("softplus(-(2*y - 1)*m)", {"link": "logit"},
     lambda y, m: (1 - 2 * y) * _sigmoid((1 - 2 * y) * m),
     lambda y, m: _sigmoid(m) * _sigmoid(-m)),
    ("logaddexp(0, m) - y*m", {"link": "logit"}, None, lambda y, m: _sigmoid(m) * _sigmoid(-m)),
    ("softplus(m - y) + softplus(y - m)", {}, None,
     lambda y, m: 2 * _sigmoid(m - y) * _sigmoid(y - m)),
]


@pytest.mark.parametrize(("formula", "kwargs", "grad", "hess"), TAILS, ids=[t[0] for t in TAILS])
def test_derived_derivatives_keep_the_tails(formula, kwargs, grad, hess):
    mpmath = pytest.importorskip("mpmath")
    loss = derive(formula, **kwargs)  # no DerivationWarning (warnings are errors here)
    assert loss.inaccurate == [] and loss.overflow == []
    logit = loss.link.name == "logit"
    steps = np.array([s * v for v in TAIL_STEPS for s in (1.0, -1.0)])
    for label in (0.0, 1.0) if logit else (0.0, 2.5):
        y = np.full(steps.size, label)
        z = steps if logit else label + steps
        g, h = loss.gradient_hessian(y, z)
        with mpmath.workdps(60):
            for i in range(z.size):
                for got, exact in ((g[i], grad), (h[i], hess)):
                    if exact is None:
                        continue
                    want = float(exact(mpmath.mpf(y[i]), mpmath.mpf(z[i])))
                    if abs(want) < 1e-300:  # not a normal float64 number
                        continue
                    assert got == pytest.approx(want, rel=1e-10, abs=0), (formula, y[i], z[i])


def test_a_hessian_that_loses_the_tails_warns():
    with pytest.warns(DerivationWarning, match=r"hessian of .* is inaccurate: 0 at y=-1, m=18 "
                      r"\(m - y = 19\).* exact value is 2.51131e-16 \(relative error 1\).*sech2"):
        loss = derive("2*logcosh(m - y)", hessian="2*(1 - tanh(m - y)**2)")
    assert loss.hessian == "exact"  # it is the second derivative, written so that it cancels
    assert loss.inaccurate == [("hessian", -1.0, 18.0, 0.0, pytest.approx(2 / np.cosh(19.0) ** 2))]
    # stable=True writes it as 2*sech2(m - y)
    stable = derive("2*logcosh(m - y)", hessian="2*(1 - tanh(m - y)**2)", stable=True)
    assert str(stable.expressions["hessian"]) == "2*sech2(m - y)" and not stable.inaccurate
    # p*(1 - p) at a margin of 25 is 4e-6 off: caught too, and on pickles it stays recorded
    with pytest.warns(DerivationWarning, match=r"inaccurate: .* m=24 \(m - y = 25\)"):
        rough = derive("logcosh(m - y)", hessian="4*sigmoid(m - y)*(1 - sigmoid(m - y))")
    assert pickle.loads(pickle.dumps(rough)).inaccurate == rough.inaccurate
    with pytest.warns(DerivationWarning) as record:
        derive("-(y*(1-sigmoid(m))**gamma*log(sigmoid(m)) + "
               "(1-y)*sigmoid(m)**gamma*log(1-sigmoid(m)))", link="logit", params={"gamma": 2.0})
    messages = [str(r.message) for r in record]
    assert any("hessian of" in t and "inaccurate: -1.92543e-07 at y=0, m=19," in t
               for t in messages), messages
    assert not any("np.float64" in t for t in messages)


def test_formulas_source_and_repr():
    loss = derive(PSEUDO_HUBER, params={"delta": 1.0})
    text = loss.formulas()
    assert text.splitlines()[0].startswith("loss:") and "delta" in text
    latex = loss.formulas("latex")
    assert latex.startswith("\\begin{aligned}") and "\\frac{\\partial L}{\\partial m}" in latex
    src = loss.source()
    assert src.count("def ") == 2 and "x0 = " in src  # common subexpressions shared
    assert repr(loss) == "DerivedLoss('delta**2*(sqrt(1 + ((m - y)/delta)**2) - 1)', params={'delta': 1.0})"
    clone = pickle.loads(pickle.dumps(loss))
    assert clone == loss and clone.gradient([0.0], [3.0]) == pytest.approx(3 / np.sqrt(10))
    with pytest.raises(ValueError, match="fmt"):
        loss.formulas("html")
    import sympy as sp

    sech2 = derive("logcosh(m - y)").expressions["hessian"]
    assert sp.latex(sech2) == r"\operatorname{sech}^{2}{\left(m - y \right)}"
    assert sp.latex(sech2 ** 3) == r"\left(\operatorname{sech}^{2}{\left(m - y \right)}\right)^{3}"


@pytest.mark.parametrize(("formula", "kwargs"), [
    ("softplus(-(2*y - 1)*m)", {"link": "logit", "name": "mine"}),
    (PSEUDO_HUBER, {"params": {"delta": 1.5}, "hessian": "1/sqrt(1 + ((m - y)/delta)**2)"}),
    (LOGCOSH, {"stable": True}),
])
def test_unpickling_neither_parses_nor_derives_again(formula, kwargs, monkeypatch, rng):
    import sympy

    import boostobj.derive as mod

    loss = derive(formula, **kwargs, check=False)
    data = pickle.dumps(loss)

    def refuse(*args, **kwargs):
        raise AssertionError("unpickling parsed or derived again")

    for name in ("diff", "simplify", "parse_expr"):
        monkeypatch.setattr(sympy, name, refuse)
    monkeypatch.setattr(DerivedLoss, "__init__", refuse)
    monkeypatch.setattr(mod, "_parse_formula", refuse, raising=False)
    clone = pickle.loads(data)
    assert clone == loss and repr(clone) == repr(loss) and clone.hessian == loss.hessian
    assert clone.expressions == loss.expressions and clone.source() == loss.source()
    assert clone.overflow == loss.overflow
    y, z = moderate("binary" if loss.link.name == "logit" else "regression", rng, 200)
    for a, b in zip(clone.gradient_hessian(y, z), loss.gradient_hessian(y, z)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(clone.loss(y, z), loss.loss(y, z))
    assert clone.init_score(y) == loss.init_score(y)
    twice = pickle.loads(pickle.dumps(clone))
    np.testing.assert_array_equal(twice.gradient(y, z), loss.gradient(y, z))


def test_sympy_expression_input():
    import sympy as sp

    y, m = sp.symbols("y m")
    loss = derive((m - y) ** 2 / 2)
    np.testing.assert_array_equal(loss.gradient_hessian([1.0, 2.0], [3.0, 2.0])[1], [1.0, 1.0])
    assert loss.init_score([1.0, 2.0, 6.0]) == pytest.approx(3.0)


def test_bad_formulas():
    with pytest.raises(ValueError, match=r"unknown symbol.*delta.*params="):
        derive(PSEUDO_HUBER)
    with pytest.raises(ValueError, match="does not depend on the margin"):
        derive("y**2")
    with pytest.raises(ValueError, match="cannot parse"):
        derive("log(1 + ")
    with pytest.raises(ValueError, match="link must be"):
        derive("(m - y)**2", link="probit")
    with pytest.raises(ValueError, match="finite number"):
        derive(PSEUDO_HUBER, params={"delta": float("nan")})
    # messages print plain numbers, not np.float64(nan)
    with pytest.raises(ValueError, match=r"parameter delta must be a finite number, got nan$"):
        derive(PSEUDO_HUBER, params={"delta": np.float64("nan")})
    with pytest.raises(ValueError, match=r"got inf$"):
        derive(PSEUDO_HUBER, params={"delta": np.float32("inf")})
    with pytest.raises(ValueError, match=r"got 'probit'$"):
        derive("(m - y)**2", link=np.str_("probit"))
    loss = derive(PSEUDO_HUBER, params={np.str_("delta"): np.float64(2.0)}, name=np.str_("ph"))
    assert repr(loss).endswith("params={'delta': 2.0}, name='ph')"), repr(loss)
    with pytest.raises(TypeError, match="string or a SymPy"):
        derive(3.0)


@pytest.mark.parametrize("where", ["expression", "gradient", "hessian"])
def test_formulas_are_never_run_as_python(where, tmp_path):
    marker = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {marker}') + m"
    kwargs = {"expression": "(m - y)**2", where: payload}
    with pytest.raises(ValueError, match=r"__import__.*not allowed(.|\n)*exp, log"):
        derive(kwargs.pop("expression"), **kwargs, check=False)
    assert not marker.exists()


def test_no_python_eval_and_no_sympy_parser(monkeypatch):
    import builtins

    import sympy

    def refuse(*args, **kwargs):
        raise AssertionError("a formula was handed to eval/parse_expr")

    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(sympy, "parse_expr", refuse)
    monkeypatch.setattr(sympy, "sympify", refuse)
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", refuse)
    loss = derive("delta**2*(sqrt(1 + ((m - y)/delta)**2) - 1)", params={"delta": 1.5},
                  hessian="1/sqrt(1 + ((m - y)/delta)**2)", check=False)
    assert loss.gradient([0.0], [1.5]) == pytest.approx(1.5 / np.sqrt(2))


@pytest.mark.parametrize(("formula", "piece"), [
    ("m.real", r"attribute .*'m\.real'"),
    ("(m - y).__class__", r"attribute"),
    ("[m, y][0]", r"(list|subscript)"),
    ("(lambda: m)()", r"lambda"),
    ("log(m, base=2)", r"keyword argument 'base=2'"),
    ("log(*[m])", r"\*"),
    ("'m' + m", r"string"),
    ("m if y else -m", r"conditional"),
    ("m < y", r"comparison"),
    ("m and y", r"and/or"),
    ("m // 2", r"operator '//'"),
    ("m % 2", r"operator '%'"),
    ("~m", r"operator '~'"),
    ("m^2", r"'\^' is not a power.*write \*\* instead, e.g. 'm\*\*2'"),
    ("(m - y)^2/2", r"'\^' is not a power.*'\(m - y\)\*\*2/2'"),
    ("__builtins__ + m", r"'__builtins__'.*not allowed"),
    ("eval('m')", r"function 'eval'"),
    ("exp(m)(y)", r"call of 'exp\(m\)'"),
    ("Symbol('x') + m", r"function 'Symbol'"),
    ("sympify('m')", r"function 'sympify'"),
    ("exp(m, y)", r"exp takes 1 argument, got 2"),
    ("logaddexp(m)", r"logaddexp takes 2 arguments, got 1"),
    ("m + 1j", r"complex"),
    ("m + True", r"True"),
    ("m + 1e999", r"not finite"),
    ("m + 10**10**10", r"power '10\*\*10\*\*10' is not allowed \(too large"),
    ("m + 3**(10**9/7)", r"power '3\*\*\(10\*\*9/7\)' is not allowed \(too large"),
    ("m; y", r"cannot parse"),
    ("m = 2", r"cannot parse"),
    ("", r"cannot parse"),
])
def test_refused_formulas_name_the_piece_and_what_is_allowed(formula, piece):
    with pytest.raises(ValueError, match=piece) as info:
        derive(formula, check=False)
    message = str(info.value)
    assert "y (the label), m (the margin)" in message and "exp, log" in message, message


def test_accepted_formula_syntax():
    loss = derive("+1.5e-1*(m - y)**2 + -0.0*m + 0*pi*E - (-(m))", check=False)
    np.testing.assert_allclose(loss.gradient_hessian([1.0], [3.0]), [[0.3 * 2 + 1.0], [0.3]])
    import sympy as sp

    from boostobj.derive import FORMULA_FUNCTIONS, _parse_formula

    m = sp.Symbol("m", real=True)
    for name, arity in FORMULA_FUNCTIONS.items():
        text = f"{name}({', '.join(['m'] * arity[0])})"
        assert _parse_formula(text, {"m": m}).has(m), text
    assert _parse_formula("log(m, 2)", {"m": m}) == sp.log(m, 2)
    assert _parse_formula("2**3**2 + 1/4", {}) == sp.Rational(2049, 4)
    assert str(derive("m**2/2 - y*m", check=False).expressions["loss"]) == "m**2/2 - m*y"
    with pytest.raises(ValueError, match=r"unknown symbol\(s\) \['a', 'b'\].*params="):
        derive("a*m + b", check=False)
    with pytest.raises(ValueError, match=r"parameter names.*'exp'"):
        derive("exp*m", params={"exp": 1.0})
    with pytest.raises(ValueError, match=r"parameter names.*'_x'"):
        derive("_x*m", params={"_x": 1.0})


# ----------------------------------------------------------------------------- identical models
def reference(loss):
    """``loss`` as a plain objective built on its public float64 ``gradient_hessian``, floored at
    :data:`boostobj.HESSIAN_FLOOR` before weighting (as the libraries receive it), instead of its
    faster float32 library kernel. Answers ``(preds, DMatrix/Dataset)`` and the XGBoost sklearn
    ``(y_true, y_pred, sample_weight)`` call."""

    def objective(a, b, sample_weight=None):
        if hasattr(b, "get_label"):  # xgb.train / lgb.train: (preds, data)
            y, preds, w = b.get_label(), a, b.get_weight()
        else:
            y, preds, w = a, b, sample_weight
        g, h = loss.gradient_hessian(y, np.asarray(preds, dtype=np.float64))
        h = np.maximum(h, boostobj.HESSIAN_FLOOR)
        return (g, h) if w is None or len(w) == 0 else (g * w, h * w)

    return objective


def binary_data(rng, n=400):
    X = rng.normal(size=(n, 5))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(size=n) > 0.3).astype(float)
    return X, y, rng.uniform(0.5, 2.0, n)


def regression_data(rng, n=400):
    X = rng.normal(size=(n, 5))
    y = 3 * X[:, 0] - X[:, 1] + rng.standard_t(2, size=n)
    return X, y, rng.uniform(0.5, 2.0, n)


TRAINED = [
    ("softplus(-(2*y - 1)*m)", {"link": "logit"}, boostobj.BinaryLogLoss(), binary_data),
    ("logcosh(m - y)", {}, boostobj.LogCoshLoss(scale=1.0, hessian="exact"), regression_data),
    (PSEUDO_HUBER, {"params": {"delta": 2.0}}, boostobj.PseudoHuberLoss(delta=2.0, hessian="exact"),
     regression_data),
]


@pytest.mark.parametrize(("formula", "kwargs", "twin", "data"), TRAINED, ids=[t[0] for t in TRAINED])
def test_derived_trains_the_same_xgboost_model(formula, kwargs, twin, data, rng):
    xgb = pytest.importorskip("xgboost")
    derived = derive(formula, **kwargs, check=False)
    X, y, w = data(rng)
    out = []
    for obj, loss in ((derived, derived), (reference(twin), twin), (twin, twin)):
        params = {"max_depth": 3, "eta": 0.3, "nthread": 1, **boostobj.xgboost_params(loss, y, w)}
        bst = xgb.train(params, xgb.DMatrix(X, label=y, weight=w), 10, obj=obj)
        out.append((bst.predict(xgb.DMatrix(X), output_margin=True), bst.get_dump(with_stats=True)))
    np.testing.assert_array_equal(out[0][0], out[1][0])  # identical models
    assert out[0][1] == out[1][1]
    # the shipped float32 kernel agrees to float32 rounding
    np.testing.assert_allclose(out[0][0], out[2][0], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(("formula", "kwargs", "twin", "data"), TRAINED, ids=[t[0] for t in TRAINED])
def test_derived_trains_the_same_lightgbm_model(formula, kwargs, twin, data, rng):
    lgb = pytest.importorskip("lightgbm")
    derived = derive(formula, **kwargs, check=False)
    X, y, w = data(rng)
    out = []
    for obj, loss in ((derived, derived), (reference(twin), twin), (twin, twin)):
        ds = lgb.Dataset(X, label=y, weight=w, init_score=loss.init_raw_prediction(y, w))
        params = {"objective": obj, "num_leaves": 7, "verbose": -1, "num_threads": 1,
                  "deterministic": True, "force_col_wise": True}
        bst = lgb.train(params, ds, 10)
        out.append(bst.predict(X, raw_score=True))
    np.testing.assert_array_equal(out[0], out[1])  # identical models
    np.testing.assert_allclose(out[0], out[2], rtol=1e-4, atol=1e-4)


def test_derived_in_the_sklearn_estimators(rng):
    pytest.importorskip("xgboost")
    derived = derive("softplus(-(2*y - 1)*m)", link="logit", check=False)
    X, y, _ = binary_data(rng)
    a = boostobj.XGBClassifier(objective=derived, n_estimators=5, max_depth=2).fit(X, y)
    twin = boostobj.BinaryLogLoss()
    start = boostobj.xgboost_params(twin, y)["base_score"]
    b = boostobj.XGBClassifier(objective=reference(twin), base_score=start, n_estimators=5,
                               max_depth=2).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_missing_sympy_message(monkeypatch):
    import builtins

    import boostobj.derive as mod

    real_import = builtins.__import__

    def no_sympy(name, *args, **kwargs):
        if name == "sympy":
            raise ImportError("no sympy")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sympy)
    with pytest.raises(ImportError, match=r"boostobj\[derive\]"):
        mod._sympy()


def test_derived_loss_is_a_loss():
    assert issubclass(DerivedLoss, boostobj.Loss)


def test_slow_formulas_derive_in_bounded_time():
    """A power of a sum whose simplification expands it (it took a minute), and nested exp, whose
    high-precision hessian reference mpmath never finished, both derive in a fresh process."""
    import subprocess
    import sys

    code = ("import warnings; warnings.simplefilter('ignore')\n"
            "from boostobj.derive import derive\n"
            "print(derive('(m - y + 1)**200').formulas())\n"
            "derive('exp(exp(exp(m - y)))')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert "gradient: 200*(m - y + 1)**199" in done.stdout


def test_simplify_is_skipped_where_it_would_expand(monkeypatch):
    import sympy

    def refuse(*args, **kwargs):
        raise AssertionError("simplify called on an expression it expands")

    monkeypatch.setattr(sympy, "simplify", refuse)
    with pytest.warns(DerivationWarning, match="not finite at extreme margins"):  # 38**200
        loss = derive("(m - y + 1)**200", check=False)
    assert loss.formulas().splitlines()[1:] == ["gradient: 200*(m - y + 1)**199",
                                                "hessian:  39800*(m - y + 1)**198"]
    assert loss.gradient_hessian([0.0], [0.5])[1] == pytest.approx(39800 * 1.5 ** 198)


def test_simplify_stops_at_its_time_budget(monkeypatch):
    """A simplification that does not finish within the budget leaves the derivative as
    differentiated, and nothing of the stop reaches later code."""
    import time

    import sympy

    import boostobj.derive as module

    calls = []

    def endless(expr, **kwargs):
        calls.append(expr)
        stop = time.monotonic() + 60.0
        while time.monotonic() < stop:
            pass
        return sympy.Symbol("unfinished")

    monkeypatch.setattr(sympy, "simplify", endless)
    monkeypatch.setattr(module, "SIMPLIFY_SECONDS", 0.2)
    loss = derive("(m - y)**2/2 + m", check=False)
    assert len(calls) == 1  # the gradient used the budget up; the hessian was not simplified
    assert "unfinished" not in loss.formulas()
    np.testing.assert_array_equal(loss.gradient_hessian([1.0], [3.0]), ([3.0], [1.0]))
    time.sleep(0.3)  # a late stop would land here
    assert sum(range(100_000)) == 4_999_950_000


def test_huge_exact_numbers_are_refused_with_the_reason():
    import sympy as sp

    with pytest.raises(ValueError, match=r"'\(1/3\)\*\*40000' .* about 1\.41e-19085, outside "
                                         r"float64's range.*rescale"):
        derive("(1/3)**40000*(m - y)**2")
    with pytest.raises(ValueError, match=r"'1e300\*1e300' .* about 1\.00e\+600"):
        derive("1e300*1e300*(m - y)**2")
    with pytest.raises(ValueError, match=r"second derivative of .* about 1\.00e\+400"):
        derive("(m - y)**(10**200)")
    y, m = sp.symbols("y m")
    with pytest.raises(ValueError, match=r"the loss contains a number of about 1\.41e-19085"):
        derive(sp.Rational(1, 3**40000) * (m - y) ** 2)
    # within float64's range but too long to write out exactly: a float
    loss = derive(sp.Rational(2**1100 + 1, 2**1100) * (m - y) ** 2, check=False)
    np.testing.assert_array_equal(loss.gradient_hessian([0.0], [1.0]), ([2.0], [2.0]))


def test_formulas_too_large_to_compile_quickly_are_refused():
    product = "*".join(f"1/({i} + m**2)" for i in range(1, 30))
    with pytest.raises(ValueError, match=r"gradient of .* more than 5000 SymPy nodes.*shorter"):
        derive(f"{product} + (m - y)**2")
    with pytest.raises(ValueError, match=r"the loss .* more than 5000 SymPy nodes"):
        derive(" + ".join(f"exp({i}*m - y)/({i} + m**2)" for i in range(1, 700)))
