"""Exact weighted quantiles and means, in memory and by the Dask reductions of bounded size.

The in-memory functions (boostobj.losses.labels) are checked against exact rational arithmetic
(fractions.Fraction); the Dask selection (boostobj.adapters.dask.DaskLabels) against them, bit
for bit, on random labels split into random partitions (the synchronous scheduler: the same
code as a cluster runs; tests/test_dask.py repeats a few cases on a LocalCluster).
"""

import math
from fractions import Fraction
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import boostobj
from boostobj.adapters import as_stored
from boostobj.losses.labels import (
    Labels,
    exact,
    exact_sum,
    to_float,
    weighted_mean,
    weighted_quantile,
)
from boostobj.losses.regression import robust_scale

da = pytest.importorskip("dask.array", reason="dask.array is not installed (pip install boostobj[dask])")
import dask

from boostobj.adapters import dask as bdask

SETTINGS = settings(max_examples=150, deadline=None, print_blob=True, derandomize=True)


@pytest.fixture(autouse=True)
def _synchronous():
    with dask.config.set(scheduler="sync"):
        yield


def _reference_quantile(y, w, alpha):
    """The definition, in exact rational arithmetic: the smallest label whose cumulative weight
    reaches fl(alpha * fl(W)), the largest if none does."""
    w = np.ones(len(y)) if w is None else w
    total = sum(Fraction(float(x)) for x in w)
    target = Fraction(alpha * float(total))
    for v in sorted(set(y.tolist())):
        if sum(Fraction(float(x)) for x, yy in zip(w, y) if yy <= v) >= target:
            return v
    return float(np.max(y))


def _old_quantile(y, w, alpha):
    """The running-float-sum formula the exact one replaced (equal for unit or integer weights)."""
    order = np.argsort(y, kind="stable")
    cw = np.cumsum(np.ones(y.shape[0]) if w is None else w[order])
    return float(y[order][min(int(np.searchsorted(cw, alpha * cw[-1])), y.shape[0] - 1)])


# ---------------------------------------------------------------------- labels and weights
LABEL_POOLS = {
    "continuous": st.floats(-1e3, 1e3, allow_nan=False, width=32),
    "few values": st.sampled_from([-2.0, 0.0, 0.5, 1.0, 3.0]),
    "integers": st.integers(-5, 5).map(float),
    "huge": st.sampled_from([-3e38, -1e30, -1.0, 0.0, 1e-30, 1e-38, 2.5, 1e30, 3e38]),
}
WEIGHT_POOLS = {
    "none": st.none(),
    "continuous": st.floats(0.0, 10.0, width=32),
    "with zeros": st.sampled_from([0.0, 0.0, 0.1, 1.0, 3.0, 1e-7]),
    "integers": st.integers(0, 4).map(float),
    "spread": st.sampled_from([1e-30, 1e-10, 0.3, 1.0, 1e10, 1e30]),
}


@st.composite
def labelled(draw, max_size=60):
    pool = draw(st.sampled_from(sorted(LABEL_POOLS)))
    y = np.array(draw(st.lists(LABEL_POOLS[pool], min_size=1, max_size=max_size)))
    wpool = draw(st.sampled_from(sorted(WEIGHT_POOLS)))
    if wpool == "none":
        w = None
    else:
        w = np.array(draw(st.lists(WEIGHT_POOLS[wpool], min_size=y.shape[0], max_size=y.shape[0])))
        if not w.sum() > 0:
            w[draw(st.integers(0, y.shape[0] - 1))] = 1.0
    alpha = draw(st.sampled_from([0.5, 0.5, 0.01, 0.1, 0.25, 0.75, 0.9, 0.99]))
    # partition edges: empty partitions allowed, one partition to one per label
    cuts = sorted(draw(st.lists(st.integers(0, y.shape[0]), max_size=8)))
    return y, w, alpha, tuple(np.diff([0, *cuts, y.shape[0]]).tolist())


@SETTINGS
@given(labelled())
def test_weighted_quantile_is_the_exact_definition(case):
    y, w, alpha, _ = case
    assert weighted_quantile(y, w, alpha) == _reference_quantile(y, w, alpha)
    if w is None or np.all(w == np.round(w)):  # exact running sums: the old formula agrees
        assert weighted_quantile(y, w, alpha) == _old_quantile(y, w, alpha)


