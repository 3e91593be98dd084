"""The configuration the performance targets are stated for: 1M rows x 28 features,
200 rounds, hist, 2 threads, median of 3; the kernels at 1M rows, median over 5 passes through
the list (about 45 minutes on 2 quiet cores).

    .venv/bin/python benchmarks/large.py [more bench options, e.g. --tasks binary]
"""

import sys

from boostobj.bench import main

if __name__ == "__main__":
    sys.exit(main(["--full", "--rows", "1000000", "--rounds", "200", "--repeat", "3",
                   "--kernel-passes", "5",
                   "--out", "bench-results/large", *sys.argv[1:]]))
