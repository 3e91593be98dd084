r"""The boosting libraries' own arithmetic, reproduced in numpy, bit for bit.

:func:`match_builtin` (the parity harness's ``match_builtin`` mode, :mod:`boostobj.parity`) uses
these to hand a library exactly the float32 gradients its built-in objective would compute, so
that a custom objective trains a **bit-identical** model. It goes through the dispatcher
(:class:`boostobj.FitObjective` with a replacement kernel): labels are read and validated as for
any boostobj objective, only the arithmetic differs. The exact float64 math lives in
:mod:`boostobj.losses`; nothing here is "more correct" than that, only identical to the
libraries, rounding errors included.

Sources (read for the order of operations, not copied):

* glibc >= 2.28 ``expf`` = Arm optimized-routines ``math/expf.c`` (Szabolcs Nagy, 2017): see
  :func:`expf`.
* XGBoost 3.2.0: ``src/common/math.h`` (``Sigmoid``), ``src/objective/regression_loss.h``
  (``LogisticRegression``, ``LinearSquareLoss``), ``src/objective/regression_obj.cu``
  (``PseudoHuberRegression``); all in float32; weights multiplied last.
* XGBoost 3.2.0 log link: ``regression_obj.cu`` (``PoissonRegression``, ``TweedieRegression``)
  and ``regression_loss.h`` (``GammaDeviance``), float32 with glibc's ``expf``.
* LightGBM 4.7.0: ``src/objective/binary_objective.hpp`` and ``regression_objective.hpp``
  (double arithmetic, cast to float32 ``score_t``; ``BoostFromScore`` sums sequentially when
  ``deterministic=True``).

Measured with the parity harness (xgboost 3.2.0, lightgbm 4.7.0): with these, custom objectives
give 0 difference and identical tree dumps against ``binary:logistic``, ``reg:squarederror``,
``reg:pseudohubererror``, ``multi:softprob`` and LightGBM ``binary`` / ``regression`` /
``multiclass``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

import numpy as np

__all__ = [
    "builtin_gradient_hessian",
    "expf",
    "has_mirror",
    "lgb_binary_grad_hess",
    "lgb_binary_init_score",
    "lgb_fair_grad_hess",
    "lgb_gamma_grad_hess",
    "lgb_huber_grad_hess",
    "lgb_l2_grad_hess",
    "lgb_l2_init_score",
    "lgb_log_mean_init_score",
    "lgb_multiclass_grad_hess",
    "lgb_multiclass_init_score",
    "lgb_poisson_grad_hess",
    "lgb_tweedie_grad_hess",
    "lgb_xentropy_grad_hess",
    "lgb_xentropy_init_score",
    "libm_uses_fma",
    "log1pf",
    "match_builtin",
    "xgb_gamma_grad_hess",
    "xgb_logistic_grad_hess",
    "xgb_mean_intercept",
    "xgb_poisson_grad_hess",
    "xgb_pseudohuber_grad_hess",
    "xgb_sigmoid",
    "xgb_softprob_grad_hess",
    "xgb_squared_error_grad_hess",
    "xgb_squaredlogerror_grad_hess",
    "xgb_tweedie_grad_hess",
]

_F32 = np.float32

# --------------------------------------------------------------------------------------------
# expf: glibc / Arm optimized-routines, single precision
# --------------------------------------------------------------------------------------------
# Algorithm (Arm optimized-routines math/expf.c, used by glibc since 2.28):
#   x * N/ln2 = k + r, |r| <= 1/2, N = 32 (EXP2F_TABLE_BITS = 5), all in double;
#   exp(x) = 2^(k/N) * 2^(r/N) ~= s * (C0 r^3 + C1 r^2 + C2 r + 1), s = 2^(k/N) built from a
#   32-entry table of 2^(i/N) (with i << 47 subtracted from the bit pattern, so that adding
#   k << 47 puts the exponent in place), then rounded once to float.
_EXP2F_N = 32
_SHIFT = float.fromhex("0x1.8p+52")  # rounds a double to an integer (Veltkamp-style shift)
_INVLN2_N = float.fromhex("0x1.71547652b82fep+0") * _EXP2F_N
# Minimax coefficients of 2^(r/N) (exp2f_data.c, "poly_scaled").
_C0 = float.fromhex("0x1.c6af84b912394p-5") / _EXP2F_N**3
_C1 = float.fromhex("0x1.ebfce50fac4f3p-3") / _EXP2F_N**2
_C2 = float.fromhex("0x1.62e42ff0c52d6p-1") / _EXP2F_N
# x above this overflows to inf, below that underflows to 0 (log(0x1p128), log(0x1p-150)).
_OVERFLOW = _F32(float.fromhex("0x1.62e42ep6"))
_UNDERFLOW = _F32(float.fromhex("-0x1.9fe368p6"))


def _exp2_table() -> np.ndarray:
    # 2^(i/32) correctly rounded to double, minus i << 47 in the bit pattern (exp2f_data.c
    # "tab"). Computed here rather than typed in; see _pow2_frac.
    out = np.empty(_EXP2F_N, dtype=np.uint64)
    for i in range(_EXP2F_N):
        out[i] = np.float64(_pow2_frac(i, _EXP2F_N)).view(np.uint64) - np.uint64(i << 47)
    return out


def _pow2_frac(i: int, n: int) -> float:
    """2^(i/n) rounded to the nearest double, by integer Newton iteration (no mpmath needed)."""
    from fractions import Fraction

    # y = 2^(i/n) in [1, 2) solves y^n = 2^i; take floor(y * 2^P) by integer n-th root.
    precision = 120
    target = (1 << i) << (n * precision)  # (y * 2^P)^n = 2^i * 2^(nP)
    lo, hi = 1 << precision, 1 << (precision + 1)
    while hi - lo > 1:  # bisection on integers: exact floor of the n-th root
        mid = (lo + hi) // 2
        if mid**n <= target:
            lo = mid
        else:
            hi = mid
    return float(Fraction(lo, 1 << precision))  # 120 bits >> 53: float() rounds correctly


_EXP2_TAB = _exp2_table()

_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter for double


def _fma(a, b, c):
    """``a*b + c`` with (almost always) a single rounding, as an FMA instruction computes it.

    Dekker's exact product (``p + e == a*b``) and Knuth's two-sum, then one final rounding of
    the small correction terms. Differs from a true FMA only when that correction itself rounds
    across a tie, which the exhaustive check below never met.
    """
    p = a * b
    ca = _SPLIT * a
    ah = ca - (ca - a)
    al = a - ah
    cb = _SPLIT * b
    bh = cb - (cb - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    t = (p - (s - bb)) + (c - bb)
    return s + (t + e)


def expf(x, *, fma: bool | None = None) -> np.ndarray:
    """``expf`` of glibc (>= 2.28) on float32 input, vectorised, bit for bit.

    ``fma``: glibc picks, at run time, a build of the same C code compiled with fused
    multiply-add on CPUs that have it (x86-64 ``e_expf-fma``), and the compiler contracts
    ``x*InvLn2N - kd`` and the polynomial into FMAs. The two builds differ on 2 of the
    2,239,889,410 float32 inputs in [-104, 89] (e.g. ``x = -63.09946``). None (default)
    decides once by asking the C library (:func:`libm_uses_fma`); pass True/False to force.

    Checked against the C library's ``expf`` on every one of the 2,239,889,410 float32 inputs
    in [-104, 89] on this machine (glibc 2.36, x86-64 with FMA): 0 mismatches with ``fma=True``
    (what ``None`` picks here), 2 with ``fma=False``. numpy's own float32 ``np.exp`` differed on
    343,339 of 900,000 random inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from boostobj.parity.mirror import expf
    >>> expf(np.array([0.0, 1.0, -200.0], dtype=np.float32))
    array([1.       , 2.7182817, 0.       ], dtype=float32)
    """
    if fma is None:
        fma = libm_uses_fma()
    x = np.asarray(x, dtype=_F32)
    xd = x.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        z = _INVLN2_N * xd
        kd = _fma(_INVLN2_N, xd, _SHIFT) if fma else z + _SHIFT
        ki = kd.view(np.uint64)  # low bits hold k (mod 2^51)
        kd = kd - _SHIFT
        r = _fma(_INVLN2_N, xd, -kd) if fma else z - kd
        t = _EXP2_TAB[ki % np.uint64(_EXP2F_N)] + (ki << np.uint64(52 - 5))
        s = t.view(np.float64)
        if fma:
            p = _fma(_C0, r, _C1)
            y = _fma(p, r * r, _fma(_C2, r, 1.0))
        else:
            p = _C0 * r + _C1
            y = p * (r * r) + (_C2 * r + 1.0)
        out = (y * s).astype(_F32)
    # special cases of the C code: |x| >= 88 branches, NaN and +-inf
    out = np.where(x < _UNDERFLOW, _F32(0.0), out)
    out = np.where(x > _OVERFLOW, _F32(np.inf), out)
    return np.where(np.isnan(x), x, out)


@functools.lru_cache(maxsize=1)
def libm_uses_fma() -> bool:
    """Whether this process's C library ``expf`` is the FMA build (decided on one input where the
    two builds differ); False when no C library can be asked."""
    probe = np.array([np.uint32(3262932441)], dtype=np.uint32).view(_F32)  # x = -63.09946
    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        libm.expf.restype = ctypes.c_float
        libm.expf.argtypes = [ctypes.c_float]
        want = _F32(libm.expf(float(probe[0])))
    except (OSError, AttributeError):  # pragma: no cover - no C library (unusual platforms)
        return False
    return bool(expf(probe, fma=True)[0] == want)


# --------------------------------------------------------------------------------------------
# XGBoost (float32 throughout; weights multiplied last)
# --------------------------------------------------------------------------------------------
#: XGBoost's logistic hessian floor (``regression_loss.h``: ``fmaxf(p * (1 - p), 1e-16f)``) and
#: the epsilon in ``common::Sigmoid``'s denominator.
XGB_EPS = _F32(1e-16)
#: ``common::Sigmoid`` clamps ``-x`` at 88.7 so that ``expf`` never overflows.
XGB_SIGMOID_CLAMP = _F32(88.7)


def _f32(a) -> np.ndarray:
    return np.asarray(a, dtype=_F32)


def xgb_sigmoid(margin) -> np.ndarray:
    """XGBoost's ``common::Sigmoid``: ``1 / (expf(min(-x, 88.7)) + 1 + 1e-16)`` in float32."""
    x = np.minimum(-_f32(margin), XGB_SIGMOID_CLAMP)
    return _F32(1.0) / ((expf(x) + _F32(1.0)) + XGB_EPS)


