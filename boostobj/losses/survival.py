r"""Survival objectives: Cox proportional hazards and accelerated failure time (AFT).

Both model a positive time :math:`T` through the raw margin :math:`m` on the log link
(``link.inverse(m) = exp(m)``), with task ``"survival"``:

* :class:`CoxPHLoss`: :math:`m` is a log hazard ratio; ``exp(m)`` is a relative risk (a higher
  margin means an earlier event). The loss is the negative log partial likelihood, which couples
  the rows through their risk sets (``couples_rows = True``: the gradient of one row depends on
  every other row, and sample weights enter inside the risk sums, not as a factor outside).
* :class:`AFTLoss`: :math:`\log T = m + \sigma Z`; ``exp(m)`` is a predicted time (a higher
  margin means a later event). The loss is the negative log-likelihood of the censored label,
  row by row.

:func:`concordance_index` is Harrell's C of a risk score, in :math:`O(n \log n)`.

Labels
------
Cox: XGBoost's signed times (``t > 0`` an event at ``t``, ``t < 0`` censored at ``|t|``), or a
2-column array ``[time, event]`` (``event`` 1 observed, 0 right-censored). AFT: a 2-column array
``[lower, upper]`` of bounds on the time (XGBoost's ``label_lower_bound`` /
``label_upper_bound``). ``check_labels`` returns the 2-column form, which every method also
accepts.

Everything here is float64 numpy (and ``scipy.special``); no boosting library is imported.

References (cited by author and year)
-------------------------------------
* D. R. Cox, "Regression models and life-tables", J. R. Stat. Soc. B 34 (1972).
* N. Breslow, "Covariance analysis of censored survival data", Biometrics 30 (1974).
* B. Efron, "The efficiency of Cox's likelihood function for censored data", J. Am.
  Stat. Assoc. 72 (1977).
* A. Barnwal, H. Cho, T. Hocking, "Survival regression with accelerated failure time
  model in XGBoost", J. Comput. Graph. Stat. 31 (2022), arXiv:2006.04920.
* F. E. Harrell et al., "Evaluating the yield of medical tests", JAMA 247 (1982).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erfcx, expit, log_ndtr

from .._validation import as_float_array, check_weights
from ..links import LogLink
from ._base import Loss, newton_root, real_number

__all__ = ["AFTLoss", "CoxPHLoss", "aft_labels", "concordance_index", "cox_labels",
           "event_bounds"]

_NEG_INF = -np.inf


# =====================================================================================
# labels
# =====================================================================================
def _numeric(y_true, name: str = "y_true") -> np.ndarray:
    arr = np.asarray(y_true)
    if arr.ndim == 2 and arr.shape[1] == 2:
        return as_float_array(arr, name, ndim=2)
    return as_float_array(arr, name, ndim=1)


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask.reshape(mask.shape[0], -1).any(axis=1))[0])


def cox_labels(y_true) -> np.ndarray:
    """Cox labels as an ``(n, 2)`` float64 array ``[time, event]`` (event 1.0 or 0.0).

    Accepts XGBoost's signed times (1-D, or ``(n, 1)``): ``t > 0`` is an event at time ``t``,
    ``t < 0`` a right-censored time ``|t|``; or a 2-column ``[time, event]`` array with ``event``
    1 (observed) or 0 (censored) and ``time > 0``. Refused, with the index of the first bad row:
    NaN or infinite times, a time of 0 (the signed form cannot tell an event at 0 from a
    censoring at 0; in either form, only the order of the times matters to the partial
    likelihood, so shifting every time by a constant changes nothing), negative times in the
    2-column form, and events other than 0 or 1.
    """
    y = _numeric(y_true)
    if y.ndim == 1:
        bad = ~np.isfinite(y) | (y == 0)
        if bad.any():
            i = _first_bad(bad)
            raise ValueError(
                f"Cox labels (XGBoost's signed times: t > 0 an event at t, t < 0 censored at |t|)"
                f" must be finite and nonzero, got {float(y[i])!r} at index {i}; a time of 0 is "
                "ambiguous (event or censored?): pass [time, event] columns, with times > 0 "
                "(only their order matters: add a constant to every time)"
            )
        return np.column_stack([np.abs(y), (y > 0).astype(np.float64)])
    time, event = y[:, 0], y[:, 1]
    bad = ~np.isfinite(time) | ~(time > 0)
    if bad.any():
        i = _first_bad(bad)
        raise ValueError(
            f"Cox labels [time, event]: times must be finite and > 0, got {float(time[i])!r} at "
            f"index {i} (only their order matters: add a constant to every time)"
        )
    bad = ~((event == 0) | (event == 1))
    if bad.any():
        i = _first_bad(bad)
        raise ValueError(
            f"Cox labels [time, event]: event must be 1 (observed) or 0 (censored), got "
            f"{float(event[i])!r} at index {i}"
        )
    return np.column_stack([time, event])


def aft_labels(y_true) -> np.ndarray:
    """AFT labels as an ``(n, 2)`` float64 array ``[lower, upper]`` of bounds on the time.

    ``lower == upper`` is an observed time, ``upper = inf`` right censoring (``T > lower``),
    ``lower = 0`` left censoring (``T < upper``), ``0 < lower < upper < inf`` interval
    censoring; ``[0, inf]`` carries no information (loss 0). Refused, with the index of the first
    bad row: NaN, a negative or infinite lower bound, an upper bound of 0 or below, and
    ``lower > upper``.
    """
    arr = np.asarray(y_true)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(
            f"AFT labels must be a 2-column array [lower, upper] of bounds on the time "
            f"(upper = inf: right-censored, lower = 0: left-censored, lower == upper: observed), "
            f"got shape {arr.shape}"
        )
    y = as_float_array(arr, "y_true", ndim=2)
    lo, up = y[:, 0], y[:, 1]
    checks = [
        (np.isnan(y).any(axis=1), "contains NaN"),
        (~np.isfinite(lo) | (lo < 0), "lower bounds must be finite and >= 0"),
        (~(up > 0), "upper bounds must be > 0 (inf for right censoring)"),
        (lo > up, "lower must be <= upper"),
    ]
    for bad, what in checks:
        if bad.any():
            i = _first_bad(bad)
            raise ValueError(f"AFT labels [lower, upper]: {what}, got [{lo[i]!r}, {up[i]!r}] at "
                             f"index {i}")
    return y


def event_bounds(y_true) -> np.ndarray:
    """AFT bounds ``[lower, upper]`` of right-censored data given as Cox labels (signed times or
    ``[time, event]``, see :func:`cox_labels`): ``[t, t]`` for an event at ``t``, ``[t, inf]``
    for a censoring at ``t``."""
    y = cox_labels(y_true)
    return np.column_stack([y[:, 0], np.where(y[:, 1] > 0, y[:, 0], np.inf)])


# =====================================================================================
# log-sum-exp accumulations
# =====================================================================================
#: Below this, a shifted cumulative sum may have lost terms to underflow: use logaddexp.
_TINY = 1e-250


def _log_cumsum_exp(x: np.ndarray, reverse: bool = False) -> np.ndarray:
    """``log(cumsum(exp(x)))`` (or of the reversed cumulative sum), without overflow.

    The cumulative sum of ``exp(x - max(x))`` (as accurate as a plain cumulative sum of positive
    terms) wherever it is above :data:`_TINY`; elsewhere, where terms of the shift may have
    underflowed, ``np.logaddexp.accumulate`` (its error grows like ``eps * |log sum|`` per step,
    so it is used only where needed). ``-inf`` entries are zero terms.
    """
    if x.size == 0:
        return x.copy()
    seq = x[::-1] if reverse else x
    top = np.max(seq)
    if top == _NEG_INF:
        return np.full_like(x, _NEG_INF)
    with np.errstate(divide="ignore", under="ignore"):
        c = np.cumsum(np.exp(seq - top))
        out = top + np.log(c)
    low = c < _TINY
    if low.any():
        out = np.where(low, np.logaddexp.accumulate(seq), out)
    return out[::-1] if reverse else out


def _segment_logsumexp(x: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``log(sum(exp(x)))`` over the contiguous segments of ``x`` beginning at ``starts``."""
    top = np.maximum.reduceat(x, starts)
    safe = np.where(np.isfinite(top), top, 0.0)
    seg = np.repeat(np.arange(starts.size), np.diff(np.append(starts, x.size)))
    with np.errstate(divide="ignore", under="ignore"):
        return safe + np.log(np.add.reduceat(np.exp(x - safe[seg]), starts))


