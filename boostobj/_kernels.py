r"""Fast gradient/hessian kernels for the hot path: what XGBoost and LightGBM receive every round.

The float64 formulas in :mod:`boostobj.losses` are the reference. The libraries store every
gradient and hessian as float32 (XGBoost's ``GradientPair``, LightGBM's ``score_t``), so the
kernels here return **float32** and are written to match the reference to float32 precision,
at the speed of a few passes over the data:

* **Blocks.** Rows are processed in blocks of :data:`BLOCK` so that every temporary stays in
  the L2 cache and is reused (no fresh multi-megabyte temporaries, whose page faults cost more
  than a whole kernel).
* **Reused outputs.** The two float32 output arrays are reused from the previous call of the
  same thread *only when nothing else still refers to them* (checked with
  :func:`sys.getrefcount`): the libraries consume gradients inside the boosting step and drop
  them, so training reuses one pair of buffers; a caller that keeps the arrays gets fresh
  ones next time, so results are never overwritten behind anyone's back.
* **Label-derived arrays** (signs, weights times signs, float32 copies) are computed once per
  label/weight array and cached (weak references to the validated labels that the dispatcher,
  :mod:`boostobj._objective`, hands back every round).
* **Single-threaded**: OpenMP threads here would fight the libraries' own pools.

Accuracy (tested against the float64 reference, floored and weighted, over margins to ±1e6
and residuals to 1e6; "ulp" is float32 units in the last place, below the smallest normal
float32 the error is absolute, at most ``2**-126``):

* ``log_cosh`` (bounded hessian) and ``pseudo_huber``: **float32 arithmetic with
  cancellation-free formulas**. Every step is a correctly rounded ``+``, ``*``, ``/`` or
  ``sqrt`` of quantities of one sign (no subtraction of nearly equal numbers), or numpy's
  float32 ``tanh`` (at most 1.37 ulp, measured with numpy 2.4). The one subtraction, the
  residual ``z - y``, is done in float32 only when labels and margins are float32 (a single
  correctly rounded operation on exact inputs); otherwise in float64 and then rounded. Result:
  a few ulp.
* ``log_loss``, ``focal`` (whose exact hessian changes sign, so float32 cancellation would
  show), ``softmax``, ``multiclass_focal`` and the exact log-cosh hessian: **float64 arithmetic
  rounded once to float32**, so the libraries receive the float64 objective itself.
* ``squared_error``: the difference ``z - y`` rounded once (exact inputs), times the weight.

**Compiled kernels.** When the optional extension ``boostobj._ckernels`` was built at install
(gcc and glibc's vector math library, ``boostobj/_csrc``), every kernel in :data:`KERNELS` but
squared error runs it (:func:`compiled` says which) instead of its numpy blocks, where it has
any: one fused, single-threaded, vectorised pass each (the bench's kernel table times both).

* log loss and focal: the same float64 formulas in the same order. Only ``exp``/``log1p`` differ
  (libmvec's, within 4 float64 ulp), which the rounding to float32 hides but for rows within a
  few float64 ulp of a float32 rounding boundary: there the two differ by 1 float32 ulp (tested).
* log-cosh and pseudo-Huber: the float64 reference formulas rounded once, so within 1 float32
  ulp of the reference (tested), closer than the numpy kernels' float32 arithmetic.
* softmax and multiclass focal: the reference's formulas in its order, rounded once (within
  half a float32 ulp of the reference, tested); rows are taken in blocks held class-major.
* Poisson, gamma, Tweedie, quantile, expectile, Fair, Cauchy, Welsch and soft-label
  cross-entropy (**compiled only**): the float64 reference's operations in its order, rounded
  once, compiled without fused multiply-adds. Quantile, expectile, Fair and Cauchy (no ``exp``)
  are the reference rounded to float32 bit for bit; the others differ from it only through
  libmvec's ``exp`` (within 4 float64 ulp) and, for gamma, ``-expm1(-u)`` as ``1 - exp(-u)``
  beyond ``|u| = 1/16`` and a Taylor series below (within 1e-14 relative): within 1 float32
  ulp of the reference, but where the reference itself subtracts nearly equal terms (``mu - y``
  at ``mu ~ y``, ``sigma(z) - y``), where both carry an absolute error of a few 1e-16 times the
  terms (tested over margins to ±1e6 and ±inf, labels 0, tiny and huge, each hyperparameter
  and hessian option). The smooth quantile (``SmoothQuantileLoss``, compiled only) takes
  ``tanh(u/2)`` as log-cosh does (``exp`` and a Taylor series near 0) where the reference calls
  ``tanh``: within 1 float32 ulp of it. Gamma and Tweedie take ``log y`` from numpy's ``log``,
  once per label array, as the reference does. Overflow is the reference's, in float32:
  ``exp(z)`` beyond float32 (a margin of about 88 for Poisson) is ``inf``, as XGBoost and
  LightGBM would store the float64 value; CatBoost, which keeps float64 derivatives, gets the
  reference for these three (:data:`FLOAT32_OVERFLOW`).

:data:`COMPILED` says whether it is in use; setting the environment variable
``BOOSTOBJ_NUMPY_KERNELS=1`` before import turns it off. Without it, the kernels with a numpy
version run that: log loss, focal, log-cosh, pseudo-Huber, softmax and multiclass focal, and
squared error, numpy only (one subtraction: already at the memory floor). The others have no
numpy version: without the extension (:func:`available` is False for them) the dispatcher hands
the libraries their loss's float64 reference, the path they always took without a kernel
(float64 output, slower). ``python -m boostobj bench`` times every kernel beside its numpy
version, its loss's float64 reference and the memory floor.

**The table.** Each kernel is declared once, as a :class:`Kernel` in :data:`KERNELS`: its
function, its compiled arguments, whether it is compiled and whether it has a numpy version,
whether its float32 output can overflow, whether CatBoost's one-call path may run it, and its
benchmark target. A one-dimensional kernel that exists only compiled needs no function: its
formula in the extension, one line in the extension's list of kernels and its declaration here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import sys
import threading
import weakref
from collections.abc import Callable

import numpy as np

try:
    from . import _ckernels
except ImportError:  # not built here (another compiler, platform or libc): the numpy kernels
    _ckernels = None
if os.environ.get("BOOSTOBJ_NUMPY_KERNELS", "") not in ("", "0"):
    _ckernels = None

__all__ = [
    "BLOCK",
    "COMPILED",
    "FLOAT32_OVERFLOW",
    "HESSIAN_FLOOR",
    "KERNELS",
    "Args",
    "Kernel",
    "OutputBuffers",
    "as_float",
    "available",
    "catboost_ders",
    "compiled",
    "focal",
    "log_cosh",
    "log_loss",
    "multiclass_focal",
    "numpy_kernels",
    "outputs_kept_in",
    "pseudo_huber",
    "softmax",
    "squared_error",
]

#: True when the compiled extension was built and is in use (see above).
COMPILED = _ckernels is not None

#: Smallest hessian handed to a boosting library. XGBoost's own logistic objective clips at the
#: same value (``src/objective/regression_loss.h`` in 3.2: ``fmaxf(p * (1 - p), 1e-16f)``); it
#: keeps a leaf's Newton step ``-G / H`` finite when a loss's curvature underflows or is negative.
HESSIAN_FLOOR = 1e-16


@contextlib.contextmanager
def numpy_kernels():
    """Within this block every kernel is numpy's (the compiled extension set aside), e.g. to
    time or compare the two; not for use while another thread trains."""
    global _ckernels
    saved, _ckernels = _ckernels, None
    try:
        yield
    finally:
        _ckernels = saved

#: Rows per block. Four float64 temporaries of this size take 1 MiB, one core's L2 here (AMD
#: EPYC, 1 MiB per core); 16384 and 65536 measured within the run-to-run noise of this size.
BLOCK = 32768

#: :data:`HESSIAN_FLOOR` as float32:
#: flooring in float64 then rounding equals rounding then flooring at the rounded floor.
_FLOOR32 = np.float32(HESSIAN_FLOOR)
_ONE32 = np.float32(1.0)


def _floor_cap() -> np.float32:
    # the largest float32 a with 1/a >= the floor: tanh(a)/a for a clipped at it is the floor
    cap = _ONE32 / _FLOOR32
    while _ONE32 / cap < _FLOOR32:
        cap = np.nextafter(cap, np.float32(0))
    return cap


_CAP32 = _floor_cap()
#: Smallest normal float32: tanh(x) = x there, so tanh(x)/x = 1 (the bounded log-cosh hessian at 0).
_TINY32 = np.finfo(np.float32).tiny

# ---------------------------------------------------------------------------------- buffers
_local = threading.local()


def _baseline_refcount() -> int:
    holder = (np.empty(1), np.empty(1))
    return sys.getrefcount(holder[0])


#: What ``sys.getrefcount`` reports for a pool array that only the pool holds.
_FREE = _baseline_refcount()


class OutputBuffers:
    """The float32 gradient and hessian arrays of one training, reused from call to call while
    nobody else holds them (a fresh array costs a page fault per 4 KiB on every call). The
    dispatcher keeps one per training set (:func:`outputs_kept_in`); a call outside a training
    allocates its own, so nothing outlives the training it served."""

    __slots__ = ("pair",)

    def __init__(self) -> None:
        self.pair: tuple[np.ndarray, np.ndarray] | None = None


@contextlib.contextmanager
def outputs_kept_in(buffers: OutputBuffers | None):
    """Within the block, this thread's kernels write into ``buffers`` (None: fresh arrays)."""
    previous = getattr(_local, "buffers", None)
    _local.buffers = buffers
    try:
        yield
    finally:
        _local.buffers = previous


