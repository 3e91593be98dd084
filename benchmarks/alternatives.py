"""Alternatives to the shipped kernels that were measured and not adopted (README, Benchmarks),
beside the numpy kernel and the compiled extension (``boostobj/_csrc``) that were:

* the log-loss formulas in float32 arithmetic (faster, a few ulp from the float64 values);
* the shipped kernels (compiled when built) on two Python threads, each on half of the rows
  (numpy and the extension release the GIL);
* a fused one-pass log loss compiled with numba, when numba is installed (it is not a
  dependency; whether its llvmlite has SVML decides if ``exp`` is vectorised).

    .venv/bin/python benchmarks/alternatives.py [rows] [repeats]
"""

import math
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

from boostobj import _kernels


def log_loss_float32(t32, z32, out_g, out_h):
    """The shipped log-loss formulas (see ``_kernels.log_loss``) with float32 arithmetic."""
    floor = _kernels._const(_kernels._FLOOR32, np.float32)
    e, q = _kernels._scratch(2, np.float32)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for a, b, m in _kernels._blocks(z32.shape[0]):
            eb, qb = e[:m], q[:m]
            np.multiply(t32[a:b], z32[a:b], out=eb)
            np.exp(eb, out=eb)
            np.add(eb, np.float32(1), out=qb)
            np.divide(np.float32(1), qb, out=qb)
            np.multiply(eb, qb, out=eb)
            np.multiply(eb, qb, out=out_h[a:b])
            np.fmax(out_h[a:b], floor[:m], out=out_h[a:b])
            np.multiply(qb, -t32[a:b], out=out_g[a:b])
    return out_g, out_h


def ulps(a, b):
    """Largest distance between two float32 arrays in units of the last place of ``a``."""
    return float(np.max(np.abs(a.astype(np.float64) - b) / np.spacing(np.abs(a))))


def timed(fn, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        del out
    return statistics.median(times) * 1e3


def numba_log_loss():
    """A fused numba loop, or None when numba is not installed."""
    try:
        import numba
    except ImportError:
        return None, None

    @numba.njit(nogil=True)
    def fused(t, z, g, h):
        for i in range(z.shape[0]):
            e = math.exp(t[i] * z[i])
            q = 1.0 / (1.0 + e)
            g[i] = -t[i] * q
            hh = e * q * q
            h[i] = hh if hh > 1e-16 else 1e-16  # noqa: FURB136 (a NaN must become the floor)

    return fused, numba.config.USING_SVML


def main(rows: int = 1_000_000, reps: int = 41) -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(rows) < 0.4).astype(np.float64)
    z32 = rng.normal(0.0, 2.0, rows).astype(np.float32)
    t32 = np.where(y > 0, 1.0, -1.0).astype(np.float32)
    g32, h32 = np.empty(rows, np.float32), np.empty(rows, np.float32)
    scale = 1e6 / rows

    def shipped():
        return _kernels.log_loss(y, z32, None)

    def numpy_kernel():
        with _kernels.numpy_kernels():
            return _kernels.log_loss(y, z32, None)

    ref_g, ref_h = (a.copy() for a in numpy_kernel())
    f32_g, f32_h = log_loss_float32(t32, z32, g32, h32)
    print(f"log loss, {rows:,} rows, float32 margins, median of {reps} calls, ms per 1M rows:")
    print(f"  numpy kernel (float64, rounded once)        {timed(numpy_kernel, reps) * scale:6.2f}")
    if _kernels.COMPILED:
        print(f"  compiled kernel (shipped; gcc + libmvec)    {timed(shipped, reps) * scale:6.2f}")
    else:
        print("  compiled kernel                             not built here")
    print(f"  float32 arithmetic                          "
          f"{timed(lambda: log_loss_float32(t32, z32, g32, h32), reps) * scale:6.2f}"
          f"   (up to {ulps(ref_g, f32_g):.0f} ulp in the gradient, {ulps(ref_h, f32_h):.0f} in the hessian)")

    fused, svml = numba_log_loss()
    if fused is None:
        print("  numba fused loop                            not installed")
    else:
        t64, g, h = t32.astype(np.float64), np.empty(rows, np.float32), np.empty(rows, np.float32)
        fused(t64, z32, g, h)  # compile outside the timing
        print(f"  numba fused loop (SVML: {svml})               "
              f"{timed(lambda: fused(t64, z32, g, h), reps) * scale:6.2f}")

    # two threads: each half has its own labels array, so each gets its own prepared cache entry
    half = rows // 2
    halves = [(y[:half].copy(), z32[:half]), (y[half:].copy(), z32[half:])]
    prep_size, _kernels._PREP_SIZE = _kernels._PREP_SIZE, max(_kernels._PREP_SIZE, 8)
    try:
        _two_threads(halves, y, z32, reps, scale)
    finally:
        _kernels._PREP_SIZE = prep_size


def _two_threads(halves, y, z32, reps, scale):
    with ThreadPoolExecutor(2) as pool:
        for name, kernel in (("log loss", _kernels.log_loss),
                             ("focal", lambda yy, zz, w: _kernels.focal(yy, zz, w, gamma=2.0,
                                                                       alpha=None, bounded=True))):
            def two(kernel=kernel):
                futures = [pool.submit(kernel, yy, zz, None) for yy, zz in halves]
                return [f.result() for f in futures]

            two()
            one = timed(lambda kernel=kernel: kernel(y, z32, None), reps) * scale
            print(f"  {name:9s} one thread {one:6.2f}, two threads {timed(two, reps) * scale:6.2f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 1_000_000, int(args[1]) if len(args) > 1 else 41)
