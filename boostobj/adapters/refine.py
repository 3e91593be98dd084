r"""Exact leaves for LightGBM (opt-in): re-solve each new tree's leaf values on the true loss
(CatBoost: its own ``leaf_estimation_iterations``).

XGBoost and LightGBM set every leaf to one Newton step, :math:`-\eta\,G/H` with the summed
gradient and hessian of the leaf's rows at the scores before the tree. For a robust loss with
a bounded (IRLS) hessian that step stops short of the leaf's minimum: the leaf is too timid on
exactly the heavy-tailed targets the loss is for. CatBoost's ``leaf_estimation_method="Exact"``
solves each leaf instead. :func:`refine_leaves` does the same for LightGBM, after every
iteration: a few weighted Newton steps with the loss's bounded hessian (the curvature of a
quadratic majorizer, so every step lowers the leaf's loss), starting from LightGBM's own value,
then ``Booster.set_leaf_output``::

    ref = boostobj.refine_leaves(loss, X, y, sample_weight=w, steps=3)
    booster = lgb.train({..., "objective": ref}, lgb.Dataset(X, y, weight=w, init_score=start),
                        num_boost_round=500, callbacks=[ref])
    boostobj.fold_init_score(booster, start)

    # or the estimator (it passes ``ref`` as the objective when it finds it in the callbacks)
    boostobj.LGBMRegressor(objective=loss).fit(X, y, callbacks=[ref])

The refined leaf minimises :math:`\sum_i w_i L(y_i, F_i + v) + \tfrac{\lambda}{2}v^2` over the
leaf's rows (:math:`F` the scores before the tree, :math:`\lambda` = ``lambda_l2``) and is stored
shrunk, :math:`\eta v^\star`, as LightGBM stores its own step. All training rows are used (with
bagging LightGBM's own value saw the bag only); ``max_delta_step`` and ``path_smooth`` are not
applied to the refined value.

**LightGBM's score buffer after set_leaf_output** (read in ``LGBM_BoosterSetLeafValue`` ->
``GBDT::SetLeafValue`` -> ``Tree::SetLeafOutput``, and measured with lightgbm 4.7): it changes
the tree only. The scores LightGBM keeps for the training set (``ScoreUpdater``, what a custom
objective receives as ``preds``) and for every validation set are *not* updated (a changed leaf
is missing from the ``preds`` of the next iteration), and the C API has no call that adds to
them (``RollbackOneIter`` removes the tree; ``ResetTrainingData`` re-adds every tree,
O(iterations) each time). Training on from those scores would fit each next tree to the wrong
residuals. So the refiner is also the
objective: it keeps the true training scores itself (the start plus the refined trees, updated
from the new tree's leaf assignment), ignores the stale ``preds`` and hands LightGBM the loss's
gradients at the true scores; ``stale_gap`` records how far LightGBM's own buffer had drifted.
Used as a callback without being the objective it raises. LightGBM's *validation* scores stay
stale, so metrics LightGBM computes during training (and early stopping on them) do not see the
refinement: the refiner warns when there are validation sets. Train a fixed number of rounds
(choose it by cross-validation without refinement, or on a held-out set scored with
``booster.predict`` afterwards).

Cost per iteration: one ``predict(pred_leaf=True)`` of the new tree over the training rows
(from the raw features, so the refiner holds ``X``), ``steps`` gradient/hessian evaluations and
``bincount`` sums. Single-output models only (regression, binary); multiclass is refused.

**XGBoost** cannot do this through its API. The ``refresh`` updater (``process_type="update"``,
``refresh_leaf=1``) recomputes a leaf as a Newton step *from the scores without that tree*, so
running it again gives the same value: it cannot iterate towards the exact leaf. There is no
call to set a leaf value (only editing the JSON model and loading it again, O(model) per round),
and the training prediction cache would go stale as LightGBM's buffer does.

**CatBoost** needs no refiner: ``leaf_estimation_iterations=k`` makes it take ``k`` Newton steps
per leaf itself, asking the objective for the derivatives at the scores moved by the previous
step (its default for a Python objective is one step). With boostobj's bounded hessian each step
lowers the leaf's weighted loss (the majorizer above), so enough steps give the exact leaf,
where the leaf's weighted gradient sum vanishes (checked with catboost 1.2.10):
``boostobj.CatBoostRegressor(loss_function=LogCoshLoss(), leaf_estimation_iterations=3)``.

Refinement matters where the loss's scale is small against the residuals
(``LogCoshLoss(scale=1)`` on a wide target); at the auto scale one IRLS step is already close to
exact. ``python -m boostobj bench --quality refine`` measures both, and CatBoost's exact leaves,
on a heavy-tailed set. Set ``OMP_WAIT_POLICY=PASSIVE`` before LightGBM loads: otherwise the
OpenMP threads of the refiner's ``predict`` between iterations keep spinning and slow every
LightGBM iteration when the cores are few (lightgbm 4.7).
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["LeafRefiner", "refine_leaves"]

_LR_ALIASES = ("learning_rate", "shrinkage_rate", "eta")
_L2_ALIASES = ("lambda_l2", "reg_lambda", "lambda", "l2_regularization")
_THREAD_ALIASES = ("num_threads", "num_thread", "nthread", "nthreads", "n_jobs")


def refine_leaves(loss, X, y, sample_weight=None, *, steps: int = 3) -> LeafRefiner:
    """A :class:`LeafRefiner`: pass it to LightGBM as the objective and as a callback.

    ``X``, ``y`` and ``sample_weight`` are the training rows exactly as in the ``Dataset`` (same
    order); ``steps`` Newton steps per leaf (each lowers the leaf's loss; 3 is close to the
    exact leaf for the robust losses, more costs one gradient evaluation each).
    """
    return LeafRefiner(loss, X, y, sample_weight, steps=steps)


class LeafRefiner:
    """LightGBM objective and training callback that re-solves each new tree's leaves on the
    true loss (see the module docstring).

    Called with one argument (LightGBM's ``CallbackEnv``) it refines the newest tree; called with
    ``(preds, train_set)`` it is the objective, returning the loss's gradient and hessian at the
    refined scores it tracks. Attributes, for the latest training: ``raw`` (the training raw
    scores of the refined model, start included), ``stale_gap`` (largest difference seen between
    LightGBM's own training scores and ``raw``), ``seconds`` (time spent refining),
    ``iterations`` refined.

    One refiner serves any number of trainings on its rows, one after the other: each starts
    afresh. A training starts where LightGBM hands the objective the ``Dataset``'s
    ``init_score`` (zeros without one) exactly, although its own scores have moved since the
    refiner's last start; ``raw`` then restarts from that ``init_score`` (for continued training,
    the ``init_model``'s scores, which LightGBM puts there) and the other attributes from 0.
    Called as the objective twice without the callback in between, it raises: without the
    callback no leaf is refined and ``raw`` would never move.
    """

    order = 5  # after LightGBM's own callbacks that record evaluations (order 10+ run later)

    def __init__(self, loss, X, y, sample_weight=None, *, steps: int = 3) -> None:
        from . import as_stored

        if loss.task in ("multiclass", "survival"):
            raise ValueError(f"refine_leaves: {loss!r} is a {loss.task} loss; only single-output "
                             "regression and binary models are supported")
        if int(steps) < 1:
            raise ValueError(f"steps must be >= 1, got {steps!r}")
        self.loss = loss
        self.X = X
        self.y, self.w = as_stored(y, sample_weight)
        self.steps = int(steps)
        fit = loss.resolved(self.y, self.w)  # "auto" scales, as the objective call resolves them
        if "bounded" in getattr(fit, "hessian_options", ()) and fit.hessian != "bounded":
            fit = type(fit)(**{**fit.get_params(), "hessian": "bounded"})  # the majorizer: every step lowers the loss
        self.solver = fit
        self._restart(None)

    def __repr__(self) -> str:
        return f"refine_leaves({self.loss!r}, steps={self.steps})"

    def __deepcopy__(self, memo):
        return self  # lightgbm.train deep-copies params; the objective must stay this object

    def _restart(self, start: np.ndarray | None) -> None:
        """The state of a training that starts from the raw scores ``start``."""
        self.raw = start
        self.stale_gap = 0.0
        self.seconds = 0.0
        self.iterations = 0
        self._warned = False
        self._moved = False  # whether LightGBM's own training scores have left the start
        self._asked = False  # objective called since the last callback

    # ------------------------------------------------------------------ objective
    def __call__(self, *args):
        if len(args) == 1:
            return self._after_iteration(args[0])
        preds, train_set = args
        n = self.y.shape[0]
        preds = np.asarray(preds, dtype=np.float64)
        if preds.ndim != 1 or preds.shape[0] != n:
            raise ValueError(f"refine_leaves was built with {n} training rows but LightGBM "
                             f"trains on scores of shape {preds.shape}")
        init = train_set.get_init_score()
        start = np.zeros(n) if init is None else np.asarray(init, dtype=np.float64).reshape(n)
        if self.raw is None or (self._moved and np.array_equal(preds, start)):
            self._restart(start.copy())  # a new training
        elif self._asked:
            raise RuntimeError(
                "refine_leaves: the refiner was used as the objective but not as a callback; "
                "without the callback no leaf is refined and the scores it tracks stay where "
                "they started: lgb.train({'objective': ref, ...}, callbacks=[ref]) (boostobj's "
                "LGBMRegressor/LGBMClassifier do this when ref is in callbacks)")
        else:
            self.stale_gap = max(self.stale_gap, float(np.max(np.abs(preds - self.raw))))
        self._asked = True
        return self.loss(self.raw, train_set)

    # ------------------------------------------------------------------ callback
    def _after_iteration(self, env) -> None:
        import time

        if not self._asked:
            raise RuntimeError(
                "refine_leaves: the refiner was used as a callback but not as the objective; "
                "LightGBM does not update its training scores after set_leaf_output, so it must "
                "also be the objective: lgb.train({'objective': ref, ...}, callbacks=[ref]) "
                "(boostobj's LGBMRegressor/LGBMClassifier do this when ref is in callbacks)")
        if env.evaluation_result_list and not self._warned:
            self._warned = True
            warnings.warn(
                "refine_leaves: LightGBM's validation scores do not see refined leaves "
                "(set_leaf_output leaves its score buffers alone), so the metrics it reports "
                "during training, and early stopping on them, are approximate; train a fixed "
                "number of rounds and score held-out rows with booster.predict",
                UserWarning, stacklevel=2)
        t0 = time.perf_counter()
        booster = env.model
        if booster.num_model_per_iteration() != 1:
            raise ValueError("refine_leaves supports single-output models only")
        params = env.params or {}
        lr = float(next((params[a] for a in _LR_ALIASES if a in params), 0.1))
        lam = float(next((params[a] for a in _L2_ALIASES if a in params), 0.0))
        it = booster.current_iteration() - 1
        tree = booster.num_trees() - 1
        # the training's thread count: another OpenMP team size next to the training's made
        # each LightGBM iteration several times slower on few cores (lightgbm 4.7; unless
        # OMP_WAIT_POLICY=PASSIVE)
        threads = next((params[a] for a in _THREAD_ALIASES if a in params), None)
        kw = {} if threads is None else {"num_threads": threads}
        leaves = np.asarray(booster.predict(self.X, pred_leaf=True, start_iteration=it,
                                            num_iteration=1, **kw)).reshape(-1).astype(np.intp)
        n_leaves = int(leaves.max()) + 1
        old = np.array([booster.get_leaf_output(tree, j) for j in range(n_leaves)])
        v = self.solve(leaves, old / lr, lam, n_leaves)
        for j in np.flatnonzero(np.bincount(leaves, minlength=n_leaves)):
            booster.set_leaf_output(tree, int(j), float(lr * v[j]))
        v = np.where(np.bincount(leaves, minlength=n_leaves) > 0, lr * v, old)
        self.raw = self.raw + v[leaves]
        self._moved = self._moved or bool(np.any(old[leaves] != 0.0))
        self._asked = False
        self.iterations += 1
        self.seconds += time.perf_counter() - t0

    def solve(self, leaves, v0, lam: float = 0.0, n_leaves: int | None = None) -> np.ndarray:
        """Newton steps (the loss's bounded hessian) for every leaf at once, from ``v0``: the
        unshrunk leaf values minimising the weighted loss of the leaf's rows at ``raw + v``."""
        n_leaves = n_leaves or int(leaves.max()) + 1
        v = np.asarray(v0, dtype=np.float64).copy()
        for _ in range(self.steps):
            g, h = self.solver.gradient_hessian(self.y, self.raw + v[leaves], self.w)
            G = np.bincount(leaves, weights=g, minlength=n_leaves) + lam * v
            H = np.bincount(leaves, weights=h, minlength=n_leaves) + lam
            step = np.divide(G, H, out=np.zeros_like(G), where=H > 0)
            v -= step
        return v