# =====================================================================================
# Cox
# =====================================================================================
#: Infinite margins (a diverged model) are taken at this size: twice it stays finite, and every
#: other term of a risk set containing it vanishes beside it, so the results are the limits.
_MARGIN_LIMIT = 1e300


def _cox_terms(y: np.ndarray, m: np.ndarray, w: np.ndarray | None, efron: bool):
    """Per-row negative log partial likelihood terms, gradient and exact hessian diagonal of
    the weighted partial likelihood (see :class:`CoxPHLoss`), in the rows' order. (Logs of
    zero weights are -inf; where a time's whole risk set has weight 0, ``-inf - -inf`` is
    computed and then masked: no warning.)"""
    m = np.clip(m, -_MARGIN_LIMIT, _MARGIN_LIMIT)  # an infinite margin: its limit, not NaN
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        return _cox_rows(y, m, w, efron)


def _cox_rows(y, m, w, efron):
    n = m.shape[0]
    if n == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    order = np.argsort(y[:, 0], kind="stable")
    ts = y[order, 0]
    ws = np.ones(n) if w is None else w[order]
    ms = m[order]
    ds = (y[order, 1] > 0) & (ws > 0)  # a zero-weight row is a row absent
    with np.errstate(divide="ignore"):
        lw = np.log(ws)
    lwm = lw + ms  # log(w e^m), -inf at weight 0

    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(ts[1:], ts[:-1], out=new[1:])
    first = np.flatnonzero(new)  # the first row of each distinct time
    gid = np.cumsum(new) - 1  # the distinct time (group) of each sorted row
    n_groups = first.size
    log_s = _log_cumsum_exp(lwm, reverse=True)[first]  # log of the risk-set sum at each time
    wd = np.bincount(gid, weights=np.where(ds, ws, 0.0), minlength=n_groups)  # event weight
    with np.errstate(divide="ignore"):
        log_wd = np.log(wd)
    has = wd > 0

    if not efron:  # Breslow: every event at a time shares that time's risk set
        la = np.where(has, log_wd - log_s, _NEG_INF)
        lb = np.where(has, log_wd - 2.0 * log_s, _NEG_INF)
        la_own, lb_own, mean_log_x = la, lb, log_s
    else:
        # Efron: the r-th of the d events at a time (r = 0..d-1) sees the risk set minus r/d
        # of that time's events, X_r = S - (r/d) D; weights enter as the mean event weight
        count = np.bincount(gid, weights=ds, minlength=n_groups).astype(np.int64)
        log_d = _segment_logsumexp(np.where(ds, lwm, _NEG_INF), first)
        gg = np.repeat(np.arange(n_groups), count)  # one entry per (time, r)
        r = np.arange(gg.size) - np.repeat(np.cumsum(count) - count, count)
        frac = r / count[gg]
        with np.errstate(divide="ignore", under="ignore"):
            log_x = log_s[gg] + np.log1p(-frac * np.exp(log_d[gg] - log_s[gg]))
            log_1mf = np.log1p(-frac)
        pstart = (np.cumsum(count) - count)[has]
        log_wbar = (log_wd - np.log(np.maximum(count, 1)))[has]
        la = np.full(n_groups, _NEG_INF)
        lb = la.copy()
        la_own = la.copy()
        lb_own = la.copy()
        mean_log_x = np.zeros(n_groups)
        if pstart.size:
            la[has] = log_wbar + _segment_logsumexp(-log_x, pstart)
            lb[has] = log_wbar + _segment_logsumexp(-2.0 * log_x, pstart)
            la_own[has] = log_wbar + _segment_logsumexp(log_1mf - log_x, pstart)
            lb_own[has] = log_wbar + _segment_logsumexp(2.0 * (log_1mf - log_x), pstart)
            mean_log_x[has] = np.add.reduceat(log_x, pstart) / count[has]

    # A_i, B_i: sums over the event times t <= T_i of (event weight) / S and / S^2 (Efron: the
    # row's own time with its own factors); every term has w_i e^{m_i} <= S, so nothing overflows
    cum_a = _log_cumsum_exp(la)
    cum_b = _log_cumsum_exp(lb)
    before_a = np.concatenate(([_NEG_INF], cum_a[:-1]))[gid]
    before_b = np.concatenate(([_NEG_INF], cum_b[:-1]))[gid]
    log_a = np.logaddexp(before_a, np.where(ds, la_own[gid], la[gid]))
    log_b = np.logaddexp(before_b, np.where(ds, lb_own[gid], lb[gid]))
    with np.errstate(under="ignore"):
        e1 = np.exp(lwm + log_a)  # w_i e^{m_i} A_i
        e2 = np.exp(2.0 * lwm + log_b)  # (w_i e^{m_i})^2 B_i
    dw = np.where(ds, ws, 0.0)
    g = e1 - dw
    h = np.maximum(e1 - e2, 0.0)
    lo = np.where(ds, ws * (mean_log_x[gid] - np.where(ds, ms, 0.0)), 0.0)

    out = np.empty((3, n))
    out[0, order], out[1, order], out[2, order] = lo, g, h
    return out[0], out[1], out[2]