def _xgb_weigh(g, h, w):
    if w is None:
        return g, h
    w = _f32(w)
    return g * w, h * w


def xgb_logistic_grad_hess(y, preds, w=None):
    """``binary:logistic``: ``g = p - y``, ``h = max(p (1 - p), 1e-16)``, times ``w``; float32."""
    p = xgb_sigmoid(preds)
    g = p - _f32(y)
    h = np.maximum(p * (_F32(1.0) - p), XGB_EPS)
    return _xgb_weigh(g, h, w)


def xgb_squared_error_grad_hess(y, preds, w=None):
    """``reg:squarederror``: ``g = pred - y``, ``h = 1``, times ``w``; float32."""
    g = _f32(preds) - _f32(y)
    h = np.ones_like(g)
    return _xgb_weigh(g, h, w)


def xgb_pseudohuber_grad_hess(y, preds, w=None, *, slope=1.0, variant="exact"):
    """``reg:pseudohubererror`` with ``huber_slope = slope``, float32.

    ``variant="exact"`` is XGBoost <= 3.2 (``regression_obj.cu``): ``z = pred - y``,
    ``q = sqrt(1 + z^2 / slope^2)``, ``g = z / q``, ``h = slope^2 / ((slope^2 + z^2) q)``.
    ``variant="bounded"`` is the later ``pseudohuber_obj.h`` (dmlc/xgboost PR #12576):
    ``h = |slope| / hypot(slope, z)``, ``g = z h``.
    """
    z = _f32(preds) - _f32(y)
    s = _F32(slope)
    s2 = s * s
    if variant == "exact":
        q = np.sqrt(_F32(1.0) + (z * z) / s2)
        g = z / q
        h = s2 / ((s2 + z * z) * q)
    elif variant == "bounded":
        h = np.abs(s) / np.hypot(s, z)
        g = z * h
    else:
        raise ValueError(f"variant must be 'exact' or 'bounded', got {variant!r}")
    return _xgb_weigh(g, h, w)