def test_running_float_sums_would_depend_on_the_order():
    # the running float sum of the tied rows' weights rounds differently in another row order,
    # and with it the old formula's total and target: the exact definition does not move
    y = np.array([2.0, 2.0, 0.0, 2.0, 2.0])
    w = np.array([0.1, 0.2, 0.7, 0.1, 0.3])
    order = np.array([3, 4, 0, 1, 2])
    assert _old_quantile(y, w, 0.5) != _old_quantile(y[order], w[order], 0.5)
    assert weighted_quantile(y, w, 0.5) == weighted_quantile(y[order], w[order], 0.5) == \
        _reference_quantile(y, w, 0.5) == 0.0


def test_exact_sums():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1e3, 500), [5e-324, -5e-324, 1e308, -1e308, 0.0, -0.0]])
    assert exact_sum(x) == sum(exact(v) for v in x.tolist())
    assert to_float(exact_sum(x)) == math.fsum(x)
    assert to_float(exact_sum([1e308, 1e308])) == math.inf
    y, w = rng.normal(size=300), rng.uniform(size=300)
    assert weighted_mean(y, w) == float(Fraction(math.fsum(w * y)) / Fraction(math.fsum(w)))
    assert weighted_mean(y, None) == math.fsum(y) / 300


# ---------------------------------------------------------------------- Dask: bit-identical
def _collections(y, w, sizes):
    sizes = tuple(sizes) or (0,)
    dy = da.from_array(y, chunks=(sizes,))
    return dy, None if w is None else da.from_array(w, chunks=(sizes,))


@SETTINGS
@given(labelled())
def test_dask_quantile_and_robust_scale_are_bit_identical(case):
    y, w, alpha, sizes = case
    ys, ws = as_stored(y, w)
    labels = bdask.DaskLabels(*_collections(y, w, sizes))
    assert labels.quantile(alpha) == weighted_quantile(ys, ws, alpha)
    assert labels.mean() == weighted_mean(ys, ws)
    for loss in (boostobj.PseudoHuberLoss(), boostobj.LogCoshLoss(), boostobj.WelschLoss(),
                 boostobj.SmoothQuantileLoss(alpha=0.3)):
        fit = bdask.resolved(loss, *_collections(y, w, sizes))
        assert fit == loss.resolved(ys, ws)
    assert robust_scale(ys, ws) == bdask.resolved(boostobj.CauchyLoss(),
                                                  *_collections(y, w, sizes)).scale


@SETTINGS
@given(labelled(max_size=200), st.sampled_from([(3, 1), (4, 2), (16, 5)]))
def test_dask_quantile_with_few_bins_many_rounds(case, sizes):
    # B and m small: many bracketing rounds, ambiguous bins and the exact fallback
    y, w, alpha, parts = case
    ys, ws = as_stored(y, w)
    with mock.patch.object(bdask, "QUANTILE_BINS", sizes[0]), \
            mock.patch.object(bdask, "QUANTILE_FETCH", sizes[1]):
        labels = bdask.DaskLabels(*_collections(y, w, parts))
        assert labels.quantile(alpha) == weighted_quantile(ys, ws, alpha)
        assert labels.deviations(0.5).quantile(0.5) == weighted_quantile(np.abs(ys - 0.5), ws, 0.5)


@pytest.mark.parametrize("y, w", [
    ([0.0, 1.0, 2.0, 4.0], [0.1, 5e8, 5e8, 0.1]),
    ([0.0, 0.0, 0.0, 0.0, 5.0, 4.0, 3.0, 2.0], [0.1, 3e9, 3e9, 3e9, 3e9, 3e9, 3e9, 0.1]),
])
def test_dask_quantile_decides_within_rounding_exactly(y, w):
    # the cumulative weight meets the target within float rounding (weights 30 bits apart):
    # float bin sums cannot tell the bins apart, the exact sums do
    y, w = np.array(y), np.array(w)
    ys, ws = as_stored(y, w)
    with mock.patch.object(bdask, "QUANTILE_BINS", 64), mock.patch.object(bdask, "QUANTILE_FETCH", 1):
        got = bdask.DaskLabels(da.from_array(y, chunks=2), da.from_array(w, chunks=2)).quantile(0.5)
    assert got == weighted_quantile(ys, ws, 0.5) == _reference_quantile(ys, ws, 0.5) == 2.0


