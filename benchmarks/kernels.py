"""Only the gradient/hessian kernels and the memory-bandwidth floor (no training), in ms.

    .venv/bin/python benchmarks/kernels.py [rows] [repeats] [passes]

Each figure is the median of ``repeats`` calls, then the median over ``passes`` passes through
the whole list (default 5), so that a slow phase of a shared machine does not decide a kernel's
figure alone; the last column lists every pass.
"""

import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from boostobj import bench

if __name__ == "__main__":
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 21
    passes = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    floor = bench.memory_floor()
    rows_out = bench.kernel_rows(bench.kernel_losses(), rows, reps, bench.LIBRARIES, passes)
    for row in rows_out:
        row["target_ms_per_1m"] = bench.KERNEL_TARGETS.get(row["name"])
    print(f"memory: {floor['copy_gb_per_s']:.1f} GB/s copy -> floor "
          f"{floor['floor_rows_per_s'] / 1e6:.0f} M rows/s at 16 B/row; "
          f"{rows:,} rows, median of {reps} calls, then of {passes} passes\n")
    print(bench.kernel_table(rows_out, floor))