def xgb_poisson_grad_hess(y, preds, w=None, *, max_delta_step=0.7):
    """``count:poisson`` (``regression_obj.cu``), float32: ``g = (expf(p) - y) w``,
    ``h = expf(p + max_delta_step) w``."""
    p = _f32(preds)
    mds = _F32(max_delta_step)
    g = expf(p) - _f32(y)
    h = expf(p + mds)
    return _xgb_weigh(g, h, w)


def xgb_gamma_grad_hess(y, preds, w=None):
    """``reg:gamma`` (``regression_loss.h``, ``GammaDeviance``), float32: ``p = expf(margin)``,
    ``g = (1 - y / p) w``, ``h = (y / p) w``."""
    p = expf(_f32(preds))
    yp = _f32(y) / p
    return _xgb_weigh(_F32(1.0) - yp, yp, w)


def xgb_tweedie_grad_hess(y, preds, w=None, *, rho=1.5):
    """``reg:tweedie`` (``regression_obj.cu``), float32, in its order:
    ``g = -y expf((1 - rho) p) + expf((2 - rho) p)``,
    ``h = (-y (1 - rho)) expf((1 - rho) p) + (2 - rho) expf((2 - rho) p)``, times ``w``."""
    p = _f32(preds)
    r = _F32(rho)
    a, b = _F32(1.0) - r, _F32(2.0) - r
    ny = -_f32(y)
    e1, e2 = expf(a * p), expf(b * p)
    g = ny * e1 + e2
    h = (ny * a) * e1 + b * e2
    return _xgb_weigh(g, h, w)


