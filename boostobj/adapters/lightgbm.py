"""LightGBM adapter: reading a Dataset, and folding the starting score into a booster.

Facts this relies on (lightgbm 4.7, see ``shared/FACTS.md`` §1-§3):

* ``params["objective"] = f`` is called as ``f(preds, train_set)`` with float64 raw scores,
  ``(n,)`` or ``(n, k)`` F-ordered; labels are float32 and weights None or float32.
* With a callable objective LightGBM adds no starting score (``boost_from_average`` needs a
  built-in objective). Pass ``Dataset(init_score=...)``; ``Booster.predict`` does *not* add it
  back, unless you fold it into the model with :func:`fold_init_score`, which does what the
  built-ins do (``Tree::AddBias`` on the first iteration's trees).
"""

from __future__ import annotations

import numpy as np

__all__ = ["fold_init_score", "labels_weights"]


#: LightGBM stores an infinite label or weight as +-1e38 (float32) and a NaN as 0 (``AvoidInf``
#: in ``src/io/metadata.cpp``), so an inf reaches a custom objective as this finite value.
_LGB_INF = np.float32(1e38)


def labels_weights(dataset):
    """Labels and weights (None when unweighted) of a constructed ``lightgbm.Dataset``."""
    y = dataset.get_label()
    w = dataset.get_weight()
    if w is not None:
        # LightGBM keeps weights as float32 internally, whatever was passed in.
        w = np.asarray(w, dtype=np.float32)
    for name, arr in (("label", y), ("weight", w)):
        if arr is not None and np.any(np.abs(arr) >= _LGB_INF):
            raise ValueError(
                f"a {name} of the lightgbm.Dataset is +-1e38, which is how LightGBM stores inf; "
                f"remove non-finite {name}s before building the Dataset (LightGBM also turns NaN into 0)"
            )
    return y, w


def fold_init_score(booster, init_score):
    """Add the constant starting margin(s) to the first iteration's tree(s), in place.

    After this ``booster.predict(X, raw_score=True)`` includes the starting score, as it does
    for LightGBM's built-in objectives, and a saved model is self-contained. ``init_score`` is a
    scalar, or one value per class for multiclass models (trees ``0..k-1`` hold iteration 0).
    Returns the booster.
    """
    init = np.atleast_1d(np.asarray(init_score, dtype=np.float64))
    k = booster.num_model_per_iteration()
    if init.shape != (k,):
        raise ValueError(f"init_score must have {k} value(s) for this model, got shape {init.shape}")
    if booster.num_trees() < k:
        raise ValueError("the booster has no trees to fold init_score into; train at least one round")
    info = booster.dump_model(num_iteration=1)["tree_info"]
    for tree in range(k):
        for leaf in range(info[tree]["num_leaves"]):
            booster.set_leaf_output(tree, leaf, booster.get_leaf_output(tree, leaf) + init[tree])
    return booster