def test_dask_quantile_separates_adjacent_floats():
    # float64 labels one ulp apart (the deviations of a MAD could be): two bins, both open to
    # float rounding, are decided by exact sums (without that, the bracket never narrowed)
    a, b = 1.0, np.nextafter(1.0, 2.0)
    rng = np.random.default_rng(0)
    as_is = (lambda y, w=None: (np.asarray(y, dtype=float),
                                None if w is None else np.asarray(w, dtype=float)))
    with mock.patch.object(bdask, "as_stored", as_is), mock.patch.object(bdask, "QUANTILE_FETCH", 1):
        for _ in range(300):
            y = rng.choice([a, b], 12)
            w = rng.choice([0.1, 3e9, 1e-3, 0.7, 3e9 + 0.5], 12)
            labels = bdask.DaskLabels(da.from_array(y, chunks=3), da.from_array(w, chunks=3))
            assert labels.quantile(0.5) == weighted_quantile(y, w, 0.5)


@pytest.mark.parametrize("n_parts", [1, 3, 40])
def test_dask_quantile_heavy_ties_zero_weights_and_large_values(n_parts):
    rng = np.random.default_rng(n_parts)
    n = 20_000
    cases = {
        "ties at the median": np.where(rng.uniform(size=n) < 0.6, 7.0, rng.normal(size=n)),
        "zero-inflated": np.where(rng.uniform(size=n) < 0.9, 0.0, rng.exponential(size=n)),
        "large": rng.choice([-3e38, -1.0, 0.0, 1e-38, 3e38], n) * rng.uniform(0.5, 1.0, n),
        "integers": rng.integers(-3, 4, n).astype(float),
        "continuous": rng.standard_cauchy(n),
    }
    weights = {"none": None, "zeros": np.where(rng.uniform(size=n) < 0.5, 0.0, rng.uniform(size=n)),
               "integers": rng.integers(0, 5, n).astype(float)}
    for y in cases.values():
        for w in weights.values():
            ys, ws = as_stored(y, w)
            dy, dw = da.from_array(y, chunks=-(-n // n_parts)), None if w is None else da.from_array(w, chunks=-(-n // n_parts))
            for alpha in (0.5, 0.05, 0.95):
                labels = bdask.DaskLabels(dy, dw)
                assert labels.quantile(alpha) == weighted_quantile(ys, ws, alpha)
            assert bdask.resolved(boostobj.PseudoHuberLoss(), dy, dw) == \
                boostobj.PseudoHuberLoss().resolved(ys, ws)


@pytest.mark.parametrize("loss", [boostobj.QuantileLoss(alpha=0.3), boostobj.SquaredErrorLoss(),
                                  boostobj.PoissonLoss(), boostobj.ExpectileLoss(tau=0.7),
                                  boostobj.SmoothQuantileLoss(alpha=0.8)], ids=repr)
def test_dask_starts_from_quantiles_and_means_are_bit_identical(loss):
    rng = np.random.default_rng(5)
    y = rng.gamma(2.0, 3.0, 5000)
    w = rng.uniform(0, 2, 5000)
    ys, ws = as_stored(y, w)
    got = bdask.init_score(loss, da.from_array(y, chunks=700), da.from_array(w, chunks=700))
    if isinstance(loss, (boostobj.ExpectileLoss, boostobj.SmoothQuantileLoss)):  # Newton sums
        assert got == pytest.approx(loss.init_score(ys, ws), rel=1e-12)
    else:
        assert got == loss.init_score(ys, ws)


def test_dask_quantile_reaches_the_client_in_bounded_size():
    # 200,000 continuous labels: the distinct-label reduction sends 400,000 numbers; the
    # selection at most 4 B + 2 per round and 2 m in the fetch
    rng = np.random.default_rng(0)
    n = 200_000
    y, w = rng.normal(5.0, 1.0, n), rng.uniform(0, 2, n)
    dy, dw = da.from_array(y, chunks=25_000), da.from_array(w, chunks=25_000)
    labels = bdask.DaskLabels(dy, dw)
    assert labels.quantile(0.5) == weighted_quantile(*as_stored(y, w), 0.5)
    b, m = bdask.QUANTILE_BINS, bdask.QUANTILE_FETCH
    assert labels.rounds <= 9  # at most 8 histogram rounds (64-bit keys, >= 9 bits each) + fetch
    assert labels.received <= labels.rounds * (4 * b + 2) + 2 * m + 1
    assert labels.received < 0.1 * sum(np.size(x) for x in bdask.label_totals(dy, dw))
    # the start of a robust loss: the median, then one reduction of two sums per Newton step
    dask_labels = bdask.DaskLabels(dy, dw, loss=boostobj.PseudoHuberLoss(delta=1.0))
    start = boostobj.PseudoHuberLoss(delta=1.0).constant_start(dask_labels)
    assert start == pytest.approx(boostobj.PseudoHuberLoss(delta=1.0).init_score(*as_stored(y, w)),
                                  rel=1e-12)
    assert dask_labels.rounds <= 20  # extent, median (<= 9), Newton steps (measured 11 in all)
    assert dask_labels.received <= dask_labels.rounds * (4 * b + 2) + 2 * m + 1


def test_dask_quantile_worst_case_rounds():
    # labels crowded at one value with neighbours one float apart, and outliers at both ends
    # of the float range: the bracket must close in on single floats
    center = np.float32(1.0)
    near = np.nextafter(center, np.float32(2.0), dtype=np.float32)
    y = np.array([-3e38, *([center] * 50), *([near] * 49), 3e38] * 60, dtype=np.float64)
    dy = da.from_array(y, chunks=1000)
    for alpha in (0.5, 0.51, 0.505):
        labels = bdask.DaskLabels(dy)
        assert labels.quantile(alpha) == weighted_quantile(y, None, alpha)
        assert labels.rounds <= 9


def test_dask_labels_refuse_bad_input():
    with pytest.raises(ValueError, match="empty"):
        bdask.DaskLabels(da.from_array(np.array([]), chunks=1)).quantile(0.5)
    with pytest.raises(ValueError, match="sums to 0"):
        bdask.DaskLabels(da.from_array(np.array([1.0, 2.0]), chunks=1),
                         da.zeros(2, chunks=1)).quantile(0.5)
    with pytest.raises(ValueError, match="NaN or inf"):
        bdask.resolved(boostobj.PseudoHuberLoss(), da.from_array(np.array([1.0, np.nan]), chunks=1))
    with pytest.raises(ValueError, match="PoissonLoss labels must be finite and >= 0"):
        bdask.init_score(boostobj.PoissonLoss(), da.from_array(np.array([1.0, -1.0]), chunks=1))


@pytest.mark.parametrize("loss", [boostobj.PseudoHuberLoss(), boostobj.LogCoshLoss(),
                                  boostobj.CauchyLoss(), boostobj.FairLoss()], ids=repr)
def test_start_solve_takes_few_gradient_sums(loss):
    # each summed gradient is one Dask round: the IRLS weights alone converge linearly (66
    # sums for pseudo-Huber here), and a converged step rounding onto the bracket used to
    # bisect far away from the root (71 sums on skewed labels)
    rng = np.random.default_rng(0)
    y, w = rng.lognormal(0.0, 2.0, 20_000), rng.uniform(0.0, 2.0, 20_000)
    fit = loss.resolved(y, w)
    labels = Labels(y, w)
    calls = []
    with mock.patch.object(Labels, "gradient_sums", lambda self, lo, c: calls.append(c) or
                           lo.gradient_sums(self.y, self.w, c)):
        start = fit.constant_start(labels)
    assert len(calls) <= 16
    g = fit.gradient(y, np.full(y.shape, start), w).sum()
    h = fit.gradient_hessian(y, np.full(y.shape, start), w)[1].sum()
    assert abs(g) <= 1e-9 * h * max(1.0, abs(start))
