"""One objective call as ``xgb.train`` makes it (margins and a DMatrix of 1M rows), in ms: the
dispatcher, the label read and check, and the kernel together. Works with any boostobj version,
so two checkouts can be compared on the same machine:

    PYTHONPATH=/path/to/checkout python benchmarks/objective_call.py
"""

import statistics
import time

import numpy as np
import xgboost as xgb

import boostobj


def main(n: int = 1_000_000, reps: int = 21) -> None:
    rng = np.random.default_rng(0)
    d = xgb.DMatrix(rng.normal(size=(n, 2)).astype(np.float32),
                    rng.normal(size=n).astype(np.float32))
    z = rng.normal(size=n).astype(np.float32)
    for loss in (boostobj.PseudoHuberLoss(delta=1.0), boostobj.SquaredErrorLoss()):
        loss(z, d)  # the first call validates the training set
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            g, h = loss(z, d)
            times.append(time.perf_counter() - t0)
            del g, h
        print(f"{loss!r:35s} {statistics.median(times) * 1e3:7.2f} ms per call ({n:,} rows)")


if __name__ == "__main__":
    main()