@functools.lru_cache(maxsize=1)
def _libm_log1pf():
    libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
    libm.log1pf.restype = ctypes.c_float
    libm.log1pf.argtypes = [ctypes.c_float]
    return np.frompyfunc(libm.log1pf, 1, 1)


def log1pf(x) -> np.ndarray:
    """This process's C library ``log1pf`` element by element (what XGBoost's float32
    ``std::log1p`` calls; glibc 2.36's is not correctly rounded: it differs from numpy's float32
    ``log1p`` in about 4% of inputs), through ctypes: slow, for the mirror only. numpy's float32
    ``log1p`` where no C library can be asked (then not bit for bit)."""
    x = _f32(x)
    try:
        f = _libm_log1pf()
    except (OSError, AttributeError):  # pragma: no cover - no C library (unusual platforms)
        return np.log1p(x)
    return np.asarray(f(x), dtype=_F32).reshape(x.shape)


def xgb_squaredlogerror_grad_hess(y, preds, w=None):
    """``reg:squaredlogerror`` (``regression_loss.h``, ``SquaredLogError``), float32 in its order:
    ``p = fmaxf(pred, -1 + 1e-6)``, ``g = (log1pf(p) - log1pf(y)) / (p + 1)``,
    ``h = fmaxf(float((-log1pf(p) + log1pf(y) + 1) / pow(p + 1, 2)), 1e-6f)`` (``pow`` of a float
    and an int is double: the quotient is taken in double, then rounded), times ``w``."""
    p = np.maximum(_f32(preds), _F32(-1 + 1e-6))
    lp, ly = log1pf(p), log1pf(y)
    p1 = p + _F32(1.0)
    g = (lp - ly) / p1
    num = (-lp + ly) + _F32(1.0)
    h = (num.astype(np.float64) / np.square(p1.astype(np.float64))).astype(_F32)
    return _xgb_weigh(g, np.maximum(h, _F32(1e-6)), w)


