r"""What a constant start needs from the labels, and the exact sums and quantiles it is built on.

A start (``init_score``) or an ``"auto"`` scale asks the labels a few questions: a weighted
quantile, the smallest and largest label, a weighted mean, the summed gradient and hessian at a
constant margin. :class:`Labels` answers them for arrays in memory;
:mod:`boostobj.adapters.dask` answers the same questions for Dask collections with reductions
of bounded size. The losses write their start once, against these questions.

**Exact arithmetic, so that the answer does not depend on how the rows are split.** A float sum
depends on the order of its terms; a quantile found through a running float sum can change
with it, by one label, wherever the running sum lands within rounding of the target. Here every
sum that decides something is exact: each float64 is an integer multiple of
:math:`2^{-1074}`, so a sum of floats is a Python integer in units of :math:`2^{-1126}`
(:func:`exact_sum`, vectorised: a float's 53-bit mantissa is split into two halves whose sums,
grouped by exponent with ``np.bincount``, stay exact integers in float64), and the one rounding
is the last (:func:`to_float`, correctly rounded). With that:

* the **lower weighted** :math:`\alpha`\ **-quantile** of labels :math:`y_i` with weights
  :math:`w_i \ge 0` is the smallest label :math:`v` whose exact cumulative weight
  :math:`W(y \le v)` reaches :math:`t = \mathrm{fl}(\alpha \cdot \mathrm{fl}(W))`, :math:`W` the
  exact total (the largest label if none does: :math:`t` may round above :math:`W`). Without
  weights (or integer weights summing below :math:`2^{53}`) that is what a running float sum
  gives too: ``searchsorted(cumsum(w[order]), alpha * total)``;
* the **weighted mean** is :math:`\mathrm{fl}(\sum w_i y_i) / \mathrm{fl}(\sum w_i)` with both
  sums correctly rounded (``math.fsum``).

Both are therefore the same numbers, bit for bit, whether computed here or by the Dask
reductions over any partitioning. Sums of gradients (the Newton steps of a start) are plain
float sums: those agree up to summation order.
"""

from __future__ import annotations

import math

import numpy as np

#: Sums are integers in units of 2**-_UNIT_EXP (a float64 mantissa times 2**(e - 53), e >= -1073).
_UNIT_EXP = 1126
#: Rows per block of :func:`exact_sum`: a block's half-mantissa sums (< 2**27 each) stay exact
#: integers in float64 below 2**26 rows.
_BLOCK = 1 << 25


def exact_sum(x) -> int:
    """The exact sum of the finite floats ``x``, an integer in units of :math:`2^{-1126}`."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    neg = x < 0
    if not neg.any():
        return exact_group_sums(x)[0]
    return exact_group_sums(x[~neg])[0] - exact_group_sums(-x[neg])[0]


def exact_group_sums(x, groups=None, n_groups: int = 1) -> list[int]:
    """The exact sums (as :func:`exact_sum`) of the finite ``x >= 0`` in each of ``n_groups``
    groups (``groups``: the group of each ``x``, from 0; None: one group)."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if groups is not None:
        keep = x > 0
        x, groups = x[keep], np.asarray(groups, dtype=np.intp)[keep]
    totals = [0] * n_groups
    for start in range(0, x.shape[0], _BLOCK):
        m, e = np.frexp(x[start:start + _BLOCK])  # x = m 2**e, m in [0.5, 1), e >= -1073
        mantissa = m * 2.0 ** 53  # an integer below 2**53, exactly (powers of two scale exactly)
        high = np.floor(mantissa * 2.0 ** -26)
        low = mantissa - high * 2.0 ** 26
        base = int(e.min())  # a zero (e = 0) is counted at mantissa 0
        width = int(e.max()) - base + 1
        slot = (e - base).astype(np.intp)
        if groups is not None:
            slot += groups[start:start + _BLOCK] * width
        highs = np.bincount(slot, weights=high, minlength=n_groups * width)
        lows = np.bincount(slot, weights=low, minlength=n_groups * width)
        for k in np.flatnonzero(highs + lows).tolist():
            group, offset = divmod(k, width)  # mantissa 1 is worth 2**(e - 53) = 2**(shift - 1126)
            totals[group] += ((int(highs[k]) << 26) + int(lows[k])) << (offset + base + 1073)
    return totals