class CoxPHLoss(Loss):
    r"""Cox proportional hazards: the negative log partial likelihood of the margin as a log
    hazard ratio, the objective of XGBoost's ``survival:cox`` (Cox 1972).

    With times :math:`T_i`, event indicators :math:`\delta_i`, sample weights :math:`w_i`
    (1 without weights) and margins :math:`m_i`, the risk-set sum at time :math:`t` is
    :math:`S(t) = \sum_{j: T_j \ge t} w_j e^{m_j}`, and with Breslow's handling of tied times
    (Breslow 1974; every event at a time shares that time's risk set)

    .. math::
        L = \sum_i w_i \delta_i \left(\log S(T_i) - m_i\right),\qquad
        \frac{\partial L}{\partial m_i} = w_i e^{m_i} A_i - w_i \delta_i,\qquad
        \frac{\partial^2 L}{\partial m_i^2} = w_i e^{m_i} A_i - w_i^2 e^{2 m_i} B_i,

    .. math::
        A_i = \sum_{k:\, T_k \le T_i} \frac{w_k \delta_k}{S(T_k)},\qquad
        B_i = \sum_{k:\, T_k \le T_i} \frac{w_k \delta_k}{S(T_k)^2}.

    This is the **weighted partial likelihood** (R's ``coxph(weights=)``, lifelines): a weight
    multiplies a row's :math:`e^{m}` in every risk set it belongs to and its own event term, so
    an integer weight is the same as repeating the row. It is *not* the unweighted gradient
    times :math:`w_i`, which is why the class says ``couples_rows = True``: the dispatcher must
    hand the weights to :meth:`gradient_hessian` (or :meth:`float64_gradient_hessian`) instead of
    multiplying afterwards, and a caller that hands an objective blocks of rows cannot be
    served (the adapters refuse it).

    The hessian diagonal is never negative: row :math:`i` belongs to every risk set it is
    summed over, so :math:`p = w_i e^{m_i} / S(T_k) \le 1` and each term is
    :math:`w_k \delta_k\, p (1 - p) \ge 0`. It is 0 where the row is alone in all its risk
    sets (the last time) or precedes every event; the libraries receive it floored at
    :data:`~boostobj.HESSIAN_FLOOR`. Computed as a difference, it loses relative precision
    where :math:`p \to 1`.

    ``ties="efron"`` (Efron 1977): at a time with :math:`d` events whose :math:`w e^{m}` sum to
    :math:`D` and whose weights average :math:`\bar w`, the event term is
    :math:`\bar w \sum_{r=0}^{d-1} \log(S - \tfrac{r}{d} D)` (R's ``coxph`` weighting of tied
    events); each event row carries :math:`w_i\,(\tfrac1d \sum_r \log(S - \tfrac rd D) - m_i)`.
    Gradient and hessian are exact derivatives of that (an event row's own time enters through
    :math:`1 - r/d`). Without tied event times both are Breslow. With weights, Efron's is not
    the same as repeating rows (a repeated event row is a tie), as in R.

    Labels (:func:`cox_labels`): XGBoost's signed times, or ``[time, event]`` columns; times
    must be > 0. The margin is a log relative risk: ``link.inverse`` gives :math:`e^m`, what
    XGBoost's ``survival:cox`` predicts. ``init_score`` is 0: the partial likelihood is
    invariant to adding a constant to every margin, so no constant is better than another
    (XGBoost 3.2.0's ``survival:cox`` starts from ``base_score = 1``, the margin 0, as well).

    **Loss and metric.** :meth:`loss` gives the per-row terms above (0 for censored rows, the
    weights included), whose sum is the negative log partial likelihood; :meth:`mean_loss` and
    the metric divide it by the weighted number of events :math:`\sum_i w_i \delta_i`. XGBoost
    3.2.0's ``cox-nloglik`` is the same per-event mean without weights (measured: equal to
    2e-10, its predictions being float32), but it ignores the weights. With no events there is
    nothing to fit: gradient and hessian are 0 and the mean loss is refused.

    **Numerics.** One stable sort by time, then cumulative sums: :math:`O(n \log n)`, no
    :math:`O(n^2)` term and no Python loop over rows (about 0.6 s for a million rows). All sums are taken as log-sum-exp
    (shifted cumulative sums, ``np.logaddexp.accumulate`` where a shift underflows), so margins
    of :math:`\pm 10^4` neither overflow nor underflow; an infinite margin (a diverged model) is
    taken as :math:`\pm 10^{300}`, which gives the limits of gradient and hessian, never NaN.

    **XGBoost (3.2.0, measured).** Without tied times and without weights, the gradient and
    hessian are XGBoost's ``survival:cox`` ones (``CoxRegression::GetGradient`` in
    ``src/objective/regression_obj.cu``): the trees agree to float32 precision. They differ by
    design:

    * *tied times*: XGBoost's risk set is Breslow's, but it accumulates :math:`A_i`, :math:`B_i`
      in its row order (a stable sort by ``|label|``), so among rows with the same time only
      the events at or before row :math:`i` in the data's order enter row :math:`i`'s sums: its
      gradient depends on the order of the rows and is not the derivative of any loss. Here
      every event at :math:`T_k \le T_i` enters (the exact derivative of Breslow's loss).
    * *weights*: XGBoost multiplies the unweighted gradient and hessian by :math:`w_i`
      (unweighted risk sets); here the weights are inside the partial likelihood.
    * it computes :math:`e^{m}` and :math:`e^{2m}` unshifted: a single margin of 356 or more
      makes every prediction NaN after the next round (measured); here margins of
      :math:`\pm 10^4` are fine.

    Measured on 300 rows (4 features, 10 rounds of depth-3 trees, ``base_score`` 1 and 0):
    without ties or weights the margins agree to 3.6e-7 (float32 rounding, margins up to 3.8;
    Efron gives the same without ties); with the times rounded to 20 distinct values they
    differ by up to 2.3, with weights in [0.5, 2] by up to 0.29. A transcription of XGBoost's
    loop reproduces its built-in on tied, weighted data to 3.6e-7 (tests/test_survival.py).
    Over 100 rounds of depth-6 trees (the parity harness, 442 untied times) the float32
    rounding grows until a near-tie split flips: 1.8e-7 at 10 rounds, 4e-6 at 30, 0.46 at 100.

    **CatBoost (1.2.10, measured).** Its built-in ``Cox`` (labels: signed times) is the same
    Breslow partial likelihood in float64: without tied times or weights, models from the same
    start agree to 1.7e-13 in the margin (the parity harness, 20 rounds). It ignores sample
    weights (a custom objective handing it the unweighted derivatives reproduces it on weighted
    data to 1e-16). CatBoost calls a Python objective on blocks of about 500 rows, so this loss
    cannot train there (refused, naming ``Cox``).

    Parameters
    ----------
    ties : {"breslow", "efron"}, default="breslow"
        The handling of tied event times. ``"breslow"`` is XGBoost's.
    """

    name = "coxph"
    task = "survival"
    link = LogLink()
    #: The rows are coupled through the risk sets: weights are applied inside
    #: :meth:`gradient_hessian`, and per-block callers cannot be served.
    couples_rows = True

    def __init__(self, *, ties: str = "breslow") -> None:
        if ties not in ("breslow", "efron"):
            raise ValueError(f"ties must be 'breslow' or 'efron', got {ties!r}")
        self.ties = ties
        super().__init__()

    # ------------------------------------------------------------------ labels
    def check_labels(self, y_true) -> np.ndarray:
        """``[time, event]`` columns (see :func:`cox_labels`)."""
        return cox_labels(y_true)

    def check_label_values(self, y):
        cox_labels(y)

    # ------------------------------------------------------------------ kernels
    def _loss(self, y, z, w=None):
        return _cox_terms(y, np.asarray(z, dtype=np.float64), w, self.ties == "efron")[0]

    def _gradient_hessian(self, y, z, w=None):
        """Gradient and hessian of the *weighted* partial likelihood (weights inside)."""
        _, g, h = _cox_terms(y, np.asarray(z, dtype=np.float64), w, self.ties == "efron")
        return g, h

    def float64_gradient_hessian(self, y, z, w=None):
        """Gradient and hessian of the weighted partial likelihood, the weights ``w`` (None:
        unweighted) applied inside the risk sums (``couples_rows``); unfloored."""
        return self._gradient_hessian(y, z, w)

    def stored_labels(self, y_true):
        """Signed times (``t`` for an event at ``t``, ``-t`` for a censoring at ``t``), the one
        column that holds a Cox label (XGBoost's form), from either label form."""
        y = cox_labels(y_true)
        return np.where(y[:, 1] > 0, y[:, 0], -y[:, 0])

    def constant_start(self, labels):
        """0: the partial likelihood does not change when every margin moves by a constant."""
        return 0.0

    # ------------------------------------------------------------------ public math
    def loss(self, y_true, raw_prediction, sample_weight=None) -> np.ndarray:
        """Per-row terms of the weighted negative log partial likelihood (weights included,
        0 for censored rows); their sum is the loss."""
        y, z, w = self._prepare(y_true, raw_prediction, sample_weight)
        return self._loss(y, z, w)

    def gradient_hessian(self, y_true, raw_prediction, sample_weight=None):
        """Gradient and exact hessian diagonal of the weighted negative log partial likelihood
        with respect to every margin, the weights applied inside the risk sums (not a factor
        on the unweighted ones: see the class docstring). This is what a library must receive."""
        y, z, w = self._prepare(y_true, raw_prediction, sample_weight)
        return self._gradient_hessian(y, z, w)

    def loss_sums(self, y_true, raw_prediction, sample_weight=None) -> tuple[float, float]:
        """``(negative log partial likelihood, weighted number of events)`` over all the rows
        together (the risk sets need every row: not additive over parts of the data)."""
        y, z, w = self._prepare(y_true, raw_prediction, sample_weight)
        if y.shape[0] == 0:
            return 0.0, 0.0
        terms = self._loss(y, z, w)
        events = y[:, 1] if w is None else y[:, 1] * w
        return math.fsum(terms), math.fsum(events)

    def mean_loss(self, y_true, raw_prediction, sample_weight=None) -> float:
        """The negative log partial likelihood per (weighted) event: the metric's value."""
        total, events = self.loss_sums(y_true, raw_prediction, sample_weight)
        if not events > 0:
            raise ValueError("no events (or only events of weight 0): the partial likelihood is "
                             "empty and its mean per event undefined")
        return total / events

    def weigh(self, arrays, w):
        """Refused with weights: a Cox gradient cannot be weighted after the fact (the weights
        enter the risk sums). A caller holding weights must hand them to
        :meth:`gradient_hessian` (``couples_rows``); without weights, ``arrays`` as they are."""
        if w is None:
            return arrays
        raise ValueError(
            f"{self!r} couples the rows: sample weights enter its risk sums, so its gradient "
            "and hessian cannot be multiplied by the weights afterwards; call "
            "loss.gradient_hessian(y, raw_prediction, sample_weight), which applies them inside "
            "(a caller must honour couples_rows = True)"
        )

    def concordance(self, y_true, raw_prediction, sample_weight=None) -> float:
        """Harrell's C of the margins as risk scores (a higher margin, an earlier event), every
        row's time and event from the labels (:func:`concordance_index`, weights per pair
        ``"product"``)."""
        y, z, w = self._prepare(y_true, raw_prediction, sample_weight)
        return concordance_index(y[:, 0], y[:, 1], z, w)