def xgb_mean_intercept(y, w=None) -> float:
    """The (weighted) label mean that ``binary:logistic`` / ``reg:squarederror`` estimate as
    ``base_score`` (XGBoost >= 3.0, ``FitInterceptGlmLike``), rounded to the float32 XGBoost
    stores. XGBoost 2.x estimates otherwise (one Newton step from 0): the parity harness reads
    that back instead (:func:`boostobj.parity.runner.xgb_builtin_intercept`).

    Returned as a Python float that is exactly a float32, so passing it as ``base_score`` leaves
    no second rounding. XGBoost sums in double (in its own order); the float32 rounding hides
    that order except on a rounding tie.
    """
    y = np.asarray(y, dtype=_F32).astype(np.float64)  # the labels XGBoost holds
    if w is None:
        mean = float(np.mean(y))
    else:
        w = np.asarray(w, dtype=_F32).astype(np.float64)
        mean = float(np.sum(y * w) / np.sum(w))
    return float(_F32(mean))


# --------------------------------------------------------------------------------------------
# LightGBM (double arithmetic, cast to float32 score_t by the library)
# --------------------------------------------------------------------------------------------
def _lgb_weights(w):
    # LightGBM stores weights as float32 (label_t) and promotes them to double in formulas.
    return None if w is None else np.asarray(w, dtype=_F32).astype(np.float64)


def lgb_binary_grad_hess(y, score, w=None, *, sigmoid=1.0):
    """LightGBM ``binary`` (``binary_objective.hpp``), in its order of operations.

    With ``t = +-1``: ``r = -t s / (1 + exp(t s score))``, ``g = r w``,
    ``h = |r| (s - |r|) w``, all double (LightGBM casts to float32). Its ``exp`` is the C
    library's double ``exp``; numpy's differs in the last bit on some inputs, which the float32
    cast has absorbed in every measurement (lightgbm 4.7).
    """
    t = np.where(np.asarray(y) > 0, 1.0, -1.0)
    score = np.asarray(score, dtype=np.float64)
    response = -t * sigmoid / (1.0 + np.exp(t * sigmoid * score))
    a = np.abs(response)
    g, h = response, a * (sigmoid - a)
    w = _lgb_weights(w)
    if w is not None:
        g, h = g * w, h * w
    return g, h


def lgb_binary_init_score(y, w=None, *, sigmoid=1.0) -> float:
    """LightGBM ``binary``'s ``BoostFromScore``: ``log(pavg / (1 - pavg)) / sigmoid``, with
    ``pavg`` from sequential double sums (``deterministic=True``) clamped to [1e-15, 1 - 1e-15]."""
    import math

    pos = (np.asarray(y) > 0).astype(np.float64)
    w = _lgb_weights(w)
    if w is None:
        suml, sumw = _sequential_sum(pos), float(pos.shape[0])
    else:
        suml, sumw = _sequential_sum(pos * w), _sequential_sum(w)
    pavg = min(max(suml / sumw, 1e-15), 1.0 - 1e-15)
    return math.log(pavg / (1.0 - pavg)) / sigmoid


def lgb_l2_grad_hess(y, score, w=None):
    """LightGBM ``regression`` (L2): ``g = score - y``, ``h = 1``; weighted
    ``g = float32(float32(score - y) * w)``, ``h = w``."""
    diff = np.asarray(score, dtype=np.float64) - np.asarray(y, dtype=_F32).astype(np.float64)
    if w is None:
        return diff, np.ones_like(diff)
    w32 = np.asarray(w, dtype=_F32)
    return diff.astype(_F32) * w32, w32.copy()


def lgb_l2_init_score(y, w=None) -> float:
    """LightGBM ``regression``'s ``BoostFromScore``: the weighted label mean from sequential
    double sums of float32 labels and weights (``deterministic=True``)."""
    y = np.asarray(y, dtype=_F32).astype(np.float64)
    w = _lgb_weights(w)
    if w is None:
        return _sequential_sum(y) / float(y.shape[0])
    return _sequential_sum(y * w) / _sequential_sum(w)


def lgb_poisson_grad_hess(y, score, w=None, *, max_delta_step=0.7):
    """LightGBM ``poisson`` (``regression_objective.hpp``), double cast to float32:
    ``g = exp(s) - y``, ``h = exp(s) exp(max_delta_step)``, each times ``w`` last."""
    e = np.exp(np.asarray(score, dtype=np.float64))
    yy = np.asarray(y, dtype=_F32).astype(np.float64)
    g, h = e - yy, e * np.exp(float(max_delta_step))
    w = _lgb_weights(w)
    if w is not None:
        g, h = g * w, h * w
    return g, h


