"""The life of a trained model, for every loss in the registry, in every library and entry point:
saved and loaded, pickled, cloned and refitted, continued, and trained beside another model. Each
must give the numbers the model gave before (on the response scale), with no state shared between
models. A loss added to the registry is walked here without new test code."""

import io
import pickle
import threading

import joblib
import numpy as np
import pytest

import boostobj
from boostobj import records
from boostobj.registry import REGISTRY

pytest.importorskip("sklearn")
from sklearn.base import clone

LOSSES = [entry.cls() for entry in REGISTRY]
IDS = [type(loss).__name__ for loss in LOSSES]
N = 160


def data(loss, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, 3))
    signal = X[:, 0] + 0.5 * X[:, 1]
    if loss.task == "survival":  # exponential times, about 30% right-censored
        time = rng.exponential(np.exp(-signal))
        censor = rng.exponential(2.0, N)
        t, event = np.minimum(time, censor) + 0.01, time <= censor
        if loss.label_columns == 2:  # AFT bounds
            y = np.column_stack([t, np.where(event, t, np.inf)])
        else:  # Cox [time, event]
            y = np.column_stack([t, event.astype(np.float64)])
    elif loss.task == "multiclass":
        y = np.digitize(signal + rng.normal(0, 0.5, N), [-0.5, 0.5]).astype(np.float64)
    elif loss.task == "binary":
        y = (signal + rng.normal(0, 0.7, N) > 0.3).astype(np.float64)
    elif loss.link.name == "log":
        y = rng.gamma(2.0, np.exp(1.0 + 0.3 * signal) / 2.0)
        if loss.accepts(0.0):
            y = np.where(rng.random(N) < 0.2, 0.0, y)
    else:
        y = 50.0 + 3.0 * signal + rng.normal(0, 1.0, N)  # a start far from 0
    return X, y


# ------------------------------------------------------------------ entry points
REGRESSION = ("regression", "survival")  # the tasks of the regressors


def xgb_estimator(loss, **extra):
    cls = boostobj.XGBRegressor if loss.task in REGRESSION else boostobj.XGBClassifier
    return cls(**{"objective": loss, "n_estimators": 4, "max_depth": 2, "n_jobs": 1, **extra})


def lgb_estimator(loss, **extra):
    cls = boostobj.LGBMRegressor if loss.task in REGRESSION else boostobj.LGBMClassifier
    return cls(**{"objective": loss, "n_estimators": 4, "num_leaves": 4, "min_child_samples": 5,
                  "n_jobs": 1, "verbose": -1, **extra})


def cb_estimator(loss, **extra):
    cls = boostobj.CatBoostRegressor if loss.task in REGRESSION else boostobj.CatBoostClassifier
    return cls(**{"loss_function": loss, "iterations": 3, "depth": 2, "thread_count": 1,
                  "verbose": False, "allow_writing_files": False, **extra})


ESTIMATORS = {"xgboost": xgb_estimator, "lightgbm": lgb_estimator, "catboost": cb_estimator}


def needs(library, loss=None):
    pytest.importorskip(library)
    if library == "catboost" and loss is not None and loss.task == "survival":
        # refused before training (tests/test_survival_libraries.py): CatBoost hands a Python
        # objective blocks of rows, one label per row
        with pytest.raises(NotImplementedError, match="CatBoost's built-in"):
            cb_estimator(loss).fit(*data(loss))
        pytest.skip("CatBoost cannot serve a survival loss: refused, naming its built-in")


def response(model, X):
    """What a user reads off a fitted estimator: probabilities or the predicted response."""
    return model.predict_proba(X) if hasattr(model, "predict_proba") else model.predict(X)


def fitted(library, loss, seed=0, **extra):
    needs(library, loss)
    if library == "catboost" and loss.task == "multiclass":
        extra.setdefault("iterations", 2)
    X, y = data(loss, seed)
    return ESTIMATORS[library](loss, **extra).fit(X, y), X, y


LIBS = list(ESTIMATORS)


# ------------------------------------------------------------------ the estimators
@pytest.mark.parametrize("library", LIBS)
@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_pickle_and_joblib_keep_the_predictions(library, loss):
    model, X, _ = fitted(library, loss)
    before = response(model, X)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(response(again, X), before)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(response(joblib.load(buffer), X), before)