# =====================================================================================
# AFT: the three distributions of Z
# =====================================================================================
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SQRT_HALF = math.sqrt(0.5)
#: An interval with dz * max(1, |(log f)'|) below this is taken at its midpoint density.
_NARROW = 1e-5
#: Terms of the continued fraction of the normal hazard minus z (for z >= 3: full precision).
_CF_TERMS = 60


def _log1mexp(a):
    """``log(1 - exp(-a))`` for ``a >= 0`` (Maechler's switch at log 2): -inf at 0, 0 at inf."""
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(divide="ignore", under="ignore"):
        small = a < math.log(2.0)
        return np.where(small, np.log(-np.expm1(-np.where(small, a, 1.0))),
                        np.log1p(-np.exp(-np.where(small, 1.0, a))))


def _expm1mx(x):
    """``exp(x) - 1 - x`` without cancellation (series for ``|x| < 0.5``)."""
    x = np.asarray(x, dtype=np.float64)
    small = np.abs(x) < 0.5
    xs = np.where(small, x, 0.0)
    acc = np.full_like(xs, 1.0 / math.factorial(20))
    for k in range(19, 1, -1):  # x^2 sum_{k=2}^{20} x^(k-2) / k! (next term < 1e-26 of x^2/2)
        acc = acc * xs + 1.0 / math.factorial(k)
    acc = acc * xs * xs
    with np.errstate(over="ignore"):
        return np.where(small, acc, np.expm1(np.where(small, 0.0, x)) - x)


def _normal_hazard(z):
    r"""The standard normal hazard :math:`\lambda = \varphi / Q` and its derivative
    :math:`\lambda' = \lambda (\lambda - z)`, with :math:`\lambda - z` accurate for large z
    (Laplace's continued fraction :math:`\lambda - z = 1/(z + 2/(z + 3/(z + \dots)))`)."""
    z = np.asarray(z, dtype=np.float64)
    lam = np.zeros_like(z)
    k = np.zeros_like(z)  # lambda - z
    neg, big = z < 0, z >= 3.0
    mid = ~neg & ~big & np.isfinite(z)
    if neg.any():
        zn = z[neg]
        with np.errstate(under="ignore"):
            lam[neg] = np.exp(-0.5 * zn * zn - _LOG_SQRT_2PI - log_ndtr(-zn))
        k[neg] = lam[neg] - zn
    if mid.any():
        zm = z[mid]
        lam[mid] = _SQRT_2_OVER_PI / erfcx(zm * _SQRT_HALF)
        k[mid] = lam[mid] - zm
    if big.any():
        zb = z[big]
        t = zb.copy()
        with np.errstate(invalid="ignore"):
            for j in range(_CF_TERMS, 1, -1):
                t = zb + j / t
        k[big] = np.where(np.isinf(zb), 0.0, 1.0 / t)
        lam[big] = zb + k[big]
    with np.errstate(invalid="ignore", under="ignore"):
        dlam = np.where(np.isinf(z), np.where(z > 0, 1.0, 0.0), lam * k)
    return lam, dlam