def lgb_gamma_grad_hess(y, score, w=None):
    """LightGBM ``gamma``: ``e = exp(-s)``, ``g = 1 - y e``, ``h = y e``, times ``w`` last."""
    e = np.exp(-np.asarray(score, dtype=np.float64))
    ye = np.asarray(y, dtype=_F32).astype(np.float64) * e
    g, h = 1.0 - ye, ye
    w = _lgb_weights(w)
    if w is not None:
        g, h = g * w, h * w
    return g, h


def lgb_tweedie_grad_hess(y, score, w=None, *, rho=1.5):
    """LightGBM ``tweedie``: ``e1 = exp((1 - rho) s)``, ``e2 = exp((2 - rho) s)``,
    ``g = -y e1 + e2``, ``h = -y (1 - rho) e1 + (2 - rho) e2``, times ``w`` last; double."""
    s = np.asarray(score, dtype=np.float64)
    rho = float(rho)
    e1, e2 = np.exp((1 - rho) * s), np.exp((2 - rho) * s)
    ny = -np.asarray(y, dtype=_F32).astype(np.float64)
    g = ny * e1 + e2
    h = ny * (1 - rho) * e1 + (2 - rho) * e2
    w = _lgb_weights(w)
    if w is not None:
        g, h = g * w, h * w
    return g, h


def lgb_xentropy_grad_hess(y, score, w=None):
    """LightGBM ``cross_entropy`` (``xentropy_objective.hpp``), double cast to float32: for
    ``s > -37``, ``e = exp(-s)``, ``g = ((1 - y) - y e) / (1 + e)`` (``1 - y`` in float32),
    ``h = e / ((1 + e)(1 + e))``; else ``e = exp(s)``, ``g = e - y``, ``h = e``; times ``w``."""
    s = np.asarray(score, dtype=np.float64)
    y32 = np.asarray(y, dtype=_F32)
    yy = y32.astype(np.float64)
    far = s <= -37.0
    with np.errstate(over="ignore"):
        e = np.exp(np.where(far, s, -s))
    one_m_y = (_F32(1.0) - y32).astype(np.float64)
    g = np.where(far, e - yy, (one_m_y - yy * e) / (1.0 + e))
    h = np.where(far, e, e / ((1.0 + e) * (1.0 + e)))
    w = _lgb_weights(w)
    if w is not None:
        g, h = g * w, h * w
    return g, h


def lgb_xentropy_init_score(y, w=None) -> float:
    """LightGBM ``cross_entropy``'s ``BoostFromScore``: the logit of the weighted (soft) label
    mean from sequential double sums, clamped to [1e-15, 1 - 1e-15]."""
    import math

    pavg = min(max(lgb_l2_init_score(y, w), 1e-15), 1.0 - 1e-15)
    return math.log(pavg / (1.0 - pavg))


def lgb_fair_grad_hess(y, score, w=None, *, c=1.0):
    """LightGBM ``fair``: ``x = s - y``, ``g = c x / (|x| + c)``, ``h = c^2 / ((|x| + c)^2)``
    (``c * c / ((|x| + c) * (|x| + c))``), times ``w`` last; double."""
    x = np.asarray(score, dtype=np.float64) - np.asarray(y, dtype=_F32).astype(np.float64)
    c = float(c)
    d = np.abs(x) + c
    g = c * x / d
    h = c * c / (d * d)
    w = _lgb_weights(w)
    if w is not None:
        g, h = g * w, h * w
    return g, h


def lgb_huber_grad_hess(y, score, w=None, *, alpha=0.9):
    """LightGBM ``huber``: ``x = s - y``, ``g = x`` where ``|x| <= alpha``, else
    ``sign(x) alpha``, ``h = 1``; weighted ``g = x w`` or ``sign(x) float32(w) alpha``,
    ``h = w``; double."""
    x = np.asarray(score, dtype=np.float64) - np.asarray(y, dtype=_F32).astype(np.float64)
    a = float(alpha)
    inside = np.abs(x) <= a
    w = _lgb_weights(w)
    if w is None:
        return np.where(inside, x, np.sign(x) * a), np.ones_like(x)
    return np.where(inside, x * w, np.sign(x) * w * a), w.copy()


