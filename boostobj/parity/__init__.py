r"""Parity harness: train each boostobj objective beside its built-in twin and compare the models.

``python -m boostobj parity`` (options: ``--help``) walks every registry entry that declares a
built-in twin (:data:`boostobj.registry.REGISTRY`, :func:`boostobj.registry.twin_of`), trains
the loss and the twin on the same data with the same parameters, and reports per case the
largest difference in prediction and in raw margin, how many trees are identical, and pass/fail
against the tolerance of its mode. Each mode is an objective handed to the library through the
dispatcher (:class:`boostobj.FitObjective`), never a patched loss:

``float64``
    The exact float64 math of the loss (:func:`boostobj.received.library_gradient_hessian`
    with ``reference=True``: weights multiplied in, hessian floored at 1e-16, times the
    library's multiclass hessian scale), for every loss, multiclass included
    (:func:`~boostobj.parity.runner.reference_gradient_hessian`). It starts from
    ``loss.init_score`` the way the estimators do: XGBoost gets
    ``boostobj.xgboost_params(loss, y, w)``, LightGBM ``init_score`` folded into the first tree
    (:func:`boostobj.fold_init_score`). Tolerances (:data:`TOLERANCES`): XGBoost ``hist`` within
    2e-7 with the same tree structure; LightGBM within 1e-12 with the same tree structure
    (identical dumps are counted and, unweighted, are 100%). XGBoost's log-link built-ins
    (``count:poisson``, ``reg:gamma``, ``reg:tweedie``: float32 ``expf``) within 2e-6 with the
    same structure (their twins' :attr:`~boostobj.registry.Twin.tolerance`).
``default``
    The loss exactly as shipped (its fast kernel) with the same start. Reported, not judged.
``match_builtin``
    :func:`boostobj.parity.mirror.match_builtin`: the library's own float32 arithmetic, started
    from the intercept the library itself would compute. Passes only with **0 difference and
    every tree dump identical**.

CatBoost (when installed) has the ``float64`` and ``default`` modes, no ``match_builtin`` (its
built-ins compute double derivatives; ``Logloss`` and ``Poisson`` keep ``exp(margin)``):
``float64`` is judged on predictions within
:data:`~boostobj.parity.cases.CATBOOST_TOLERANCE`, with the parameters of
:data:`~boostobj.parity.cases.CATBOOST_PARAMS` on both sides and the start its twin declares
(:attr:`~boostobj.registry.Twin.start`).

Known limits are reported as ``known`` rather than failures: a library older than its twin's
version floor (:attr:`~boostobj.registry.Twin.floor`); LightGBM with
``feature_fraction < 1`` draws different feature subsets for custom objectives through
``lgb.train`` (lightgbm-org/LightGBM#6053); ``Case(skip_objective_reset=True)`` shows the cause
and the workaround (docs/parity.md).

The package, one concern per module: :mod:`~boostobj.parity.cases` (pairs, datasets, cases,
tolerances), :mod:`~boostobj.parity.runner` (the objective of each mode, training a pair,
judging it), :mod:`~boostobj.parity.compare` (tree dumps and predictions),
:mod:`~boostobj.parity.report` (table and JSON), :mod:`~boostobj.parity.cli` (the command line)
and :mod:`~boostobj.parity.mirror` (the libraries' own arithmetic, bit for bit).

Adding a pair
-------------
A loss joins by declaring its twin in the registry (``Entry(MyLoss, Twin(xgboost=...,
lightgbm=..., when={...}))``): everything the harness needs about the pair is on the
:class:`~boostobj.registry.Twin` (``examples``: hyperparameters that suit the datasets;
``start``: the start convention per library; ``tolerance``; ``floor``). Its task
(``loss.task``) decides the data it gets. For ``match_builtin`` the twin also needs a mirror
kernel in :mod:`~boostobj.parity.mirror` and, where the library's own start differs from
``loss.init_score``, an entry in :data:`~boostobj.parity.runner.EXACT_INTERCEPT`; XGBoost 2.x's
log-link starts are :data:`~boostobj.parity.cases.PINNED_INTERCEPT_XGB2`.

Examples
--------
>>> from boostobj.parity import parity_losses
>>> parity_losses(["focal_loss", "pseudo_huber"])  # FocalLoss's second twin: CatBoost's Focal
[FocalLoss(gamma=0.0), FocalLoss(alpha=0.25, hessian='exact'), PseudoHuberLoss(delta=25.0, hessian='exact')]
"""

from __future__ import annotations

from .cases import (
    LIBRARY_MODES,
    MODES,
    TOLERANCES,
    TREE_METHODS,
    VARIANTS,
    Case,
    Dataset,
    Result,
    build_cases,
    load_datasets,
    parity_losses,
)
from .cli import main
from .report import format_table
from .runner import (
    custom_objective,
    detect_pseudohuber_hessian,
    reference_gradient_hessian,
    run,
    run_case,
    xgb_softprob_intercept,
)

__all__ = [
    "LIBRARY_MODES",
    "MODES",
    "TOLERANCES",
    "TREE_METHODS",
    "VARIANTS",
    "Case",
    "Dataset",
    "Result",
    "build_cases",
    "custom_objective",
    "detect_pseudohuber_hessian",
    "format_table",
    "load_datasets",
    "main",
    "parity_losses",
    "reference_gradient_hessian",
    "run",
    "run_case",
    "xgb_softprob_intercept",
]