def exact(x: float) -> int:
    """The float ``x`` as an integer in units of :math:`2^{-1126}` (exactly)."""
    num, den = float(x).as_integer_ratio()
    return (num << _UNIT_EXP) // den  # den is a power of two <= 2**1074


def to_float(n: int) -> float:
    """An exact sum (:func:`exact_sum`) correctly rounded to the nearest float."""
    try:
        return n / (1 << _UNIT_EXP)  # Python's int / int is correctly rounded
    except OverflowError:
        return math.inf if n > 0 else -math.inf


def quantile_target(total: int, alpha: float) -> int:
    """The cumulative weight the lower ``alpha``-quantile must reach, ``fl(alpha fl(W))``,
    exactly (``total`` is the exact weight :math:`W`)."""
    return exact(alpha * to_float(total))


def first_reaching(values: np.ndarray, weights: np.ndarray | None, below: int,
                   target: int) -> float | None:
    """The smallest of ``values`` (sorted, with ``weights``, None: all 1) at which ``below``
    (the exact weight of every label under ``values[0]``) plus the exact running weight reaches
    ``target``; None if it never does.

    A float running sum finds the place, and exact sums decide it: the running sum of ``n``
    non-negative terms is within :math:`n\\,2^{-52}` of its total of the exact one, so only the
    labels within that distance of the target are summed exactly.
    """
    rest = target - below
    if values.shape[0] == 0:
        return None
    if rest <= 0:
        return float(values[0])
    n = values.shape[0]
    if weights is None:
        weights = np.ones(n)
    running = np.cumsum(weights)
    goal = to_float(rest)
    slack = (n + 2) * 2.0 ** -51 * max(float(running[-1]), goal)
    first = int(np.searchsorted(running, goal - slack, side="left"))  # exact < rest before it
    last = int(np.searchsorted(running, goal + slack, side="left"))  # exact >= rest from it on
    if first >= n:
        return None
    reached = exact_sum(weights[:first])
    for i in (first + np.flatnonzero(weights[first:min(last, n - 1) + 1] > 0)).tolist():
        reached += exact(weights[i])
        if reached >= rest:
            return float(values[i])
    return None


def weighted_quantile(y, w, alpha: float) -> float:
    """The lower weighted ``alpha``-quantile of the labels ``y`` (weights ``w``, None: all 1),
    a minimiser of the weighted pinball loss (see the module docstring)."""
    y = np.asarray(y, dtype=np.float64)
    order = np.argsort(y, kind="stable")
    values = y[order]
    weights = None if w is None else np.asarray(w, dtype=np.float64)[order]
    total = exact(y.shape[0]) if weights is None else exact_sum(weights)
    found = first_reaching(values, weights, 0, quantile_target(total, alpha))
    return float(values[-1]) if found is None else found


def weighted_mean(y, w) -> float:
    """The weighted mean of ``y`` from correctly rounded sums (see the module docstring)."""
    if w is None:
        return math.fsum(y) / y.shape[0]
    return math.fsum(w * y) / math.fsum(w)


class Labels:
    """Labels ``y`` (float64) and weights ``w`` (None: all 1) in memory, answering what a start
    needs (the Dask reductions answer the same questions: see the module docstring)."""

    def __init__(self, y: np.ndarray, w: np.ndarray | None) -> None:
        self.y, self.w = y, w

    def arrays(self) -> tuple[np.ndarray, np.ndarray | None]:
        """Labels and weights whose weighted loss is the one to start (for starts written on
        arrays)."""
        return self.y, self.w

    def quantile(self, alpha: float) -> float:
        return weighted_quantile(self.y, self.w, alpha)

    def extent(self) -> tuple[float, float]:
        return float(np.min(self.y)), float(np.max(self.y))

    def mean(self) -> float:
        return weighted_mean(self.y, self.w)

    def deviations(self, center: float) -> Labels:
        """The absolute deviations :math:`|y - c|` with the same weights."""
        return Labels(np.abs(self.y - center), self.w)

    def gradient_sums(self, loss, c: float) -> tuple[float, float]:
        """The weighted sums of ``loss``'s gradient and hessian at the constant margin ``c``."""
        return loss.gradient_sums(self.y, self.w, c)