class _Normal:
    name = "normal"
    median = 0.0

    @staticmethod
    def logpdf(z):
        return -0.5 * z * z - _LOG_SQRT_2PI

    @staticmethod
    def dlogpdf(z):
        return -z

    @staticmethod
    def d2logpdf(z):
        return np.full_like(z, -1.0)

    @staticmethod
    def logcdf(z):
        return log_ndtr(z)

    @staticmethod
    def logsf(z):
        return log_ndtr(-z)

    hazard = staticmethod(_normal_hazard)

    @staticmethod
    def rhazard(z):
        rho, drho = _normal_hazard(-z)
        return rho, -drho


class _Logistic:
    name = "logistic"
    median = 0.0

    @staticmethod
    def logpdf(z):
        a = np.abs(z)
        with np.errstate(under="ignore"):
            return -a - 2.0 * np.log1p(np.exp(-a))

    @staticmethod
    def dlogpdf(z):
        return -np.tanh(0.5 * z)

    @staticmethod
    def d2logpdf(z):
        with np.errstate(under="ignore"):
            return -2.0 * expit(z) * expit(-z)

    @staticmethod
    def logcdf(z):
        return -np.logaddexp(0.0, -z)

    @staticmethod
    def logsf(z):
        return -np.logaddexp(0.0, z)

    @staticmethod
    def hazard(z):
        with np.errstate(under="ignore"):
            return expit(z), expit(z) * expit(-z)

    @staticmethod
    def rhazard(z):
        with np.errstate(under="ignore"):
            return expit(-z), -expit(z) * expit(-z)


class _Extreme:
    """The minimum extreme value (Gumbel) distribution: :math:`S(z) = \\exp(-e^z)`."""

    name = "extreme"
    median = math.log(math.log(2.0))

    @staticmethod
    def _a(z):
        with np.errstate(over="ignore", under="ignore"):
            return np.exp(z)

    @staticmethod
    def logpdf(z):
        return np.where(z == np.inf, _NEG_INF, z - _Extreme._a(z))  # inf - inf at z = inf

    @staticmethod
    def dlogpdf(z):
        with np.errstate(over="ignore"):
            return -np.expm1(z)

    @staticmethod
    def d2logpdf(z):
        return -_Extreme._a(z)

    @staticmethod
    def logcdf(z):
        a = _Extreme._a(z)
        # log(1 - exp(-a)) = z + log1p(-a/2 + ...) for tiny a (where a itself underflows)
        far = z < -20.0
        return np.where(far, z - 0.5 * np.where(far, a, 0.0), _log1mexp(a))

    @staticmethod
    def logsf(z):
        return -_Extreme._a(z)

    @staticmethod
    def hazard(z):
        a = _Extreme._a(z)
        return a, a

    @staticmethod
    def rhazard(z):
        # rho = f / F = a / expm1(a); rho' = -rho q(a), q = (e^-a - 1 + a) / (1 - e^-a);
        # z clipped at 700 (rho underflows to 0 from z = 6.6 on): a stays finite
        a = _Extreme._a(np.minimum(z, 700.0))
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            rho = np.where(a == 0.0, 1.0, a / np.expm1(a))
            q = np.where(a == 0.0, 0.0, _expm1mx(-a) / -np.expm1(-a))
            return rho, -rho * q


_DISTRIBUTIONS = {"normal": _Normal, "logistic": _Logistic, "extreme": _Extreme}


def _aft_terms(dist, s: float, y: np.ndarray, m: np.ndarray, want_loss: bool, want_derivs: bool):
    """Per-row loss, gradient and exact hessian of the AFT negative log-likelihood (values
    beyond the float64 range, the extreme value's right tail, are inf without a warning)."""
    with np.errstate(over="ignore", under="ignore"):
        return _aft_rows(dist, s, y, m, want_loss, want_derivs)


def _aft_rows(dist, s, y, m, want_loss, want_derivs):
    n = m.shape[0]
    lo, up = y[:, 0], y[:, 1]
    loss = np.zeros(n) if want_loss else None
    g = np.zeros(n) if want_derivs else None
    h = np.zeros(n) if want_derivs else None
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_lo, log_up = np.log(lo), np.log(up)
        zl = (log_lo - m) / s
        zu = (log_up - m) / s
    has_lo, has_up = lo > 0, np.isfinite(up)
    exact = lo == up
    interval = has_lo & has_up & ~exact
    s2 = s * s
    with np.errstate(invalid="ignore"):
        centre_right = (zl + zu) > 2.0 * dist.median

    # an interval so narrow that F(zu) - F(zl) = f(zmid) dz (1 + O(dz^2 psi^2)) to 1e-11:
    # the midpoint density (the two-tail form would cancel), dz = log1p((u - l) / l) / s
    idx = np.flatnonzero(interval)
    narrow = np.zeros(n, dtype=bool)
    if idx.size:
        dz = np.log1p((up[idx] - lo[idx]) / lo[idx]) / s
        zmid = 0.5 * (zl[idx] + zu[idx])
        slope = np.abs(dist.dlogpdf(zmid))
        with np.errstate(invalid="ignore", over="ignore"):
            close = dz * np.maximum(slope, 1.0) < _NARROW
        idx, dz, zmid = idx[close], dz[close], zmid[close]
        narrow[idx] = True
        if idx.size:
            if want_loss:
                with np.errstate(divide="ignore"):
                    loss[idx] = -dist.logpdf(zmid) - np.log(dz)
            if want_derivs:
                g[idx] = dist.dlogpdf(zmid) / s
                h[idx] = -dist.d2logpdf(zmid) / s2
    right = ~exact & ~narrow & has_lo & (~has_up | centre_right)
    left = ~exact & ~narrow & has_up & (~has_lo | ~centre_right)

    # observed: -log(f(z) / (s y))
    idx = np.flatnonzero(exact)
    if idx.size:
        z = zl[idx]
        if want_loss:
            loss[idx] = -dist.logpdf(z) + math.log(s) + log_lo[idx]
        if want_derivs:
            g[idx] = dist.dlogpdf(z) / s
            h[idx] = -dist.d2logpdf(z) / s2

    # right form: -log S(zl) - log(1 - S(zu)/S(zl)); right censoring is S(zu) = 0
    idx = np.flatnonzero(right)
    if idx.size:
        a = zl[idx]
        b = zu[idx]
        fin = np.isfinite(b)
        lam_l, dlam_l = dist.hazard(a)
        ls_l = dist.logsf(a)
        lam_u, dlam_u, ls_u = np.zeros_like(b), np.zeros_like(b), np.full_like(b, _NEG_INF)
        if fin.any():
            lam_u[fin], dlam_u[fin] = dist.hazard(b[fin])
            ls_u[fin] = dist.logsf(b[fin])
        part = _interval_form(ls_l, ls_u, lam_l, lam_u, dlam_l, dlam_u, -1.0, want_loss,
                              want_derivs)
        _store(idx, part, loss, g, h, s, s2)

    # left form: -log F(zu) - log(1 - F(zl)/F(zu)); left censoring is F(zl) = 0
    idx = np.flatnonzero(left)
    if idx.size:
        b = zu[idx]
        a = zl[idx]
        fin = np.isfinite(a)
        rho_u, drho_u = dist.rhazard(b)
        lf_u = dist.logcdf(b)
        rho_l, drho_l, lf_l = np.zeros_like(a), np.zeros_like(a), np.full_like(a, _NEG_INF)
        if fin.any():
            rho_l[fin], drho_l[fin] = dist.rhazard(a[fin])
            lf_l[fin] = dist.logcdf(a[fin])
        part = _interval_form(lf_u, lf_l, rho_u, rho_l, -drho_u, -drho_l, 1.0, want_loss,
                              want_derivs)
        _store(idx, part, loss, g, h, s, s2)
    # rows [0, inf] carry no information: loss, gradient and hessian 0
    return loss, g, h


