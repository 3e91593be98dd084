"""boostobj.refine_leaves: exact leaves for LightGBM, and what set_leaf_output does to LightGBM's
training scores."""

from __future__ import annotations

import numpy as np
import pytest

import boostobj

lgb = pytest.importorskip("lightgbm")

LR = 0.3


def _data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    y = 3.0 * X[:, 0] + np.sin(2 * X[:, 1]) + rng.standard_t(1.5, n)
    y[rng.random(n) < 0.05] += 40.0
    w = rng.uniform(0.5, 2.0, n)
    return X, y, w


def _params(objective):
    return {"objective": objective, "learning_rate": LR, "num_leaves": 7, "min_data_in_leaf": 5,
            "verbose": -1, "num_threads": 1, "deterministic": True, "force_col_wise": True}


def test_set_leaf_output_leaves_lightgbm_training_scores_stale():
    """The finding the refiner is built around: after set_leaf_output, the scores LightGBM hands
    the objective next iteration do not include the change."""
    X, y, _ = _data()
    loss = boostobj.SquaredErrorLoss()
    seen = []

    def objective(preds, ds):
        seen.append(np.array(preds))
        return loss(preds, ds)

    def bump(env):
        tree = env.model.num_trees() - 1
        env.model.set_leaf_output(tree, 0, env.model.get_leaf_output(tree, 0) + 1.0)

    booster = lgb.train(_params(objective), lgb.Dataset(X, y), 3, callbacks=[bump])
    true = booster.predict(X, raw_score=True, num_iteration=2)
    assert np.max(np.abs(seen[2] - true)) == pytest.approx(2.0)  # both bumps missing


@pytest.mark.parametrize("loss", [boostobj.LogCoshLoss(), boostobj.PseudoHuberLoss(),
                                  boostobj.PseudoHuberLoss(delta=0.5, hessian="exact")],
                         ids=repr)
def test_refined_leaves_minimise_the_leaf_loss(loss):
    X, y, w = _data()
    start = loss.init_score(y, w)
    ref = boostobj.refine_leaves(loss, X, y, sample_weight=w, steps=40)
    ds = lgb.Dataset(X, y, weight=w, init_score=np.full(len(y), start))
    booster = lgb.train(_params(ref), ds, 6, callbacks=[ref])
    assert ref.iterations == 6 and ref.stale_gap > 0  # LightGBM's own buffer did go stale
    # predictions: the model's own predict equals the scores the refinement tracked
    raw = booster.predict(X, raw_score=True) + start
    np.testing.assert_allclose(raw, ref.raw, rtol=0, atol=1e-9)
    solver = ref.solver
    for it in range(6):
        before = start + (booster.predict(X, raw_score=True, num_iteration=it) if it
                          else np.zeros(len(y)))
        leaves = booster.predict(X, pred_leaf=True, start_iteration=it, num_iteration=1)
        leaves = leaves.reshape(-1).astype(int)
        for leaf in np.unique(leaves):
            rows = leaves == leaf
            v = booster.get_leaf_output(it, int(leaf)) / LR  # stored shrunk
            g = solver.gradient(y[rows], before[rows] + v, w[rows])
            scale = np.sum(np.abs(g)) + 1e-12
            assert abs(np.sum(g)) / scale < 1e-4, (it, leaf)  # IRLS: linear convergence


def test_refinement_lowers_training_loss_against_one_newton_step():
    X, y, w = _data(seed=1)
    loss = boostobj.LogCoshLoss()
    start = loss.init_score(y, w)
    fit = loss.resolved(y, w)
    out = {}
    for refine in (False, True):
        ref = boostobj.refine_leaves(loss, X, y, sample_weight=w, steps=5)
        ds = lgb.Dataset(X, y, weight=w, init_score=np.full(len(y), start))
        booster = lgb.train(_params(ref if refine else loss), ds, 1,
                            callbacks=[ref] if refine else [])
        out[refine] = fit.mean_loss(y, booster.predict(X, raw_score=True) + start, w)
    assert out[True] < out[False]


def test_estimator_uses_the_refiner_as_its_objective():
    pytest.importorskip("sklearn")
    X, y, w = _data()
    loss = boostobj.PseudoHuberLoss()
    ref = boostobj.refine_leaves(loss, X, y, sample_weight=w)
    model = boostobj.LGBMRegressor(objective=loss, n_estimators=5, learning_rate=LR, num_leaves=7,
                                   verbose=-1, n_jobs=1)
    model.fit(X, y, sample_weight=w, callbacks=[ref])
    assert ref.iterations == 5
    np.testing.assert_allclose(model.predict(X), ref.raw, rtol=0, atol=1e-9)
    assert model.objective is loss  # fit leaves the parameters alone


def test_callback_without_objective_raises():
    X, y, _ = _data()
    loss = boostobj.LogCoshLoss()
    ref = boostobj.refine_leaves(loss, X, y)
    with pytest.raises(RuntimeError, match="also be the objective"):
        lgb.train(_params(loss), lgb.Dataset(X, y), 2, callbacks=[ref])


def test_multiclass_is_refused():
    X, y, _ = _data()
    with pytest.raises(ValueError, match="single-output"):
        boostobj.refine_leaves(boostobj.SoftmaxLoss(), X, (y > 0).astype(float))


def test_a_reused_refiner_trains_like_a_new_one():
    X, y, w = _data(seed=2)
    loss = boostobj.PseudoHuberLoss()
    start = np.full(len(y), loss.init_score(y, w))

    def train(ref, rounds):
        ds = lgb.Dataset(X, y, weight=w, init_score=start)
        return lgb.train(_params(ref), ds, rounds, callbacks=[ref])

    reused = boostobj.refine_leaves(loss, X, y, sample_weight=w)
    train(reused, 8)
    second = train(reused, 5)
    fresh = boostobj.refine_leaves(loss, X, y, sample_weight=w)
    expected = train(fresh, 5)
    np.testing.assert_array_equal(second.predict(X, raw_score=True),
                                  expected.predict(X, raw_score=True))
    assert reused.iterations == 5
    np.testing.assert_array_equal(reused.raw, fresh.raw)
    assert reused.stale_gap == fresh.stale_gap and reused.seconds > 0


def test_continued_training_tracks_the_init_models_scores():
    """With init_model LightGBM starts from that model's scores (its Dataset init_score)."""
    X, y, _ = _data()
    loss = boostobj.LogCoshLoss()
    ref = boostobj.refine_leaves(loss, X, y)
    first = lgb.train(_params(ref), lgb.Dataset(X, y), 4, callbacks=[ref])
    more = lgb.train(_params(ref), lgb.Dataset(X, y), 3, init_model=first, callbacks=[ref])
    assert more.current_iteration() == 7 and ref.iterations == 3
    np.testing.assert_allclose(more.predict(X, raw_score=True), ref.raw, rtol=0, atol=1e-9)


def test_objective_without_callback_raises():
    X, y, _ = _data()
    ref = boostobj.refine_leaves(boostobj.LogCoshLoss(), X, y)
    with pytest.raises(RuntimeError, match="objective but not as a callback"):
        lgb.train(_params(ref), lgb.Dataset(X, y), 2)