def lgb_log_mean_init_score(y, w=None) -> float:
    """LightGBM ``poisson``/``gamma``/``tweedie``'s ``BoostFromScore``: ``SafeLog`` of the
    weighted label mean (:func:`lgb_l2_init_score`)."""
    import math

    mean = lgb_l2_init_score(y, w)
    return math.log(mean) if mean > 0 else -math.inf


def _sequential_sum(a: np.ndarray) -> float:
    # ``for i: s += a[i]`` in double, left to right (np.sum is pairwise, math.fsum exact).
    return float(np.cumsum(a)[-1]) if a.size else 0.0


# --------------------------------------------------------------------------------------------
# multiclass softmax (XGBoost multi:softprob, LightGBM multiclass)
# --------------------------------------------------------------------------------------------
#: XGBoost's softmax starts its running maximum at ``std::numeric_limits<float>::min()``, the
#: smallest *positive* normal float, so a row of negative margins is shifted by ~0, not its max.
_XGB_WMAX0 = np.finfo(_F32).tiny


def xgb_softprob_grad_hess(y, preds, w=None):
    """``multi:softprob`` (``src/objective/multiclass_obj.cu``), float32, row by row:
    ``wmax = max(FLT_MIN, max_k z_k)``; ``wsum`` = double sum over k of ``expf(z_k - wmax)``;
    ``p = expf(z_k - wmax) / float(wsum)``; ``h = fmax(2 p (1 - p) wt, 1e-16)``;
    ``g = (p - [k = y]) wt`` (``wt = 1`` without weights); all float32 but ``wsum``."""
    z = _f32(preds)
    wmax = np.maximum(z.max(axis=1), _XGB_WMAX0)
    e = expf(z - wmax[:, None])
    wsum = np.zeros(z.shape[0])
    for k in range(z.shape[1]):  # the C loop adds class by class in double
        wsum += e[:, k].astype(np.float64)
    p = e / wsum.astype(_F32)[:, None]
    wt = _F32(1.0) if w is None else _f32(w)[:, None]
    h = np.maximum(((_F32(2.0) * p) * (_F32(1.0) - p)) * wt, XGB_EPS)
    rows = np.arange(z.shape[0])
    yi = np.asarray(y).astype(np.intp)
    g = p.copy()
    g[rows, yi] = p[rows, yi] - _F32(1.0)
    return g * wt, h


def lgb_multiclass_grad_hess(y, score, w=None):
    """LightGBM ``multiclass`` (``multiclass_objective.hpp``), double, cast to float32 by the
    library: ``Common::Softmax`` (shift by the row maximum, sequential ``exp`` sum, divide),
    ``g = (p - [k = y]) w``, ``h = ((factor p) (1 - p)) w`` with ``factor = K / (K - 1)``."""
    z = np.asarray(score, dtype=np.float64)
    k = z.shape[1]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    wsum = np.zeros(z.shape[0])
    for c in range(k):
        wsum += e[:, c]
    p = e / wsum[:, None]
    rows = np.arange(z.shape[0])
    yi = np.asarray(y).astype(np.intp)
    g = p.copy()
    g[rows, yi] = p[rows, yi] - 1.0
    h = (k / (k - 1.0) * p) * (1.0 - p)
    w = _lgb_weights(w)
    if w is not None:
        g, h = g * w[:, None], h * w[:, None]
    return g, h