def _interval_form(lp, lq, r_p, r_q, dr_p, dr_q, sign, want_loss, want_derivs):
    r"""``-log(P - Q)`` for probabilities ``P > Q`` given as logs, with the derivatives in the
    margin: ``P`` the tail probability at the end that bounds the row (the survival at the lower
    bound, or the CDF at the upper), ``r`` its (reverse) hazard, ``dr`` the hessian of its
    ``-log`` in :math:`\sigma^2` units, ``sign`` the sign of ``dlog(P)/dm`` over ``r/\sigma``.

    With :math:`\Delta = \log P - \log Q` and :math:`E = 1/\mathrm{expm1}(\Delta)`:
    loss :math:`-\log P - \log(1 - e^{-\Delta})`, gradient
    :math:`\mp(r_p + E (r_p - r_q))/\sigma`, hessian
    :math:`(dr_p + E (dr_p - dr_q) + E (1 + E) (r_p - r_q)^2)/\sigma^2`.
    """
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        delta = lp - lq
        delta = np.where(np.isnan(delta), np.inf, delta)  # both -inf: P dominates (overflow)
        e = 1.0 / np.expm1(delta)
        out_loss = -lp - _log1mexp(delta) if want_loss else None
        if not want_derivs:
            return out_loss, None, None
        diff = r_p - r_q
        ed = np.where(e == 0.0, 0.0, e * diff)
        grad = sign * (r_p + ed)
        hess = dr_p + np.where(e == 0.0, 0.0, e * (dr_p - dr_q) + ed * (1.0 + e) * diff)
        return out_loss, grad, np.maximum(hess, 0.0)


def _store(idx, part, loss, g, h, s, s2):
    lo, gr, he = part
    if loss is not None:
        loss[idx] = lo
    if g is not None:
        g[idx] = gr / s
        h[idx] = he / s2


