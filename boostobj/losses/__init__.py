"""The objectives: exact float64 loss, gradient and hessian on the raw margin, their link and
their best constant start. Pure math: nothing here imports or names a boosting library.

The loss classes live in this package's modules (``binary``, ``counts``, ``multiclass``,
``regression``, ``robust``, ...); :data:`boostobj.registry.REGISTRY` is the one list of them, and
``boostobj`` exports each by name (``boostobj.FocalLoss``).
"""

from ._base import Loss
from .combined import CombinedLoss, combine
from .weights import class_balanced_weights

__all__ = ["CombinedLoss", "Loss", "class_balanced_weights", "combine"]
