"""Only the gradient/hessian kernels and the memory-bandwidth floor (no training), in seconds.

    .venv/bin/python benchmarks/kernels.py [rows] [repeats]
"""

import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from boostobj import bench  # noqa: E402

if __name__ == "__main__":
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 21
    floor = bench.memory_floor()
    rows_out = []
    for loss in bench.kernel_losses():
        row = bench.kernel_rows_for(loss, rows, reps, bench.LIBRARIES)
        row["target_ms_per_1m"] = bench.KERNEL_TARGETS.get(type(loss).__name__)
        rows_out.append(row)
    print(f"memory: {floor['copy_gb_per_s']:.1f} GB/s copy -> floor "
          f"{floor['floor_rows_per_s'] / 1e6:.0f} M rows/s at 16 B/row\n")
    print(bench.kernel_table(rows_out, floor))
