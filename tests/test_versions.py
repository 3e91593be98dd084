"""Version and capability checks (boostobj.adapters._versions): the installed libraries decide,
and combinations broken upstream are refused at fit with the fix (versions simulated here)."""

import numpy as np
import pytest

import boostobj
from boostobj.adapters import _versions

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")
pytest.importorskip("sklearn")


@pytest.mark.parametrize(("text", "want"), [
    ("3.2.0", (3, 2, 0)), ("3.1.0rc1", (3, 1, 0)), ("2.1.4.post1", (2, 1, 4)), ("1.9", (1, 9)),
    ("4.0.0.dev0", (4, 0, 0)), (None, ()),
])
def test_parse(text, want):
    assert _versions.parse(text) == want


def _simulate(monkeypatch, fake):
    real = _versions._distribution_version
    monkeypatch.setattr(_versions, "_distribution_version", lambda d: fake.get(d, real(d)))


def _data():
    X = np.random.default_rng(0).random((60, 3))
    return X, (np.arange(60) % 2).astype(float)


@pytest.mark.parametrize(("fake", "make", "match"), [
    ({"lightgbm": "4.5.0", "scikit-learn": "1.8.0"},
     lambda: boostobj.LGBMClassifier(n_estimators=1, verbose=-1), r'force_all_finite.*lightgbm>=4\.6"'),
    ({"xgboost": "3.0.5", "scikit-learn": "1.9.1"},
     lambda: boostobj.XGBClassifier(n_estimators=1), r"_estimator_type.*xgboost>=3\.1\.3"),
    ({"numpy": "2.0.0", "scikit-learn": "1.3.2"},
     lambda: boostobj.XGBRegressor(n_estimators=1), r'scikit-learn>=1\.4\.2" \(or pin "numpy<2"\)'),
    ({"numpy": "2.0.0", "pandas": "2.1.4"},
     lambda: boostobj.LGBMRegressor(n_estimators=1, verbose=-1), r'pandas>=2\.2\.2'),
], ids=["lightgbm4.5+sklearn1.8", "xgboost3.0+sklearn1.9", "numpy2+sklearn1.3", "numpy2+pandas2.1"])
def test_known_broken_combinations_are_refused_at_fit(monkeypatch, fake, make, match):
    _simulate(monkeypatch, fake)
    X, y = _data()
    with pytest.raises(_versions.IncompatibleVersionsError, match=match) as info:
        make().fit(X, y)
    assert "Installed:" in str(info.value)


def test_working_combinations_pass(monkeypatch):
    _simulate(monkeypatch, {"lightgbm": "4.6.0", "xgboost": "3.1.3", "scikit-learn": "1.8.0",
                            "numpy": "2.0.0", "pandas": "2.2.2", "pyarrow": "16.0.0"})
    _versions.check_compatible("xgboost", "lightgbm", "dask")
    _simulate(monkeypatch, {"lightgbm": "4.0.0", "xgboost": "2.1.0", "scikit-learn": "1.2.0",
                            "numpy": "1.23.2", "pandas": "2.0.0", "pyarrow": "14.0.1"})
    _versions.check_compatible("xgboost", "lightgbm", "dask", "plot")
    # the libraries that are really installed work together (the suite runs on them)
    monkeypatch.undo()
    _versions.check_compatible("xgboost", "lightgbm", "dask")


def test_capabilities_follow_the_installed_versions():
    """Each probe agrees with the versions it was measured on (2.1.0 and 3.2.0)."""
    v = _versions.installed("xgboost")
    lo, hi = _versions.xgb_probability_start_range()
    if v >= (3, 2):
        assert _versions.xgb_vector_base_score() and _versions.xgb_metric_list_takes_callables()
        assert (lo, hi) == (1e-6, 1 - 1e-6) and _versions.xgb_intercept_is_label_mean()
    if v < (3, 0):
        assert not _versions.xgb_vector_base_score()
        assert not _versions.xgb_intercept_is_label_mean()
        assert lo < 1e-30 and hi == 1 - 2.0**-24
    assert _versions.lgb_fit_takes_eval_X() == (_versions.installed("lightgbm") >= (4, 6))


def test_multiclass_start_without_vector_base_score_goes_in_base_margin(monkeypatch):
    """The base_margin route (XGBoost < 3.1), forced on any version: fit, eval sets and predict
    start from init_score, as with a vector base_score."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = np.where(rng.random(300) < 0.6, 0, rng.integers(1, 3, 300)).astype(float)
    loss = boostobj.SoftmaxLoss()
    est = boostobj.XGBClassifier(objective=loss, n_estimators=1, learning_rate=1e-9, max_depth=2,
                                 n_jobs=1)
    monkeypatch.setattr(_versions, "xgb_vector_base_score", lambda: False)
    assert "base_score" not in boostobj.xgboost_params(loss, y)
    est.fit(X, y, eval_set=[(X, y)], verbose=False)
    np.testing.assert_allclose(est.start_margin_, loss.init_score(y))
    margin = est.predict(X[:5], output_margin=True)
    np.testing.assert_allclose(margin, np.tile(loss.init_score(y), (5, 1)), atol=1e-5)
    p = est.predict_proba(X[:5])
    np.testing.assert_allclose(p, np.tile(loss.link.inverse(loss.init_score(y)), (5, 1)), atol=1e-5)
    # the eval set started there too: its first log loss is the start's
    hist = est.evals_result()["validation_0"]
    assert next(iter(hist.values()))[0] == pytest.approx(loss.mean_loss(y, np.tile(loss.init_score(y), (300, 1))), abs=1e-5)
    # refitting where the library holds the start forgets the kept one
    monkeypatch.undo()
    if _versions.xgb_vector_base_score():
        est.fit(X, y)
        assert est.start_margin_ is None
