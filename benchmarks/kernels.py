"""Only the gradient/hessian kernels and the memory-bandwidth floor (no training), in ms.

    .venv/bin/python benchmarks/kernels.py [rows] [repeats] [passes] [classes]

Each figure is the median of ``repeats`` calls, then the median over ``passes`` passes through
the whole list (default 5), so that a slow phase of a shared machine does not decide a kernel's
figure alone; the last column lists every pass. The multiclass losses are timed there at 3
classes; ``classes`` (default ``10``, a comma-separated list, ``0`` for none) adds a table of the
multiclass kernels at those class counts: XGBoost's float32 C-ordered margins and LightGBM's
float64 F-ordered ones, compiled and numpy.
"""

import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
from alternatives import timed  # the median of timed calls, in ms (benchmarks/alternatives.py)

import boostobj
from boostobj import _kernels, bench
from boostobj.received import library_gradient_hessian


def multiclass_table(rows, reps, classes):
    """Multiclass kernels at ``classes`` classes, ms per call of ``rows`` rows (medians)."""
    rng = np.random.default_rng(7)
    lines = [f"{'loss':44s} {'K':>3s} {'margins':>12s} {'compiled':>9s} {'numpy':>9s}"]
    for k in classes:
        y = rng.integers(0, k, rows).astype(np.float64)
        z = rng.normal(0.0, 2.0, (rows, k))
        layouts = (("f32 C (xgb)", z.astype(np.float32)), ("f64 F (lgb)", np.asfortranarray(z)))
        for loss in (boostobj.SoftmaxLoss(), boostobj.MulticlassFocalLoss(),
                     boostobj.MulticlassFocalLoss(hessian="exact")):
            name = loss.fast_kernel()[0]
            for label, zz in layouts:
                def call(loss=loss, y=y, zz=zz):
                    return library_gradient_hessian(loss, y, zz, None, scale=2.0)

                compiled = timed(call, reps) if _kernels.compiled(name) else float("nan")
                with _kernels.numpy_kernels():
                    plain = timed(call, max(3, reps // 4))
                lines.append(f"{loss!r:44s} {k:3d} {label:>12s} {compiled:9.2f} {plain:9.2f}")
    return "\n".join(lines)

if __name__ == "__main__":
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 21
    passes = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    floor = bench.memory_floor()
    rows_out = bench.kernel_rows(bench.kernel_losses(), rows, reps, bench.LIBRARIES, passes)
    print(f"memory: {floor['copy_gb_per_s']:.1f} GB/s copy -> floor "
          f"{floor['floor_rows_per_s'] / 1e6:.0f} M rows/s at 16 B/row; "
          f"{rows:,} rows, median of {reps} calls, then of {passes} passes\n")
    print(bench.kernel_table(rows_out, floor))
    classes = [int(c) for c in (sys.argv[4] if len(sys.argv) > 4 else "10").split(",") if int(c)]
    if classes:
        print(f"\nmulticlass kernels, {rows:,} rows, ms per call (median of {reps} calls; numpy: "
              f"of {max(3, reps // 4)}):\n")
        print(multiclass_table(rows, reps, classes))