@pytest.mark.parametrize("library", ["xgboost", "catboost"])
@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_save_and_load_into_a_new_estimator_keep_the_predictions(library, loss, tmp_path):
    model, X, _ = fitted(library, loss)
    before = response(model, X)
    path = str(tmp_path / ("model.json" if library == "xgboost" else "model.cbm"))
    model.save_model(path)
    again = type(model)()
    again.load_model(path)
    np.testing.assert_allclose(response(again, X), before, rtol=1e-6, atol=1e-7)
    assert type(again.loss_) is type(loss)  # the loss, rebuilt from the model's record


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_lightgbm_model_file_keeps_the_margins(loss, tmp_path):
    needs("lightgbm")
    import lightgbm as lgb

    model, X, _ = fitted("lightgbm", loss)
    path = str(tmp_path / "model.txt")
    model.booster_.save_model(path)
    np.testing.assert_allclose(lgb.Booster(model_file=path).predict(X, raw_score=True),
                               model.predict(X, raw_score=True), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("library", LIBS)
@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_clone_and_refit_give_the_same_model(library, loss):
    model, X, y = fitted(library, loss)
    before = response(model, X)
    np.testing.assert_allclose(response(clone(model).fit(X, y), X), before, rtol=1e-6, atol=1e-9)
    # fitting the same estimator again is a fresh model from the new data
    X2, y2 = data(loss, seed=1)
    fresh = response(ESTIMATORS[library](loss).fit(X2, y2), X) if library != "catboost" else None
    model.fit(X2, y2)
    if fresh is not None:
        np.testing.assert_allclose(response(model, X), fresh, rtol=1e-6, atol=1e-9)
    model.fit(X, y)
    np.testing.assert_allclose(response(model, X), before, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("library", LIBS)
@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_continued_training_keeps_the_start(library, loss):
    """A round at a learning rate of ~0 added to a model changes none of its predictions: the
    continued model starts where the old one ends, not from a new start or from 0."""
    model, X, y = fitted(library, loss)
    before = response(model, X)
    if library == "xgboost":
        more = xgb_estimator(loss, learning_rate=1e-6, n_estimators=1).fit(X, y, xgb_model=model)
    elif library == "lightgbm":
        more = lgb_estimator(loss, learning_rate=1e-6, n_estimators=1).fit(
            X, y, init_model=model.booster_)
    else:
        more = cb_estimator(loss, learning_rate=1e-6, iterations=1).fit(X, y, init_model=model)
    np.testing.assert_allclose(response(more, X), before, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("library", LIBS)
@pytest.mark.parametrize("loss", [loss for loss in LOSSES if loss.has_auto()],
                         ids=[type(loss).__name__ for loss in LOSSES if loss.has_auto()])
def test_models_trained_at_once_keep_their_own_numbers(library, loss):
    """Two models of one "auto"-scale loss, on labels of different spread, trained in two
    threads at once: each reports the metric and predictions it has when trained alone."""
    needs(library, loss)
    X, y = data(loss)
    sets = [(X, y), (X, 100.0 * y)]

    def train(i, out):
        Xi, yi = sets[i]
        est = ESTIMATORS[library](loss)
        est.fit(Xi, yi)
        out[i] = (response(est, Xi), est.loss_)

    alone = [{}, {}]
    for i in range(2):
        train(i, alone[i])
    together = {}
    threads = [threading.Thread(target=train, args=(i, together)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(2):
        np.testing.assert_allclose(together[i][0], alone[i][i][0], rtol=1e-6)
        assert together[i][1] == alone[i][i][1]
    assert alone[0][0][1] != alone[1][1][1]  # the two scales differ


# ------------------------------------------------------------------ the native entry points
def dmatrix(loss, X, y):
    """An XGBoost DMatrix holding ``y`` as XGBoost takes it: survival labels as its
    ``survival:`` objectives read them (Cox signed times, AFT label bounds)."""
    import xgboost as xgb

    if loss.task != "survival":
        return xgb.DMatrix(X, y)
    if loss.label_columns == 2:
        return xgb.DMatrix(X, label_lower_bound=y[:, 0], label_upper_bound=y[:, 1])
    return xgb.DMatrix(X, loss.stored_labels(y))


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_xgboost_native_booster_predicts_the_response_after_a_reload(loss, tmp_path):
    needs("xgboost")
    import xgboost as xgb

    X, y = data(loss)
    params = {"max_depth": 2, "nthread": 1, **boostobj.xgboost_params(loss, y)}
    if "base_score" not in params:  # XGBoost < 3.1 multiclass: the start goes in base_margin
        pytest.skip("the multiclass start lives in base_margin on this XGBoost")
    booster = xgb.train(params, dmatrix(loss, X, y), 3, obj=loss)
    before = booster.predict(xgb.DMatrix(X))
    fit = loss.resolved(*boostobj.adapters.as_stored(y)) if loss.has_auto() else loss
    margins = booster.predict(xgb.DMatrix(X), output_margin=True)
    np.testing.assert_allclose(before, fit.link.inverse(margins), rtol=1e-5, atol=1e-6)
    path = str(tmp_path / "m.ubj")
    booster.save_model(path)
    np.testing.assert_array_equal(xgb.Booster(model_file=path).predict(xgb.DMatrix(X)), before)


@pytest.mark.parametrize("library", LIBS)
@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_the_record_is_the_resolved_loss(library, loss):
    model, _X, _y = fitted(library, loss)
    fit = model.loss_
    assert type(fit) is type(loss) and not fit.has_auto()
    if library == "xgboost":
        rec = records.loads(model.get_booster().attr(records.KEY))
        assert records.loss_of_record(rec) == fit
        assert rec["link"] == loss.link.name


@pytest.mark.parametrize("loss", [boostobj.PoissonLoss(), boostobj.GammaLoss(),
                                  boostobj.TweedieLoss()], ids=["poisson", "gamma", "tweedie"])
def test_built_in_metrics_under_a_log_link_are_scored_on_the_response_or_refused(loss):
    X, y = data(loss)
    needs("xgboost")
    model = xgb_estimator(loss, eval_metric="rmse").fit(X, y, eval_set=[(X, y)], verbose=False)
    reported = model.evals_result()["validation_0"]["rmse"][-1]
    assert reported == pytest.approx(np.sqrt(np.mean((model.predict(X) - y) ** 2)), rel=1e-5)
    needs("lightgbm")
    import lightgbm as lgb

    y = y + 0.5  # positive labels: LightGBM's own gamma metric refuses a zero when it is built
    for metric in ("rmse", "l1", "poisson", "gamma", "tweedie", "mape"):
        with pytest.raises(ValueError, match="raw scores"):
            lgb.train({"objective": loss, "metric": metric, "verbose": -1},
                      lgb.Dataset(X, y, init_score=loss.init_raw_prediction(y)), 2)
        with pytest.raises(ValueError, match="raw scores"):
            lgb_estimator(loss, metric=metric).fit(X, y)


# ------------------------------------------------------------------ estimator twins are twins
def _twins(library):
    """``(loss, twin)`` params of every registry twin with a ``library`` built-in (CatBoost
    cannot train a survival loss through Python: refused, tested elsewhere)."""
    return [pytest.param(loss, twin, id=f"{entry.cls.__name__}-{twin.names()[library]}")
            for entry in REGISTRY
            if not (library == "catboost" and entry.cls.task == "survival")
            for loss, twin in entry.twin_losses() if library in twin.names()]


@pytest.mark.parametrize(("loss", "twin"), _twins("xgboost"))
def test_xgboost_estimators_train_the_twin_of_every_registry_twin(loss, twin):
    """What xgboost_params sets for a twin (its objective, max_delta_step, the variance power),
    the estimators set too: boostobj's estimator and XGBoost's with the built-in objective, from
    the same start, predict alike."""
    needs("xgboost")
    import xgboost as xgb

    X, y = data(loss)
    ours = xgb_estimator(loss, n_estimators=6).fit(X, y)
    params = boostobj.xgboost_params(loss, y)
    if loss.task == "survival":  # XGBoost's estimators hold no label bounds: its native API
        theirs = xgb.train({"max_depth": 2, "nthread": 1, **params}, dmatrix(loss, X, y), 6)
        np.testing.assert_allclose(ours.predict(X), theirs.predict(xgb.DMatrix(X)), rtol=2e-5,
                                   atol=2e-6)
        return
    objective = params.pop("objective")
    cls = xgb.XGBRegressor if loss.task == "regression" else xgb.XGBClassifier
    if loss.task == "multiclass":
        params.pop("num_class")
    theirs = cls(**{"n_estimators": 6, "max_depth": 2, "n_jobs": 1, "objective": objective,
                    **params})
    if loss.task == "multiclass" and "base_score" not in params:
        # XGBoost < 3.1: no vector base_score, the start goes in base_margin on both sides
        margin = np.tile(loss.init_score(*boostobj.adapters.as_stored(y)), (len(y), 1))
        theirs.fit(X, y, base_margin=margin)
        expected = theirs.predict_proba(X, base_margin=margin)
    else:
        expected = response(theirs.fit(X, y), X)
    np.testing.assert_allclose(response(ours, X), expected, rtol=2e-5, atol=2e-6)


# ------------------------------------------------------------------ no process-wide state
@pytest.mark.parametrize("kernels", ["as installed", "numpy"])
def test_bare_calls_keep_nothing_alive(kernels):
    """Six 1M-row calls of a loss outside any training leave no copies behind (labels,
    validated arrays, label-derived arrays of the numpy kernels, output buffers): what a
    training keeps dies with it."""
    import contextlib

    from boostobj import _kernels

    with _kernels.numpy_kernels() if kernels == "numpy" else contextlib.nullcontext():
        _bare_calls_keep_nothing_alive()


def _bare_calls_keep_nothing_alive():
    import gc
    import tracemalloc

    rng = np.random.default_rng(0)
    loss = boostobj.BinaryLogLoss()
    z = rng.normal(size=1_000_000).astype(np.float32)
    loss((rng.random(1000) < 0.3).astype(np.float32), z[:1000])
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(6):
            y = (rng.random(1_000_000) < 0.3).astype(np.float32)
            g, h = loss(y, z)
            del g, h, y
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert kept < 1_000_000, f"{kept / 1e6:.1f} MB kept after six bare calls"


def test_xgboost_cv_folds_score_with_their_own_data():
    """xgb.cv with an "auto"-scale loss and its metric gives the same numbers whatever was trained
    before in the process."""
    needs("xgboost")
    import xgboost as xgb

    loss = boostobj.PseudoHuberLoss()
    X, y = data(loss)

    def cv():
        return xgb.cv({"max_depth": 2, "nthread": 1, "base_score": float(np.median(y))},
                      xgb.DMatrix(X, y), 3, nfold=3, obj=loss, custom_metric=loss.metric,
                      seed=0)

    first = cv()
    xgb_estimator(loss).fit(X, 1000.0 * y)  # another model of the same loss, another scale
    np.testing.assert_array_equal(cv().to_numpy(), first.to_numpy())


def test_lightgbm_cv_folds_score_with_their_own_data():
    needs("lightgbm")
    import lightgbm as lgb

    loss = boostobj.LogCoshLoss()
    X, y = data(loss)

    def cv():
        out = lgb.cv({"objective": loss, "metric": "None", "num_leaves": 4, "verbose": -1,
                      "num_threads": 1, "seed": 0},
                     lgb.Dataset(X, y, init_score=loss.init_raw_prediction(y)), 3, nfold=3,
                     feval=boostobj.Metric(loss, "lightgbm"), stratified=False)
        return np.asarray(next(iter(out.values())))

    first = cv()
    lgb_estimator(loss).fit(X, 1000.0 * y)
    np.testing.assert_array_equal(cv(), first)


@pytest.mark.parametrize("loss", LOSSES, ids=IDS)
def test_metric_names_never_collide_with_built_in_ones(loss):
    from boostobj.metrics import BUILTIN_METRIC_NAMES

    assert loss.metric.__name__ not in BUILTIN_METRIC_NAMES


def test_a_metric_and_a_built_in_of_the_same_loss_keep_separate_histories():
    """LightGBM's built-in ``fair`` and FairLoss's metric, both watched: one entry each, one
    value per round (the names used to be the same: 20 values in one list for 10 rounds)."""
    needs("lightgbm")
    import lightgbm as lgb

    loss = boostobj.FairLoss()
    X, y = data(loss)
    history = {}
    train = lgb.Dataset(X, y, init_score=loss.init_raw_prediction(y))
    valid = lgb.Dataset(X, y, init_score=loss.init_raw_prediction(y), reference=train)
    lgb.train({"objective": loss, "metric": "fair", "verbose": -1, "num_leaves": 4}, train, 10,
              valid_sets=[valid], feval=boostobj.Metric(loss, "lightgbm"),
              callbacks=[lgb.record_evaluation(history)])
    entries = history["valid_0"]
    assert sorted(entries) == ["fair", "fair_loss"]
    assert all(len(values) == 10 for values in entries.values())


@pytest.mark.parametrize(("loss", "twin"), _twins("lightgbm"))
def test_lightgbm_estimators_train_the_twin_of_every_registry_twin(loss, twin):
    """boostobj's LightGBM estimator and LightGBM's with the built-in objective (and the twin's
    parameters) predict alike. Where the twin's start convention differs from ``init_score``
    (``start="builtin"``: LightGBM's ``fair`` starts from the label mean, FairLoss from its
    minimiser), both are given LightGBM's start."""
    needs("lightgbm")
    import lightgbm as lgb

    X, y = data(loss)
    params = {k: getattr(loss, a) for k, a in twin.lightgbm_params.items()}
    cls = lgb.LGBMRegressor if loss.task == "regression" else lgb.LGBMClassifier
    theirs = cls(objective=twin.lightgbm, n_estimators=6, num_leaves=4, min_child_samples=5,
                 n_jobs=1, verbose=-1, **params).fit(X, y)
    fit = {}
    if twin.start.get("lightgbm") == "builtin" and loss.link.name == "identity":
        # LightGBM's regression-type built-ins start from the label mean (of float32 labels)
        start = float(np.mean(boostobj.adapters.as_stored(y)[0]))
        fit = {"init_score": np.full(y.shape, start)}
    ours = lgb_estimator(loss, n_estimators=6).fit(X, y, **fit)
    got = response(ours, X)
    if fit:  # a start given by the caller is the caller's to add back (LightGBM's convention)
        got = loss.link.inverse(ours.predict(X, raw_score=True) + fit["init_score"])
    np.testing.assert_allclose(got, response(theirs, X), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("loss", "twin"), _twins("catboost"))
def test_catboost_estimators_train_with_their_twins_defaults(loss, twin):
    """With no learning rate or leaf estimation set, boostobj's CatBoost estimator trains as
    CatBoost's own with the twin built-in: the same learning rate, leaf iterations and leaf
    method CatBoost picks for the built-in, from the same start (the twin's own estimate where
    it makes one, else ``init_score`` as the baseline)."""
    needs("catboost")
    import catboost as cb

    from boostobj.adapters import _versions
    from boostobj.adapters.catboost import builtin_loss_function

    floor = twin.floor.get("catboost")
    if floor is not None and _versions.installed("catboost") < _versions.parse(floor):
        pytest.skip(f"catboost < {floor}: its {twin.catboost} is not this loss's twin")

    X, y = data(loss)
    if loss.task == "multiclass":
        X, y = X[:60], y[:60]  # a Python multiclass objective is called once per row
    ours = cb_estimator(loss, iterations=5, depth=3)
    ours.fit(X, y)
    cls = cb.CatBoostRegressor if loss.task == "regression" else cb.CatBoostClassifier
    own = twin.start.get("catboost") == "builtin"
    theirs = cls(loss_function=builtin_loss_function(loss), iterations=5, depth=3,
                 thread_count=1, verbose=False, allow_writing_files=False,
                 **({"boost_from_average": True} if own else {}))
    baseline = None if own else np.tile(ours.init_score_, (len(y), 1)).reshape(len(y), -1)
    theirs.fit(X, y, baseline=None if baseline is None else baseline.squeeze())
    mine, chosen = ours.get_all_params(), theirs.get_all_params()
    assert mine["learning_rate"] == chosen["learning_rate"]
    if chosen["leaf_estimation_method"] == "Exact":
        return  # CatBoost's exact leaves (LogCosh) take no Python objective: Newton leaves here
    for key in ("leaf_estimation_iterations", "leaf_estimation_method", "bootstrap_type"):
        assert mine[key] == chosen[key], key
    raw = theirs.predict(X, prediction_type="RawFormulaVal")
    if baseline is not None:
        raw = raw + baseline.squeeze()
    np.testing.assert_allclose(ours.predict(X, prediction_type="RawFormulaVal"), raw,
                               rtol=1e-6, atol=1e-6)