class AFTLoss(Loss):
    r"""Accelerated failure time: the negative log-likelihood of a censored time under
    :math:`\log T = m + \sigma Z`, the objective of XGBoost's ``survival:aft`` (Barnwal, Cho and
    Hocking 2022).

    With :math:`z(t) = (\log t - m) / \sigma`, :math:`f`, :math:`F`, :math:`S = 1 - F` the density,
    CDF and survival function of :math:`Z`, and the label's bounds :math:`[l, u]`:

    ========================  ==================  =====================================
    label                     meaning             loss
    ========================  ==================  =====================================
    ``l == u``                observed at l       :math:`-\log\frac{f(z(l))}{\sigma l}`
    ``u == inf``              right-censored      :math:`-\log S(z(l))`
    ``l == 0``                left-censored       :math:`-\log F(z(u))`
    ``0 < l < u < inf``       interval-censored   :math:`-\log(F(z(u)) - F(z(l)))`
    ``[0, inf]``              no information      0
    ========================  ==================  =====================================

    (the :math:`\log(\sigma l)` of observed rows makes it the log-likelihood of :math:`T` itself,
    as XGBoost's ``aft-nloglik``; it does not depend on the margin, and the loss can be
    negative). ``distribution``: ``"normal"`` (log-normal times), ``"logistic"`` (log-logistic)
    or ``"extreme"`` (the minimum extreme value, :math:`S(z) = \exp(-e^z)`: Weibull times).

    Gradient and hessian are exact. Observed: :math:`(\log f)'(z)/\sigma` and
    :math:`-(\log f)''(z)/\sigma^2`; right-censored: :math:`-\lambda(z_l)/\sigma` and
    :math:`\lambda'(z_l)/\sigma^2` (:math:`\lambda = f/S` the hazard); left-censored:
    :math:`\rho(z_u)/\sigma` and :math:`-\rho'(z_u)/\sigma^2` (:math:`\rho = f/F`); an interval is
    written as the censored term of the tail it lies in times :math:`1 - e^{-\Delta}`, where
    :math:`\Delta` is the log ratio of the two tail probabilities (intervals right of the median
    with :math:`S`, left of it with :math:`F`), so that no probability is ever subtracted from
    another near 1. All three densities are log-concave, so every row's loss is convex in the
    margin and **the exact hessian is never negative**; it can vanish (underflow) far in a tail
    where the row no longer constrains the margin (a right-censored row whose bound is far below
    the prediction), and the libraries receive it floored at :data:`~boostobj.HESSIAN_FLOOR`.
    Rounding may leave an interval row's hessian a few ulps below 0: it is clipped at 0.

    **Numerics.** Logs of tail probabilities by stable forms (``scipy.special.log_ndtr``,
    ``logaddexp``, ``log1p(-exp(-e^z))`` and its expansion for the extreme value); the normal
    hazard from ``erfcx`` and, for :math:`z \ge 3`, Laplace's continued fraction for
    :math:`\lambda - z`, so :math:`\lambda'` keeps full precision in the tail. For the normal and
    logistic distributions nothing overflows or is NaN for :math:`|z|` up to :math:`10^3` and
    beyond. For the extreme value, :math:`e^{z}` is the loss itself in the right tail, so loss,
    gradient and hessian of observed and right-censored rows overflow to ``inf`` (never NaN)
    where :math:`z > 709.78`, exactly where the true values exceed the float64 range.

    ``init_score`` is the constant margin that maximises the likelihood (safeguarded Newton on
    the summed gradient); it needs one row bounding the time from above (a finite ``u``) and
    one bounding it from below (``l > 0``), else the likelihood grows without bound. ``link`` is
    the log link: ``link.inverse(m) = exp(m)`` is the predicted time (the median of :math:`T`
    for the normal and logistic distributions), what XGBoost's ``survival:aft`` predicts. Sample
    weights multiply each row's loss, gradient and hessian (``couples_rows = False``).

    **XGBoost (3.2.0, measured; its ``src/common/survival_util.h``).** The same loss, gradient
    and hessian wherever XGBoost evaluates them accurately and does not clip: on 400 rows of
    mixed censoring (observed, right-, left- and interval-censored), 10 rounds of depth-3
    trees, the margins are bit-identical to a custom objective with these derivatives for every
    distribution at scales 0.5, 1 and 2, except the extreme value at 0.5, where XGBoost's
    clipping acts (tests/test_survival.py; the clipped derivatives reproduce it). It differs
    by design:

    * it clips the gradient to :math:`[-15, 15]` and the hessian to :math:`[10^{-16}, 15]`:
      an observed normal row at :math:`z = 20` gets :math:`-15` (here :math:`-20`); at
      ``scale=0.2`` the normal's hessian :math:`1/\sigma^2 = 25` becomes 15; a right-censored
      extreme-value row at :math:`z = 3` gets :math:`(-15, 15)` (here
      :math:`(-20.09, 20.09)`). A hessian that vanishes in a tail is raised to :math:`10^{-16}`
      (here it is floored by the dispatcher);
    * it forms :math:`1 - F(z)` and :math:`F(z_u) - F(z_l)` directly, which loses the digits of
      the upper tail: a right-censored normal row at :math:`z = 8` gets gradient :math:`-7.58`
      and hessian :math:`10^{-16}` (exact: :math:`-8.12` and :math:`0.986`); from
      :math:`z \approx 8.3`, where :math:`1 - \Phi(z)` is 0, it substitutes its limits
      :math:`-15` and :math:`1/\sigma^2` (a logistic one at :math:`z = 30`: :math:`-0.99983`,
      exact :math:`-1 + 10^{-13}`);
    * it floors the likelihood at :math:`10^{-12}`, so its metric ``aft-nloglik`` caps a row's
      loss at 27.63; and that metric, as ``xgb.train`` reports it (and ``Booster.eval`` after
      training), uses ``aft_loss_distribution_scale = 1`` whatever the objective's scale: it
      equals :meth:`mean_loss` of ``AFTLoss(distribution, scale=1.0)`` to 1e-15, and this loss's
      own ``mean_loss`` only after ``booster.set_param({"aft_loss_distribution_scale": s})``;
    * ``aft_loss_distribution_scale`` is a float32; ``survival:aft`` starts from
      ``base_score = 0.5`` (the margin :math:`\log 0.5`), not from the best constant.

    With weights XGBoost multiplies the derivatives by them, as here: on the parity harness's
    weighted set the margins agree to 9.5e-7 (float32 rounding), every tree's structure alike.

    **CatBoost (1.2.10, measured).** Its built-in ``SurvivalAft`` (labels ``[lower, upper]``,
    ``upper = -1`` for right censoring; ``dist=Normal|Logistic|Extreme``, ``scale``) clips as
    XGBoost does, and takes the log of the label with an approximate float32 logarithm
    (``FastLogf``): models from the same start agree to 7e-5 in the margin, not to float64
    precision (the parity harness, 20 rounds). It ignores sample weights (a custom objective
    handing it the unweighted derivatives reproduces it on weighted data to 7e-6). A custom
    CatBoost objective receives one label per row (a two-column label is refused for it), so
    this loss cannot train there (refused, naming ``SurvivalAft``).

    Narrow intervals (:math:`u/l - 1` below about :math:`10^{-3}`) lose some precision to
    cancellation, at worst about :math:`5 \cdot 10^{-11}` relative; an interval with
    :math:`\Delta z \max(1, |(\log f)'|) < 10^{-5}` is taken as the density at its
    midpoint times its width (error below :math:`10^{-11}`).

    Parameters
    ----------
    distribution : {"normal", "logistic", "extreme"}, default="normal"
        The distribution of :math:`Z` (XGBoost's ``aft_loss_distribution``).
    scale : float, default=1.0
        :math:`\sigma > 0` (XGBoost's ``aft_loss_distribution_scale``).
    """

    name = "aft"
    task = "survival"
    link = LogLink()
    couples_rows = False
    #: Two bounds per label, ``[lower, upper]``.
    label_columns = 2

    def __init__(self, *, distribution: str = "normal", scale: float = 1.0) -> None:
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(f"distribution must be one of {tuple(_DISTRIBUTIONS)}, got "
                             f"{distribution!r}")
        value = real_number(scale, "scale")
        if not value > 0:
            raise ValueError(f"scale must be > 0, got {value!r}")
        self.distribution = distribution
        self.scale = value
        super().__init__()

    @property
    def _dist(self):
        return _DISTRIBUTIONS[self.distribution]

    def check_labels(self, y_true) -> np.ndarray:
        """``[lower, upper]`` columns (see :func:`aft_labels`)."""
        return aft_labels(y_true)

    def check_label_values(self, y):
        aft_labels(y)

    def _loss(self, y, z):
        return _aft_terms(self._dist, self.scale, y, np.asarray(z, dtype=np.float64), True,
                          False)[0]

    def _gradient_hessian(self, y, z):
        _, g, h = _aft_terms(self._dist, self.scale, y, np.asarray(z, dtype=np.float64), False,
                             True)
        return g, h

    def gradient_sums(self, y, w, c: float) -> tuple[float, float]:
        """The weighted sums of the gradient and hessian at the constant margin ``c``."""
        g, h = self._gradient_hessian(y, np.full(y.shape[0], c))
        if w is not None:
            g, h = g * w, h * w
        return float(np.sum(g)), float(np.sum(h))

    def concordance(self, y_true, raw_prediction, sample_weight=None) -> float:
        """Harrell's C of minus the margins as risk scores (a higher margin, a later time):
        observed rows (``lower == upper``) are events at their time, right-censored rows
        (``upper = inf``) censorings at their lower bound; left- and interval-censored rows,
        whose time is not known from below and above alike, are left out (their pairs are
        not comparable the way Harrell's C counts them)."""
        y, z, w = self._prepare(y_true, raw_prediction, sample_weight)
        lo, up = y[:, 0], y[:, 1]
        keep = (lo == up) | (np.isinf(up) & (lo > 0))
        event = (lo == up).astype(np.float64)
        return concordance_index(lo[keep], event[keep], -z[keep],
                                 None if w is None else w[keep])

    def constant_start(self, labels):
        """The constant margin maximising the weighted likelihood (see the class docstring)."""
        y, w = labels.arrays()
        lo, up = y[:, 0], y[:, 1]
        live = np.ones(lo.shape[0], dtype=bool) if w is None else w > 0
        above, below = live & np.isfinite(up), live & (lo > 0)
        if not above.any() or not below.any():
            side = "above (a finite upper bound)" if not above.any() else \
                "below (a lower bound > 0)"
            raise ValueError(
                f"{self!r}: no row (of positive weight) bounds the time from {side}, so the "
                "likelihood grows without bound as the constant margin goes to "
                f"{'+' if not above.any() else '-'}inf; there is no best start"
            )
        with np.errstate(divide="ignore", invalid="ignore"):  # -inf + inf where masked
            log_lo, log_up = np.log(lo), np.log(up)
            centre = np.where(above & below, 0.5 * (log_lo + log_up),
                              np.where(above, log_up, log_lo))
        keep = above | below
        weights = None if w is None else w[keep]
        x0 = float(np.average(centre[keep], weights=weights))
        span = float(np.ptp(centre[keep])) + self.scale
        return newton_root(lambda c: labels.gradient_sums(self, c), x0, x0 - span, x0 + span)