def _outputs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Two float32 arrays of length ``n``: the training's previous pair when nobody else holds
    it (see :class:`OutputBuffers`), else new ones."""
    buffers = getattr(_local, "buffers", None)
    pair = None if buffers is None else buffers.pair
    if (pair is not None and pair[0].shape[0] == n
            and sys.getrefcount(pair[0]) == _FREE and sys.getrefcount(pair[1]) == _FREE):
        return pair
    pair = (np.empty(n, np.float32), np.empty(n, np.float32))
    if buffers is not None:
        buffers.pair = pair
    return pair


def _scratch(k: int, dtype) -> list[np.ndarray]:
    """``k`` block-sized temporaries of ``dtype``, private to this module and thread."""
    pool = getattr(_local, "scratch", None)
    if pool is None:
        pool = _local.scratch = {}
    key = np.dtype(dtype).char
    arrays = pool.setdefault(key, [])
    while len(arrays) < k:
        arrays.append(np.empty(BLOCK, dtype))
    return arrays[:k]


def _const(value: float, dtype) -> np.ndarray:
    """A block-sized array filled with ``value`` (cached per thread).

    numpy 2.4's ``minimum``/``maximum``/``fmax`` take their SIMD loop for two arrays but not for
    an array and a scalar: measured here, ``np.fmax(x, 1e-16)`` on a block costs twice
    ``np.fmax(x, c)`` with ``c`` a filled array (float64; three times for float32).
    """
    pool = getattr(_local, "consts", None)
    if pool is None:
        pool = _local.consts = {}
    key = (float(value), np.dtype(dtype).char)
    arr = pool.get(key)
    if arr is None:
        arr = pool[key] = np.full(BLOCK, value, dtype)
    return arr


# reentrant: a weak reference's callback may run (garbage collection) while the lock is held
_prep_lock = threading.RLock()
_prep: list = []  # [(weakref(y), weakref(w) or None, key, value)], most recent first
_PREP_SIZE = 4


def _drop_dead(_ref=None, lock=_prep_lock, entries=_prep) -> None:
    """Drop the entries whose label or weight array is gone (the callback of their weak
    references): nothing outlives the labels it came from. The lock and list are bound at
    definition, as the callback may run while the interpreter tears the module down."""
    with lock:
        entries[:] = [e for e in entries
                      if e[0]() is not None and (e[1] is None or e[1]() is not None)]


def _prepared(key, y: np.ndarray, w: np.ndarray | None, build):
    """``build(y, w)``, cached per (label array, weight array, key) while those arrays live."""
    with _prep_lock:
        for ry, rw, k, value in _prep:
            if k == key and ry() is y and ((rw is None) if w is None else (rw is not None and rw() is w)):
                return value
    value = build(y, w)
    with _prep_lock:
        _prep.insert(0, (weakref.ref(y, _drop_dead),
                         None if w is None else weakref.ref(w, _drop_dead), key, value))
        del _prep[_PREP_SIZE:]
    return value


def as_float(z: np.ndarray) -> np.ndarray:
    """Margins as float32 or float64 (other dtypes as float64), without a copy where they are."""
    return z if z.dtype in (np.float32, np.float64) else z.astype(np.float64)


def _blocks(n: int):
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        yield start, stop, stop - start


def _f32(a):
    return None if a is None else a.astype(np.float32)


def _compiled_ok(y, z, w) -> bool:
    """The compiled kernels take C-contiguous float64 labels/weights and float32/64 margins."""
    return (_ckernels is not None and z.flags.c_contiguous and y.dtype == np.float64
            and y.flags.c_contiguous
            and (w is None or (w.dtype == np.float64 and w.flags.c_contiguous)))


# ---------------------------------------------------------------------------------- log loss
def log_loss(y, z, w):
    r"""Binary log loss: :math:`g = -t\,\sigma(-u)`, :math:`h = \sigma(u)\sigma(-u)`, :math:`u = tz`.

    With :math:`E = e^{u}` and :math:`q = 1/(1+E) = \sigma(-u)`: ``g = -t * q`` and
    ``h = (E * q) * q``, floored at 1e-16, then times ``w``: only products and quotients of
    positive numbers. ``E = inf`` gives ``q = 0`` (the true value is below what the output
    holds) and ``h = NaN``, which the floor (``fmax`` ignores NaN) turns into 1e-16, the
    reference's floored value.

    float64 arithmetic rounded once to float32 for both margin types (the rounding both
    libraries apply to any objective's output), so the libraries receive the float64 log loss
    itself: a custom ``BinaryLogLoss`` reproduces LightGBM's ``binary`` to ~1e-12 and XGBoost's
    ``binary:logistic`` as closely as the float64 objective does (lightgbm 4.7, xgboost 3.2). A float32 version
    of the same formulas was 1.7 ms per 1M rows faster (measured before the filled-array
    floor) but a few ulp off, which moved XGBoost parity on breast_cancer+w from 1.8e-7 to
    2.4e-7 in probability.

    ``y`` float64 0/1 labels (validated), ``w`` None or float64 weights. Returns float32.

    Kept as the fallback without the compiled extension: measured 5.6-7.5x as fast as the loss's
    float64 reference at 1M rows (float32 and float64 margins, each hessian option; numpy 2.4, one
    core of an AMD EPYC).
    """
    z = as_float(z)
    n = z.shape[0]
    if _compiled_ok(y, z, w):
        g, h = _outputs(n)
        _ckernels.log_loss(z, y, w, g, h)
        return g, h
    dt = np.dtype(np.float64)

    def build(y, w):
        t = np.where(y > 0, 1.0, -1.0)
        # t in the margins' dtype: float32 t * float32 z is exact, and numpy writes it to the
        # float64 block about twice as fast as it multiplies a float64 t by a float32 z.
        # Unweighted, -t is applied to the float32 gradient (exact: a sign), half the bytes.
        mtw = (-t).astype(np.float32) if w is None else -t * w
        return t.astype(z.dtype), mtw, None if w is None else w.astype(dt)

    t, mtw, ww = _prepared(("log_loss", z.dtype.char), y, w, build)
    g, h = _outputs(n)
    q, e = _scratch(2, dt)
    floor = _const(HESSIAN_FLOOR, dt)
    floor32 = _const(_FLOOR32, np.float32)
    one = 1.0
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for a, b, m in _blocks(n):
            qb, eb, gb, hb = q[:m], e[:m], g[a:b], h[a:b]
            np.multiply(t[a:b], z[a:b], out=eb)  # u
            np.exp(eb, out=eb)  # E
            np.add(eb, one, out=qb)
            np.divide(one, qb, out=qb)  # q = sigma(-u)
            np.multiply(eb, qb, out=eb)  # p = sigma(u)
            np.multiply(eb, qb, out=eb)  # p q
            if ww is None:  # round, then floor at the rounded floor: the same (see _FLOOR32)
                np.copyto(hb, eb, casting="same_kind")
                np.fmax(hb, floor32[:m], out=hb)
                np.copyto(gb, qb, casting="same_kind")
                np.multiply(gb, mtw[a:b], out=gb)
            else:
                np.fmax(eb, floor[:m], out=eb)
                np.multiply(eb, ww[a:b], out=eb)
                np.copyto(hb, eb, casting="same_kind")
                np.multiply(qb, mtw[a:b], out=qb)
                np.copyto(gb, qb, casting="same_kind")
    return g, h


# ---------------------------------------------------------------------------------- regression
def _residual_setup(name, y, z, w, extra=()):
    """Labels in the margins' dtype when that is exact (so ``z - y`` is one rounding), else
    float64 labels and a float64 block for the residual."""
    z = as_float(z)

    def build(y, w):
        y32 = y.astype(np.float32)
        exact32 = bool(np.array_equal(y32, y))
        ylab = y32 if (z.dtype == np.float32 and exact32) else y
        return ylab, _f32(w)

    ylab, w32 = _prepared((name, z.dtype.char, *extra), y, w, build)
    r64 = _scratch(1, np.float64)[0] if ylab.dtype == np.float64 else None
    return z, ylab, w32, r64


def _residual(z, ylab, r64, a, b, out):
    """``out = float32(z - y)`` for rows ``a:b``: one rounding in either case."""
    if r64 is None:
        np.subtract(z[a:b], ylab[a:b], out=out)
    else:
        rb = r64[: b - a]
        np.subtract(z[a:b], ylab[a:b], out=rb)
        np.copyto(out, rb, casting="same_kind")


def squared_error(y, z, w):
    """Squared error: ``g = (z - y) * w``, ``h = w`` (1 without weights)."""
    z, ylab, w32, r64 = _residual_setup("squared_error", y, z, w)
    n = z.shape[0]
    g, h = _outputs(n)
    for a, b, _ in _blocks(n):
        gb = g[a:b]
        _residual(z, ylab, r64, a, b, gb)
        if w32 is not None:
            np.multiply(gb, w32[a:b], out=gb)
    if w32 is None:
        h.fill(1.0)
    else:
        np.copyto(h, w32)
    return g, h


def log_cosh(y, z, w, *, exact_hessian: bool, scale: float = 1.0):
    r"""Log-cosh: ``g = tanh(r)``; ``h = tanh(r)/r`` (bounded, 1 at r = 0) or ``sech(r)**2``.

    With ``scale`` s != 1, ``r`` is the scaled residual ``(z - y)/s`` and ``g = s tanh(r)``
    (:class:`~boostobj.LogCoshLoss`); ``1e-30 <= s <= 1e30`` keeps both within float32.

    Bounded, float32: with :math:`a = \mathrm{clip}(|r|, t, c)`, ``h = max(tanh|r|, t) / a``
    (``t`` the smallest normal float32, where ``tanh(t) = t``, so ``h = 1`` at ``r = 0``; ``c`` is the largest float32
    with ``1/c >= 1e-16``, beyond which the reference's ``tanh(r)/r`` is floored) and
    ``g = copysign(tanh(a), r)``. Exact hessian: ``4e/(1+e)^2`` with ``e = exp(-2|r|)`` in
    float64 from the float64 residual (a rounded residual would cost ``2|r|`` ulp).

    Kept as the fallback without the compiled extension: measured 3.7-5.8x as fast as the loss's
    float64 reference at 1M rows (float32 and float64 margins, each hessian option; numpy 2.4, one
    core of an AMD EPYC).
    """
    z = as_float(z)
    if _compiled_ok(y, z, w):  # float64 reference formulas rounded once (boostobj/_csrc)
        return _run_compiled(KERNELS["log_cosh"], y, z, w,
                             {"scale": scale, "exact_hessian": exact_hessian})
    z, ylab, w32, r64 = _residual_setup("log_cosh", y, z, w)
    n = z.shape[0]
    g, h = _outputs(n)
    r, a_ = _scratch(2, np.float32)
    e64 = _scratch(3, np.float64) if exact_hessian else None
    floor64 = _const(HESSIAN_FLOOR, np.float64)
    s32 = np.float32(scale)
    with np.errstate(under="ignore"):
        for a, b, m in _blocks(n):
            rb, ab, gb, hb = r[:m], a_[:m], g[a:b], h[a:b]
            if exact_hessian:
                ex, den, r64b = e64[0][:m], e64[1][:m], e64[2][:m]
                np.subtract(z[a:b], y[a:b], out=r64b)
                if scale != 1.0:
                    np.divide(r64b, scale, out=r64b)
                np.copyto(rb, r64b, casting="same_kind")
                np.tanh(rb, out=gb)
                np.abs(r64b, out=ex)
                np.multiply(ex, -2.0, out=ex)
                np.exp(ex, out=ex)
                np.add(ex, 1.0, out=den)
                np.multiply(den, den, out=den)
                np.divide(ex, den, out=ex)
                np.multiply(ex, 4.0, out=ex)
                np.fmax(ex, floor64[:m], out=ex)
                np.copyto(hb, ex, casting="same_kind")
            else:
                _residual(z, ylab, r64, a, b, rb)
                if scale != 1.0:
                    np.divide(rb, s32, out=rb)
                np.abs(rb, out=ab)
                np.tanh(ab, out=gb)  # tanh|u|: exactly 0 at u = 0
                # h = tanh(a)/a with a clipped (see above); below the smallest normal float32
                # tanh(a) = a, so max(tanh|u|, t) / max(|u|, t) = t/t = 1 there
                np.clip(ab, _TINY32, _CAP32, out=ab)
                np.maximum(gb, _TINY32, out=hb)
                np.divide(hb, ab, out=hb)
                np.copysign(gb, rb, out=gb)
            if scale != 1.0:
                np.multiply(gb, s32, out=gb)
            if w32 is not None:
                np.multiply(gb, w32[a:b], out=gb)
                np.multiply(hb, w32[a:b], out=hb)
    return g, h


def pseudo_huber(y, z, w, *, delta: float, exact_hessian: bool):
    r"""Pseudo-Huber: ``g = r / rho``, ``h = 1/rho`` (bounded) or ``rho**-3``, ``rho = hypot(1, r/delta)``.

    float32: ``s = r / delta`` clipped to ``±1e18`` (so ``s*s`` cannot overflow; beyond it
    ``1/rho`` is below the floor and ``s/rho`` is ``±1`` in float32 as in the reference),
    ``inv = 1 / sqrt(s*s + 1)``, ``g = delta * (s * inv)``, ``h = inv`` or ``inv / (s*s + 1)``,
    floored.

    Kept as the fallback without the compiled extension: measured 13-25x as fast as the loss's
    float64 reference at 1M rows (float32 and float64 margins, each hessian option; numpy 2.4, one
    core of an AMD EPYC).
    """
    z = as_float(z)
    if _compiled_ok(y, z, w):  # float64 formulas rounded once (boostobj/_csrc)
        return _run_compiled(KERNELS["pseudo_huber"], y, z, w,
                             {"delta": delta, "exact_hessian": exact_hessian})
    z, ylab, w32, r64 = _residual_setup("pseudo_huber", y, z, w)
    n = z.shape[0]
    g, h = _outputs(n)
    s, inv = _scratch(2, np.float32)
    d32 = np.float32(delta)
    big = np.float32(1e18)
    floor = _const(_FLOOR32, np.float32)
    with np.errstate(under="ignore"):
        for a, b, m in _blocks(n):
            sb, ib, gb, hb = s[:m], inv[:m], g[a:b], h[a:b]
            _residual(z, ylab, r64, a, b, sb)
            if delta != 1.0:
                np.divide(sb, d32, out=sb)
            np.clip(sb, -big, big, out=sb)
            np.multiply(sb, sb, out=hb)
            np.add(hb, _ONE32, out=hb)  # rho**2
            np.sqrt(hb, out=ib)
            np.divide(_ONE32, ib, out=ib)  # 1/rho
            np.multiply(sb, ib, out=gb)
            if delta != 1.0:
                np.multiply(gb, d32, out=gb)
            if exact_hessian:  # (1/rho) / rho**2: fewer roundings than (1/rho)**3
                np.divide(ib, hb, out=hb)
                np.fmax(hb, floor[:m], out=hb)
            else:
                np.fmax(ib, floor[:m], out=hb)
            if w32 is not None:
                np.multiply(gb, w32[a:b], out=gb)
                np.multiply(hb, w32[a:b], out=hb)
    return g, h


# ---------------------------------------------------------------------------------- compiled 1-D
# A one-dimensional compiled kernel takes the margins, the labels (or their logarithms), the
# weights, the two outputs and its scalar arguments; its Kernel declaration's ``args`` says which
# of the loss's keyword arguments those are. The kernels declared without a function (those with
# no numpy version) are run by _run_compiled alone.
@dataclasses.dataclass(frozen=True)
class Args:
    """The ``args`` of a one-dimensional compiled kernel: the loss's keyword arguments passed as
    its ``param`` and ``param2`` (None: unused, 0 passed) and as its hessian switch ``flag``
    (None: unused, False passed), named as the extension's binding names them.
    ``Args("scale", "alpha", flag="exact_hessian")(**params)`` is the compiled call's
    ``(param, param2, 0.0, exact)``."""

    param: str | None = None
    param2: str | None = None
    flag: str | None = dataclasses.field(default=None, kw_only=True)

    def __call__(self, **params) -> tuple[float, float, float, bool]:
        names = {n for n in (self.param, self.param2, self.flag) if n is not None}
        if params.keys() != names:
            raise TypeError(f"expected the keyword arguments {sorted(names)}, got "
                            f"{sorted(params)}")
        return (0.0 if self.param is None else params[self.param],
                0.0 if self.param2 is None else params[self.param2], 0.0,
                False if self.flag is None else params[self.flag])


def _log_labels(y: np.ndarray) -> np.ndarray:
    """``log y`` with numpy's ``log``, as the reference takes it (so ``z - log y`` is the
    reference's to the bit), ``-inf`` for a label 0; computed once per label array."""
    def build(y, _):
        with np.errstate(divide="ignore"):
            return np.log(y)

    return _prepared(("log_labels",), y, None, build)


def _run_compiled(kernel: Kernel, y, z, w, params: dict):
    """Compiled 1-D ``kernel`` with the loss's keyword arguments ``params`` into the reused
    float32 outputs; margins that are not C-contiguous float32/float64 are copied first."""
    if _ckernels is None:
        raise RuntimeError(
            f"kernel {kernel.name!r} has no numpy version and the compiled extension "
            "boostobj._ckernels is not in use here; check boostobj._kernels.available(name) "
            "first (the dispatcher runs the float64 reference then)")
    labels = _log_labels(y) if kernel.log_labels else y
    z = np.ascontiguousarray(as_float(z))
    labels = np.ascontiguousarray(labels, dtype=np.float64)
    w = None if w is None else np.ascontiguousarray(w, dtype=np.float64)
    g, h = _outputs(z.shape[0])
    p0, p1, _, flag = kernel.args(**params)
    getattr(_ckernels, kernel.name)(z, labels, w, g, h, float(p0), float(p1), bool(flag))
    return g, h


def _focal_alphas(alpha):
    """Focal's class weights ``(a_pos, a_neg)``: ``(alpha, 1 - alpha)``, or ``(1, 1)``."""
    return (1.0, 1.0) if alpha is None else (alpha, 1.0 - alpha)


# ---------------------------------------------------------------------------------- focal
#: softplus(-u) is only ever multiplied by p = sigma(u) < e**-700 beyond this clip, which is 0 in
#: float32 (and 1e-304 in float64), so clipping -u there changes no output and keeps exp finite.
_NU_CLIP = 700.0


def focal(y, z, w, *, gamma: float, alpha: float | None, bounded: bool):
    r"""Binary focal loss in float64 per block, rounded once to float32 (see ``FocalLoss``).

    With :math:`v = \min(-u, 700)` and :math:`E = e^{v}`: :math:`p = \sigma(u) = 1/(1+E)`,
    :math:`q = \sigma(-u) = E p` (a product, no ``1 - p``), :math:`s = -\log p = \log1p(E)` and
    :math:`q^\gamma = \exp(-\gamma (s - v))` (``q*q`` for ``gamma = 2``), using
    :math:`\mathrm{softplus}(u) = u + \mathrm{softplus}(-u)`. Then
    ``g = -t alpha_t w q^g (gamma p s + q)`` and ``h = q^g p [q (1 + 2 gamma - gamma s) +
    gamma^2 p s]`` (the reference's bracket regrouped), ``max(bracket, q)`` for the bounded
    hessian, floored after ``alpha_t`` and before the weights, as in the reference. Near the
    exact hessian's sign change both float64 evaluations carry an absolute error of about
    ``1e-16`` times the terms.

    Kept as the fallback without the compiled extension: measured 3.0-7.7x as fast as the loss's
    float64 reference at 1M rows (float32 and float64 margins, each hessian option; numpy 2.4, one
    core of an AMD EPYC).
    """
    z = as_float(z)
    n = z.shape[0]
    if _compiled_ok(y, z, w):
        g, h = _outputs(n)
        _ckernels.focal(z, y, w, g, h,
                        *KERNELS["focal"].args(gamma=gamma, alpha=alpha, bounded=bounded))
        return g, h

    def build(y, w):
        pos = y > 0
        t = np.where(pos, 1.0, -1.0)
        at = None if alpha is None else np.where(pos, alpha, 1.0 - alpha)
        c = t if at is None else t * at
        if w is not None:
            c = c * w
        # -t in z's dtype and, when c is just t, as a float32 sign for the gradient: see log_loss
        return (-t).astype(z.dtype), (-c).astype(np.float32 if c is t else np.float64), at

    mt, cg, at = _prepared(("focal", z.dtype.char, gamma, alpha), y, w, build)
    g, h = _outputs(n)
    v, p, q, s, qg, ps, x = _scratch(7, np.float64)
    clip, floor = _const(_NU_CLIP, np.float64), _const(HESSIAN_FLOOR, np.float64)
    floor32 = _const(_FLOOR32, np.float32)
    c1 = 1.0 + 2.0 * gamma
    with np.errstate(under="ignore", over="ignore", divide="ignore"):
        for a, b, m in _blocks(n):
            vb, pb, qb, sb, gb_, psb, xb = (arr[:m] for arr in (v, p, q, s, qg, ps, x))
            np.multiply(mt[a:b], z[a:b], out=vb)  # v = -u
            np.minimum(vb, clip[:m], out=vb)
            np.exp(vb, out=xb)  # E
            np.log1p(xb, out=sb)  # s = -log p
            np.add(xb, 1.0, out=pb)
            np.divide(1.0, pb, out=pb)  # p
            np.multiply(xb, pb, out=qb)  # q = E p
            if gamma == 2.0:
                np.multiply(qb, qb, out=gb_)
            elif gamma == 1.0:
                np.copyto(gb_, qb)
            elif gamma == 0.0:
                gb_.fill(1.0)
            else:
                np.subtract(sb, vb, out=gb_)  # softplus(u) = -log q
                np.multiply(gb_, -gamma, out=gb_)
                np.exp(gb_, out=gb_)
            np.multiply(pb, sb, out=psb)  # p s
            # gradient
            np.multiply(psb, gamma, out=xb)
            np.add(xb, qb, out=xb)
            np.multiply(xb, gb_, out=xb)
            if cg.dtype == np.float32:  # a sign: exact on the rounded value
                np.copyto(g[a:b], xb, casting="same_kind")
                np.multiply(g[a:b], cg[a:b], out=g[a:b])
            else:
                np.multiply(xb, cg[a:b], out=xb)
                np.copyto(g[a:b], xb, casting="same_kind")
            # hessian
            np.multiply(sb, -gamma, out=xb)
            np.add(xb, c1, out=xb)
            np.multiply(xb, qb, out=xb)
            np.multiply(psb, gamma * gamma, out=psb)
            np.add(xb, psb, out=xb)
            if bounded:
                np.maximum(xb, qb, out=xb)
            np.multiply(xb, pb, out=xb)
            np.multiply(xb, gb_, out=xb)
            if at is not None:
                np.multiply(xb, at[a:b], out=xb)
            if w is None:  # round, then floor at the rounded floor: the same (see _FLOOR32)
                np.copyto(h[a:b], xb, casting="same_kind")
                np.fmax(h[a:b], floor32[:m], out=h[a:b])
            else:
                np.fmax(xb, floor[:m], out=xb)
                np.multiply(xb, w[a:b], out=xb)
                np.copyto(h[a:b], xb, casting="same_kind")
    return g, h


# ---------------------------------------------------------------------------------- softmax
def _softmax_rows(k: int) -> int:
    """Rows per softmax block: about BLOCK entries of (rows x classes) float64 scratch."""
    return max(1, BLOCK // k)


def _multiclass_outputs(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Float32 gradient and hessian shaped like the ``(n, k)`` margins and in their memory order
    (C from XGBoost, F from LightGBM, whose ``ravel(order="F")`` is then free): views of the
    reused pair of :func:`_outputs`, so a caller that keeps them keeps the pair out of reuse."""
    n, k = z.shape
    order = "F" if (z.flags.f_contiguous and not z.flags.c_contiguous) else "C"
    g, h = _outputs(n * k)
    return g.reshape((n, k), order=order), h.reshape((n, k), order=order)


def _multiclass_compiled_ok(y, z, w) -> bool:
    """The compiled multiclass kernels take C- or F-contiguous float32/64 ``(n, k)`` margins and
    C-contiguous float64 labels and weights."""
    return (_ckernels is not None and (z.flags.c_contiguous or z.flags.f_contiguous)
            and y.dtype == np.float64 and y.flags.c_contiguous
            and (w is None or (w.dtype == np.float64 and w.flags.c_contiguous)))


def _softmax_block(z, a, b, yi, E, T, ones_buf, mx, S, rest, rq):
    """Rows ``a:b`` of the margins as class-major float64 ``p`` (in ``E``) and ``q = 1 - p`` (in
    ``T``), the largest column's ``q`` computed as ``rest / S`` (see :func:`softmax`). Returns
    ``(p, q, mx, rest, r, lab)`` for the block: the row maxima, the sums of the entries other
    than one largest, the row numbers and the labels."""
    m = b - a
    e, t, ones = E[:, :m], T[:, :m], ones_buf[:, :m]
    mxb, Sb, rb, rqb = mx[:m], S[:m], rest[:m], rq[:m]
    np.copyto(e, z[a:b].T, casting="same_kind")
    np.copyto(mxb, e[0])
    for c in range(1, e.shape[0]):
        np.maximum(mxb, e[c], out=mxb)
    with np.errstate(invalid="ignore"):
        np.subtract(e, mxb, out=e)
    if not np.isfinite(mxb).all():  # rare: inf - inf, a tie with an infinite maximum
        np.copyto(e, 0.0, where=np.isnan(e) & np.isinf(mxb))
    np.exp(e, out=e)
    np.equal(e, 1.0, out=ones)
    np.subtract(e, ones, out=t)  # the row's largest entries zeroed
    np.copyto(Sb, e[0])
    np.copyto(rb, t[0])
    for c in range(1, e.shape[0]):
        Sb += e[c]
        rb += t[c]
    rb += ones.sum(axis=0) - 1.0  # rest: the entries other than one largest (ties)
    e /= Sb  # p
    np.subtract(1.0, e, out=t)  # q = 1 - p
    np.divide(rb, Sb, out=rqb)
    np.copyto(t, np.broadcast_to(rqb, t.shape), where=ones)  # exact 1 - p of the largest
    return e, t, mxb, rb, np.arange(m), yi[a:b]


def _softmax_scratch(k: int):
    """Rows per block and the buffers of :func:`_softmax_block`."""
    rows = _softmax_rows(k)
    E, T = (a[: k * rows].reshape(k, rows) for a in _scratch(2, np.float64))
    return rows, E, T, np.empty((k, rows), bool), *(np.empty(rows) for _ in range(4))


def softmax(y, z, w, *, scale: float):
    r"""Softmax cross-entropy: ``g = p - [k = y]``, ``h = scale * p (1 - p)``, float64 per block of
    rows, rounded once to float32; floored at 1e-16 before the weights, as the reference.

    Per block: ``e = exp(z - max_k z)`` (the largest entry of a row is exactly 1), ``S = sum e``,
    ``p = e / S``. ``1 - p`` is exact for every column with ``p <= 1/2``; for the largest column
    it is ``rest / S``, where ``rest`` sums the *other* entries directly (entries equal to 1 are
    zeroed, then ``(number of ones) - 1`` added back, which also covers ties). So a confident row
    keeps a relative-precision gradient ``-(1 - p_y)``. Blocks are held class-major (one
    contiguous row per class), so the per-row max and sums are ``K - 1`` elementwise passes
    instead of numpy's slow reductions over a short last axis. The outputs keep the margins'
    memory order (C from XGBoost, F from LightGBM, whose ``ravel(order="F")`` is then free) and
    are the reused pair of :func:`_outputs`.

    Compiled (``boostobj/_csrc``, C- or F-contiguous margins): the same float64 formulas, fused
    into one pass over blocks of rows, with the largest column's ``rest`` summed directly over
    the other columns (the reference's own rule); within 1 float32 ulp of this numpy version and
    within half an ulp of the float64 reference in the tests.

    Kept as the fallback without the compiled extension: measured 2.3-3.2x as fast as the loss's
    float64 reference at 1M rows of 3 classes (float32 and float64 margins, each hessian option;
    numpy 2.4, one core of an AMD EPYC).
    """
    z = as_float(z)
    n, k = z.shape
    g, h = _multiclass_outputs(z)
    if _multiclass_compiled_ok(y, z, w):
        _ckernels.softmax(z, y, w, g, h, float(scale))
        return g, h
    yi = _prepared(("softmax_labels",), y, None, lambda y, _: y.astype(np.intp))
    rows, *buffers = _softmax_scratch(k)
    floor = _const(HESSIAN_FLOOR, np.float64)
    with np.errstate(under="ignore"):
        for a in range(0, n, rows):
            b = min(a + rows, n)
            e, t, _, _, r, lab = _softmax_block(z, a, b, yi, *buffers)
            q_y = t[lab, r]
            np.multiply(e, t, out=t)  # p q
            e[lab, r] = -q_y  # p_y - 1
            _store_block(e, t, g, h, a, b, floor, scale, w)
    return g, h


def _store_block(gb, hb, g, h, a, b, floor, scale, w):
    """The last steps of a multiclass block (class-major ``gb``, ``hb``), as the reference: the
    hessian floored, times ``scale``, both times the weights, stored into rows ``a:b`` of the
    outputs, rounded to float32."""
    np.fmax(hb, floor[: b - a], out=hb)
    if scale != 1.0:
        hb *= scale
    if w is not None:
        gb *= w[a:b]
        hb *= w[a:b]
    np.copyto(g[a:b], gb.T, casting="same_kind")
    np.copyto(h[a:b], hb.T, casting="same_kind")


def multiclass_focal(y, z, w, *, gamma: float, alpha, bounded: bool, scale: float):
    r"""Multiclass focal loss (``MulticlassFocalLoss``): float64 per block of rows, rounded once
    to float32, floored at 1e-16, times ``scale``, then weighted, as the reference.

    The softmax pieces as in :func:`softmax` (``p``, ``q = 1 - p`` with the largest column's
    from ``rest / S``), ``s = -log p_y = (m - z_y) + log1p(rest)``, then the reference's own
    formulas in its order of operations: ``aqg = alpha_y q_y**gamma`` (``q*q`` for ``gamma =
    2``), ``F = aqg (gamma p_y s / q_y + 1)``, ``G = aqg [(1 - gamma)(gamma p_y s + q_y) +
    q_y (gamma s - gamma - 1)]``, gradient ``(p - [k = y]) F`` and hessian ``p q F -
    ((p - [k = y]) / q_y)**2 p_y G``, ``max(that, aqg p q)`` when ``bounded``. The limits at
    ``q_y = 0`` and ``p_y = 0`` are the reference's (``s / q -> 1``, ``p s`` and ``p G -> 0``).
    Near the exact hessian's sign change every float64 evaluation carries an absolute error of
    about ``1e-16`` times the terms.

    ``alpha`` None or one weight per class. Compiled: one fused pass over blocks of rows, the same
    formulas (libmvec's ``exp``/``log1p``/``log``).

    Kept as the fallback without the compiled extension: measured 2.4-3.1x as fast as the loss's
    float64 reference at 1M rows of 3 classes (float32 and float64 margins, each hessian option;
    numpy 2.4, one core of an AMD EPYC).
    """
    z = as_float(z)
    n, k = z.shape
    g, h = _multiclass_outputs(z)
    al = None if alpha is None else np.asarray(alpha, dtype=np.float64)
    if _multiclass_compiled_ok(y, z, w):
        _ckernels.multiclass_focal(z, y, w, g, h, float(scale), float(gamma), al, bool(bounded))
        return g, h
    yi = _prepared(("softmax_labels",), y, None, lambda y, _: y.astype(np.intp))
    rows, E, T, *small = _softmax_scratch(k)
    U = np.empty((k, rows))
    floor = _const(HESSIAN_FLOOR, np.float64)
    gam = float(gamma)
    with np.errstate(under="ignore", over="ignore", invalid="ignore", divide="ignore"):
        for a in range(0, n, rows):
            b = min(a + rows, n)
            m = b - a
            p, q, mx, rest, r, lab = _softmax_block(z, a, b, yi, E, T, *small)
            zy = z[a:b][r, lab].astype(np.float64)
            s = np.where(zy == mx, 0.0, mx - zy) + np.log1p(rest)  # -log p_y
            py, qy = p[lab, r], q[lab, r]
            if gam == 2.0:
                qg = qy * qy
            elif gam == 1.0:
                qg = qy.copy()
            elif gam == 0.0:
                qg = np.ones(m)
            else:
                qg = np.exp(gam * np.log(qy))  # 0 when q is 0
            aqg = qg if al is None else al[lab] * qg
            pos = qy > 0.0
            s_over_q = np.divide(s, qy, out=np.ones(m), where=pos)  # -> 1 as q -> 0
            live = py > 0.0  # p s -> 0 and p G -> 0 as p -> 0
            F = aqg * (gam * np.where(live, py * s_over_q, 0.0) + 1.0)
            G = aqg * ((1.0 - gam) * (gam * np.where(live, py * s, 0.0) + qy)
                       + qy * (gam * s - gam - 1.0))
            pG = np.where(live, py * G, 0.0)
            u = U[:, :m]
            np.multiply(p, q, out=q)  # p q
            p[lab, r] = -qy  # p_j - [j = y]
            np.divide(p, qy, out=u, where=pos)  # ratio
            u[:, ~pos] = 0.0
            np.multiply(u, u, out=u)
            u *= pG
            np.multiply(p, F, out=p)  # gradient
            if bounded:
                bound = q * aqg
            np.multiply(q, F, out=q)
            q -= u  # exact hessian
            if bounded:
                np.maximum(q, bound, out=q)
            _store_block(p, q, g, h, a, b, floor, scale, w)
    return g, h


# ---------------------------------------------------------------------------------- the table
@dataclasses.dataclass(frozen=True)
class Kernel:
    """One fast kernel, declared once: :data:`KERNELS` holds them, and every set and switch of
    this module (:data:`FLOAT32_OVERFLOW`, :func:`compiled`, :func:`available`,
    :func:`catboost_ders`) is read from them. Called as ``kernel(y, z, w, **params)`` with
    validated float64 labels, the margins, float64 weights or None and the keyword arguments
    :meth:`boostobj.Loss.fast_kernel` names (``scale`` too for the multiclass kernels), it
    returns the float32 gradient and hessian, floored and weighted.

    ``name``: the name :meth:`boostobj.Loss.fast_kernel` gives, and the compiled function's.
    ``function``: the Python function that runs it (its numpy version, which calls the compiled
    one when it can); None for a one-dimensional kernel that exists only compiled.
    ``args``: the compiled call's scalar arguments ``(p0, p1, p2, flag)`` from the keyword
    arguments (:class:`Args` for a one-dimensional kernel; focal: ``gamma``, ``a_pos``,
    ``a_neg``, ``bounded``; None for the multiclass kernels, whose functions call the extension
    with their own arguments).
    ``compiled``: the extension implements it. ``numpy``: it has a numpy version, which runs
    without the extension; a kernel without one is not :func:`available` then, and the
    dispatcher runs its loss's float64 reference.
    ``log_labels``: the compiled kernel reads the labels' logarithms (numpy's ``log``, once per
    label array) instead of the labels.
    ``float32_overflow``: its gradient or hessian is an exponential of the margin, whose float32
    value overflows to inf where the float64 reference is finite (:data:`FLOAT32_OVERFLOW`).
    ``catboost_fused``: CatBoost's ``calc_ders_range`` may run it as one compiled call
    (:func:`catboost_ders`): a compiled kernel on the labels themselves whose float32 output
    cannot overflow where the float64 reference is finite.
    ``target_ms``: the benchmark's target for the objective call, ms per 1M rows on one core
    (3 classes for the multiclass kernels); None for none.
    """

    name: str
    function: Callable | None = None
    args: Callable[..., tuple] | None = None
    compiled: bool = True
    numpy: bool = False
    log_labels: bool = False
    float32_overflow: bool = False
    catboost_fused: bool = False
    target_ms: float | None = None

    def __post_init__(self):
        problems = [
            not (self.compiled or self.numpy) and "neither compiled nor numpy",
            self.function is None and not (self.compiled and isinstance(self.args, Args))
            and "no function: a compiled one-dimensional kernel needs args=Args(...)",
            self.function is None and self.numpy and "a numpy version needs its function",
            self.log_labels and self.function is not None
            and "log_labels: for a kernel run from its declaration (no function)",
            self.catboost_fused and not (self.compiled and self.args is not None
                                         and not self.float32_overflow and not self.log_labels)
            and "catboost_fused: for a compiled 1-D kernel on the labels that cannot overflow",
        ]
        problems = [p for p in problems if p]
        if problems:
            raise ValueError(f"kernel {self.name!r}: " + "; ".join(problems))

    def __call__(self, y, z, w, **params):
        if self.function is not None:
            return self.function(y, z, w, **params)
        return _run_compiled(self, y, z, w, params)


#: Every fast kernel by name (what :meth:`boostobj.Loss.fast_kernel` names): the one table the
#: dispatcher, the benchmark and the tests read. The compiled ones are also listed in the
#: extension's kernels.h, from which its code is generated (the tests check that the two agree).
KERNELS: dict[str, Kernel] = {kernel.name: kernel for kernel in (
    Kernel("log_loss", log_loss, Args(), numpy=True, catboost_fused=True, target_ms=3.0),
    Kernel("focal", focal, lambda gamma, alpha, bounded: (gamma, *_focal_alphas(alpha), bounded),
           numpy=True, catboost_fused=True, target_ms=10.0),
    Kernel("squared_error", squared_error, compiled=False, numpy=True),
    Kernel("log_cosh", log_cosh, Args("scale", flag="exact_hessian"), numpy=True,
           catboost_fused=True, target_ms=3.0),
    Kernel("pseudo_huber", pseudo_huber, Args("delta", flag="exact_hessian"), numpy=True,
           catboost_fused=True, target_ms=3.0),
    Kernel("softmax", softmax, numpy=True, target_ms=8.0),
    Kernel("multiclass_focal", multiclass_focal, numpy=True, target_ms=20.0),
    Kernel("poisson", args=Args("max_delta_step", flag="exact_hessian"), float32_overflow=True,
           target_ms=3.0),
    Kernel("gamma", args=Args(), log_labels=True, float32_overflow=True, target_ms=3.0),
    Kernel("tweedie", args=Args("power"), log_labels=True, float32_overflow=True, target_ms=3.0),
    Kernel("quantile", args=Args("alpha"), catboost_fused=True, target_ms=3.0),
    Kernel("expectile", args=Args("tau"), catboost_fused=True, target_ms=3.0),
    Kernel("fair", args=Args("c"), catboost_fused=True, target_ms=3.0),
    Kernel("cauchy", args=Args("scale", flag="exact_hessian"), catboost_fused=True, target_ms=3.0),
    Kernel("welsch", args=Args("scale", flag="exact_hessian"), catboost_fused=True, target_ms=3.0),
    Kernel("cross_entropy", args=Args(), catboost_fused=True, target_ms=3.0),
    Kernel("smooth_quantile", args=Args("scale", "alpha", flag="exact_hessian"),
           catboost_fused=True, target_ms=3.0),
)}

#: The kernels whose gradient or hessian is an exponential of the margin: their float32 outputs
#: overflow to inf from a margin of about 88 (from ``z - log y`` of about -88 for gamma), where the
#: float64 reference stays finite up to about 709. XGBoost and LightGBM store float32 and so
#: overflow there either way; a consumer of float64 derivatives (CatBoost) gets the reference.
FLOAT32_OVERFLOW = frozenset(name for name, k in KERNELS.items() if k.float32_overflow)


def catboost_ders(name: str, params: dict):
    """CatBoost's ``calc_ders_range`` for kernel ``name`` with ``params`` as one compiled
    callable, or None when the kernel has no such path (not ``catboost_fused``, or no
    extension): ``ders(approxes, targets, weights)`` returns a new ``(m, 2)`` float64 array
    of ``-g, -h``, the kernel's float32 outputs (floored and weighted) exactly, reading
    CatBoost's float64 margins and float32 labels and weights (or None) as they are. Labels
    must be validated beforehand.

    It is a :func:`functools.partial` of a compiled function, so an object holding it as its
    ``calc_ders_range`` attribute runs no Python frame when CatBoost calls it (several hundred
    times an iteration, from its worker threads, under the GIL): measured with catboost 1.2.10,
    the estimator's Python method running the same kernel and numpy steps trained in 1.4-2.1x
    the time of CatBoost's ``Logloss``, this in 1.02-1.18x.
    """
    kernel = KERNELS[name]
    if _ckernels is None or not kernel.catboost_fused:
        return None
    p0, p1, p2, flag = kernel.args(**params)
    return functools.partial(_ckernels.catboost_ders, name, float(p0), float(p1), float(p2),
                             bool(flag))


def compiled(name: str) -> bool:
    """Whether kernel ``name`` runs compiled code right now (see :func:`numpy_kernels`)."""
    return _ckernels is not None and KERNELS[name].compiled


def available(name: str) -> bool:
    """Whether kernel ``name`` can run right now: every kernel with a numpy version, and the
    others while the extension is in use. The dispatcher runs the loss's float64 reference for
    a kernel that is not."""
    kernel = KERNELS[name]
    return kernel.numpy or (kernel.compiled and _ckernels is not None)
