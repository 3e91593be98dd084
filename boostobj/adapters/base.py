"""The protocol between boostobj's core and a boosting library: one :class:`Adapter` object per
library (``boostobj.adapters.xgboost.ADAPTER``, ``...lightgbm.ADAPTER``,
``...catboost.ADAPTER``), which the dispatcher (:mod:`boostobj._objective`) and the metrics
(:mod:`boostobj.metrics`) ask everything about that library. Every library quirk lives behind it:
the core never names a library.

A loss author implements the loss side (:class:`boostobj.Loss`); an adapter author implements
this class for a new library.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Adapter"]


class Adapter:
    """What the core asks a library's adapter. The defaults suit a library that hands a custom
    objective whole arrays and applies no factor of its own."""

    #: The library's name: ``"xgboost"``, ``"lightgbm"``, ``"catboost"``.
    name: str = ""
    #: The module prefix of the library's data objects (``DMatrix``, ``Dataset``) that the
    #: objective and metric are called with; "" for a library that never hands one.
    data_module: str = ""

    def __repr__(self) -> str:
        return f"<boostobj adapter for {self.name}>"

    # ------------------------------------------------------------------ the objective call
    def owns(self, data) -> bool:
        """Whether ``data`` (the second argument of an objective or metric call) is this
        library's training-set object, decided without importing the library."""
        module = type(data).__module__ or ""
        return bool(self.data_module) and module.startswith(self.data_module) and hasattr(
            data, "get_label")

    def labels_weights(self, data, columns: int = 1):
        """Raw labels and weights (None when unweighted) of the library's data object, for a
        loss whose label has ``columns`` columns (:attr:`boostobj.Loss.label_columns`): 2 reads
        a pair per row where the library holds one (XGBoost's AFT bounds), else refuses with
        the way to train such a loss on this library."""
        raise NotImplementedError

    def check_objective_params(self, loss, data) -> None:
        """Refuse, before the first round, parameters of the training that a custom ``loss``
        would silently ignore or that would make its numbers wrong."""

    def distributed(self, data=None) -> bool:
        """Whether the library trains on several workers right now (each sees only its rows)."""
        return False

    def multiclass_hessian_scale(self, n_classes: int) -> float:
        """The library's factor on a multiclass loss's diagonal hessian (``hessian_scale=
        "library"``)."""
        return 1.0

    def full_softmax_hessian(self, loss) -> bool:
        """Whether the library receives the full multiclass hessian for ``loss`` (no factor on
        its diagonal)."""
        return False

    # ------------------------------------------------------------------ the metric call
    def metric_from_data(self, metric, preds, data):
        """``metric`` (a :class:`boostobj.Metric`) called by the library with predictions and
        its data object: the value in the library's return form."""
        raise NotImplementedError

    def metric_from_arrays(self, metric, y, preds, sample_weight):
        """``metric`` called with the scikit-learn signature ``(y_true, margins, weight)`` and
        bound to this library: the value in the form the library's estimators expect."""
        return metric.value(y, preds, sample_weight)

    @staticmethod
    def as_margins(loss, preds, n_rows: int, order: str = "C") -> np.ndarray:
        """Flat multiclass predictions as ``(n_rows, K)`` margins in the library's ``order``."""
        preds = np.asarray(preds)
        if loss.task == "multiclass" and preds.ndim == 1:
            preds = preds.reshape(n_rows, -1, order=order)
        return preds
