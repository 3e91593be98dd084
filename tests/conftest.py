"""Shared test data. The generic tests walk ``ALL_LOSSES``, built from the registry."""

import numpy as np
import pytest

import boostobj

#: Every registry entry's example instances (:attr:`boostobj.registry.Entry.examples`), and
#: combinations of them: a loss added to the registry is walked by every generic test.
ALL_LOSSES = [loss for entry in boostobj.registry.REGISTRY for loss in entry.instances()] + [
    0.7 * boostobj.LogCoshLoss() + 0.3 * boostobj.PseudoHuberLoss(),
    boostobj.combine((0.5, boostobj.SquaredErrorLoss()), (2.0, boostobj.LogCoshLoss(scale=2.5, hessian="exact"))),
    boostobj.combine(boostobj.BinaryLogLoss(), (0.5, boostobj.FocalLoss(gamma=2.0))),
    boostobj.PoissonLoss(hessian="exact") + 0.5 * boostobj.TweedieLoss(),
]


def accepts(loss, label: float) -> bool:
    """Whether ``loss`` takes ``label`` (e.g. 0 for a count loss, not for GammaLoss)."""
    return loss.accepts(label)


def labels_for(loss, n, rng):
    """Valid labels for ``loss``: 0/1, class indices, non-negative amounts (log link),
    real-valued targets, or survival labels: ``[time, event]`` columns (Cox, some times tied),
    ``[lower, upper]`` bounds of every kind of censoring (AFT)."""
    if loss.task == "survival":
        return survival_labels(loss, n, rng)
    if loss.task == "multiclass":
        return rng.integers(0, 3, n).astype(np.float64)
    if loss.task == "binary":
        if accepts(loss, 0.5):  # soft labels
            return np.where(rng.random(n) < 0.2, (rng.random(n) < 0.3).astype(float), rng.random(n))
        return (rng.random(n) < 0.3).astype(np.float64)
    # counts with zeros, or positive amounts: the log link, and labels bounded below (squared
    # log error's y > -1)
    if loss.link.name == "log" or not accepts(loss, -2.0):
        if accepts(loss, 0.0):
            return np.where(rng.random(n) < 0.3, 0.0, rng.gamma(2.0, 1.5, n))
        return rng.gamma(2.0, 1.5, n)
    return rng.normal(0.0, 3.0, n)


def survival_labels(loss, n, rng):
    """Survival labels: AFT bounds (observed, right-, left- and interval-censored rows), or Cox
    ``[time, event]`` columns with about 60% events and a few tied times."""
    t = rng.gamma(2.0, 1.5, n) + 0.05
    if loss.label_columns == 2:
        kind = rng.integers(0, 4, n)
        lower = np.choose(kind, [t, 0.8 * t, np.zeros(n), 0.7 * t])
        upper = np.choose(kind, [t, np.full(n, np.inf), 1.3 * t, 1.5 * t])
        return np.column_stack([lower, upper])
    t = np.where(rng.random(n) < 0.1, np.round(t), t) + 0.5  # some ties
    return np.column_stack([t, (rng.random(n) < 0.6).astype(np.float64)])


def kernel_of(loss):
    """``(loss resolved on a few labels, the name of the fast kernel it names or None)``: a loss
    with an "auto" scale names its kernel once resolved (as the dispatcher resolves it)."""
    fit = loss.resolved(np.linspace(0.5, 3.0, 7)) if loss.has_auto() else loss
    spec = fit.fast_kernel()
    return fit, None if spec is None else spec[0]


def margins_for(loss, n, rng, scale=3.0):
    shape = (n, 3) if loss.task == "multiclass" else (n,)
    if loss.link.name == "identity" and not accepts(loss, -2.0):
        # labels bounded below (squared log error: margins above -1, where the loss is smooth;
        # its tangent below is checked against the references at the extremes)
        return rng.gamma(2.0, scale / 2.0, shape) - 0.5
    return rng.normal(0.0, scale, shape)


def lgb_eval(Xs, ys) -> dict:
    """Validation sets for a LightGBM estimator's ``fit``: ``eval_X``/``eval_y`` where LightGBM
    takes them (4.6+, which deprecates ``eval_set``), else ``eval_set``."""
    from boostobj.adapters._versions import lgb_fit_takes_eval_X

    if lgb_fit_takes_eval_X():
        return {"eval_X": tuple(Xs), "eval_y": tuple(ys)}
    return {"eval_set": list(zip(Xs, ys))}


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


# Harness tests that run a whole command or example end to end, a third of the suite's time:
# `pytest -m "not slow"` leaves them out for a quick loop (CI runs them).
SLOW = {
    "test_bench.py::test_bench_runs_end_to_end_and_writes_json_and_png",
    "test_parity.py::test_cli_table_and_json",
    "test_examples.py::test_dask_example_runs",
}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: an end-to-end harness run (deselect with -m 'not slow')")


def pytest_collection_modifyitems(items):
    for item in items:
        if f"{item.path.name}::{getattr(item, 'originalname', item.name)}" in SLOW:
            item.add_marker(pytest.mark.slow)