# --------------------------------------------------------------------------------------------
# match_builtin: a loss handing a library its built-in twin's own arithmetic
# --------------------------------------------------------------------------------------------
_KERNELS = {
    ("xgboost", "binary:logistic"): xgb_logistic_grad_hess,
    ("xgboost", "reg:squarederror"): xgb_squared_error_grad_hess,
    ("xgboost", "reg:pseudohubererror"): xgb_pseudohuber_grad_hess,
    ("xgboost", "reg:squaredlogerror"): xgb_squaredlogerror_grad_hess,
    ("lightgbm", "binary"): lgb_binary_grad_hess,
    ("lightgbm", "regression"): lgb_l2_grad_hess,
    ("xgboost", "multi:softprob"): xgb_softprob_grad_hess,
    ("lightgbm", "multiclass"): lgb_multiclass_grad_hess,
    ("xgboost", "count:poisson"): xgb_poisson_grad_hess,
    ("xgboost", "reg:gamma"): xgb_gamma_grad_hess,
    ("xgboost", "reg:tweedie"): xgb_tweedie_grad_hess,
    ("lightgbm", "poisson"): lgb_poisson_grad_hess,
    ("lightgbm", "gamma"): lgb_gamma_grad_hess,
    ("lightgbm", "tweedie"): lgb_tweedie_grad_hess,
    ("lightgbm", "cross_entropy"): lgb_xentropy_grad_hess,
    ("lightgbm", "fair"): lgb_fair_grad_hess,
    ("lightgbm", "huber"): lgb_huber_grad_hess,
}
#: built-in parameter -> the mirror kernel's keyword
_KERNEL_PARAMS = {"huber_slope": "slope", "max_delta_step": "max_delta_step",
                  "poisson_max_delta_step": "max_delta_step", "tweedie_variance_power": "rho",
                  "fair_c": "c", "alpha": "alpha"}


def builtin_gradient_hessian(loss, library: str, y, preds, w):
    """Gradient and hessian exactly as ``library``'s built-in twin of ``loss`` computes them.

    A loss without a twin in ``library`` (or without a mirror of it) is a ``ValueError``.
    """
    from ..registry import builtin_twin, twin_of

    twin = twin_of(loss, library)
    builtin = None if twin is None else twin.names()[library]
    if builtin is None or (library, builtin) not in _KERNELS:
        has = sorted(builtin_twin(loss))
        raise ValueError(
            f"{loss!r} has no bit-exact mirror of a {library} built-in (twins in: {has or 'none'}); "
            "train it without match_builtin"
        )
    names = twin.params(library)
    params = {_KERNEL_PARAMS[k]: getattr(loss, attr) for k, attr in names.items()}
    return _KERNELS[(library, builtin)](y, preds, w, **params)


def has_mirror(library: str, builtin: str) -> bool:
    """Whether ``library``'s built-in ``builtin`` has a mirror here (``match_builtin`` can
    run its pairs)."""
    return (library, builtin) in _KERNELS


def match_builtin(loss):
    """``loss`` as an objective that hands each library its built-in twin's own float32
    arithmetic: with the built-in's own start, the model is bit-identical to the built-in's.

    Labels and weights are read and validated by the dispatcher as for any boostobj objective;
    only the kernel differs. A loss without a twin is refused here, before any training.
    """
    from .._objective import FitObjective
    from ..registry import builtin_twin

    twins = builtin_twin(loss)
    if not twins:
        raise ValueError(f"match_builtin needs a loss with a built-in twin; {loss!r} has none")
    if not any(pair in _KERNELS for pair in twins.items()):
        raise ValueError(f"match_builtin mirrors XGBoost's and LightGBM's built-ins; {loss!r} is "
                         f"a twin of {twins} only (compare it with parity's float64 mode)")
    return FitObjective(loss, kernel=builtin_gradient_hessian)


def lgb_multiclass_init_score(y, w=None, n_classes=None) -> np.ndarray:
    """LightGBM ``multiclass``'s ``BoostFromScore``: ``log(max(1e-15, prior_k))`` per class, with
    the priors from sequential double sums of float32 weights; not centred (a softmax-equivalent
    shift of :meth:`boostobj.SoftmaxLoss.init_score`)."""
    import math

    yi = np.asarray(y).astype(np.intp)
    k = int(n_classes or (yi.max() + 1))
    w = _lgb_weights(w)
    ww = np.ones(yi.shape[0]) if w is None else w
    sums = [_sequential_sum(np.where(yi == c, ww, 0.0)) for c in range(k)]
    total = float(yi.shape[0]) if w is None else _sequential_sum(ww)
    return np.array([math.log(max(1e-15, s / total)) for s in sums])