# =====================================================================================
# concordance
# =====================================================================================
def _dominance(keys: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``out[i] = sum of v[j] over j < i with keys[j] < keys[i]`` (strictly), in
    :math:`O(n \\log n)`: one sort, then a top-down merge-sort split per bit of the position,
    each a vectorised pass (the elements of a block kept in key order, so the left-half
    elements before a right-half element in that order are exactly its smaller earlier ones;
    equal keys are ordered latest position first and so never count)."""
    n = keys.shape[0]
    out = np.zeros(n)
    if n < 2:
        return out
    # the element (position) at each slot: by key, equal keys latest position first
    cur = (n - 1) - np.argsort(keys[::-1], kind="stable")
    slot = np.arange(n)
    for b in range((n - 1).bit_length(), 0, -1):
        start = (slot >> b) << b  # first slot of each slot's block (blocks of 2^b positions)
        right = ((cur >> (b - 1)) & 1).astype(bool)
        vl = v[cur]
        vl[right] = 0.0
        cl = np.cumsum(vl)
        cl -= vl  # left weight in the slots before, from the start of the array
        cl -= cl[start]  # ... from the start of the block
        out[cur[right]] += cl[right]
        nl = np.cumsum(~right)
        nl -= ~right
        nl -= nl[start]  # left elements before each slot in its block
        # left elements go to start + nl; right ones after the block's left half, to
        # start + n_left + (slot - start - nl)
        n_left = np.minimum(1 << (b - 1), n - start)
        new_slot = np.where(right, slot + n_left - nl, start + nl)
        nxt = np.empty_like(cur)
        nxt[new_slot] = cur
        cur = nxt
    return out


def _run_starts(*keys) -> np.ndarray:
    """For sequences sorted so that equal keys are contiguous: the index of the first element of
    each element's run of equal keys (all of ``keys`` equal)."""
    n = keys[0].shape[0]
    new = np.zeros(n, dtype=bool)
    if n:
        new[0] = True
        for k in keys:
            new[1:] |= k[1:] != k[:-1]
    return np.maximum.accumulate(np.where(new, np.arange(n), 0))


def concordance_index(time, event, risk, sample_weight=None, *, pair_weight: str = "product"):
    r"""Harrell's concordance index of a risk score (Harrell et al. 1982), weighted, in
    :math:`O(n \log n)`.

    A pair :math:`(i, j)` is comparable when row :math:`i` had an event and row :math:`j` was
    still at risk after it: :math:`T_i < T_j`, or :math:`T_i = T_j` with :math:`j` censored
    (scikit-survival's ``concordance_index_censored`` convention; two events at the same time
    are not comparable). It is concordant when :math:`r_i > r_j` (the earlier event had the
    higher risk), and counts 1/2 when :math:`r_i = r_j` (exactly equal floats: scikit-survival
    uses a tolerance of 1e-8 instead). The index is (concordant + ties / 2) / comparable, each
    pair weighted by

    * ``pair_weight="product"``: :math:`w_i w_j` (frequency weights: an integer weight is the
      same as repeating the row);
    * ``pair_weight="event"``: :math:`w_i`, the event row's weight only (how scikit-survival
      weighs the pairs of its ``concordance_index_ipcw``).

    Parameters
    ----------
    time : array of shape (n,)
        Event or censoring times (finite; any real values, only their order matters).
    event : array of shape (n,)
        1 (or True) for an observed event, 0 for a censored time.
    risk : array of shape (n,)
        The predicted risk: higher means an earlier event (a Cox margin, or minus an AFT margin).
    sample_weight : array of shape (n,), optional
    pair_weight : {"product", "event"}, default="product"

    Returns
    -------
    float
        The concordance in [0, 1]; a ``ValueError`` when no pair is comparable.

    Notes
    -----
    Comparable pairs with :math:`r_j < r_i` are counted as a 2-D dominance count over the rows
    ordered by decreasing time (censored rows before events at a tied time, and the events at a
    tied time ordered so that none counts another), and those with :math:`r_j > r_i` likewise;
    ties in risk are the remainder. Weighted sums are float sums (relative error about
    :math:`n\epsilon`); without weights every count is exact. About 2 s for a million rows
    (numpy 2.4, a shared 2-core machine).
    """
    t = as_float_array(time, "time")
    e = as_float_array(event, "event")
    r = as_float_array(risk, "risk")
    n = t.shape[0]
    if e.shape[0] != n or r.shape[0] != n:
        raise ValueError(f"time, event and risk must have the same length, got {n}, "
                         f"{e.shape[0]} and {r.shape[0]}")
    for arr, name in ((t, "time"), (r, "risk")):
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} contains NaN or inf (first at index "
                             f"{int(np.flatnonzero(~np.isfinite(arr))[0])})")
    if not ((e == 0) | (e == 1)).all():
        i = int(np.flatnonzero(~((e == 0) | (e == 1)))[0])
        raise ValueError(f"event must be 0 or 1, got {float(e[i])!r} at index {i}")
    if pair_weight not in ("product", "event"):
        raise ValueError(f"pair_weight must be 'product' or 'event', got {pair_weight!r}")
    if n == 0:
        raise ValueError("no rows: the concordance index is undefined")
    w = check_weights(sample_weight, n)
    u = np.ones(n) if w is None else w  # weight of the event row
    v = u if pair_weight == "product" else np.ones(n)  # weight of the row at risk
    d = e == 1

    # the rows by decreasing time, the censored rows first at a tied time, then that time's
    # events by decreasing risk (so that an event never counts another at its time as lower)
    seq = np.lexsort((-r, d, -t))
    ts, rs, vs, ds = t[seq], r[seq], v[seq], d[seq]
    before = np.cumsum(vs) - vs  # weight of the rows before each, in this order

    # comparable weight: the rows with a later time, plus the censored rows at the same time
    first_t = _run_starts(ts)
    starts = first_t == np.arange(n)
    cens_same = np.add.reduceat(np.where(ds, 0.0, vs), np.flatnonzero(starts))
    comparable = before[first_t] + cens_same[np.cumsum(starts) - 1]

    # concordant weight (r_j < r_i): a dominance count in this order
    lower = _dominance(rs, vs)

    # tied weight (r_j == r_i): the equal-risk rows before each, less the events at the same time
    by_risk = np.argsort(rs, kind="stable")  # by risk, then by position in the order
    cum = np.cumsum(vs[by_risk])
    cum -= vs[by_risk]
    same = np.empty(n)
    same[by_risk] = cum - cum[_run_starts(rs[by_risk])]
    tied_events = (before - before[_run_starts(ts, ds, rs)])
    tied = same - np.where(ds, tied_events, 0.0)

    u_d = u[seq][ds]
    num = math.fsum(u_d * (lower[ds] + 0.5 * tied[ds]))
    den = math.fsum(u_d * comparable[ds])
    if not den > 0:
        raise ValueError("no comparable pairs (no event is followed by a row still at risk): "
                         "the concordance index is undefined")
    return num / den
