"""The objectives: exact float64 loss, gradient and hessian on the raw margin, their link and
their best constant start. Pure math: nothing here imports or names a boosting library.

The loss classes live in this package's modules (``binary``, ``counts``, ``multiclass``,
``regression``, ``robust``, ...); :data:`boostobj.registry.REGISTRY` is the one list of them, and
every loss class of the registry is importable from here by name
(``from boostobj.losses import FocalLoss``).
"""

from ._base import Loss
from .combined import CombinedLoss, combine
from .weights import class_balanced_weights

__all__ = ["BASE", "CombinedLoss", "Loss", "class_balanced_weights", "combine"]
#: What this package defines beside the registry's loss classes.
BASE = __all__[1:]


def __getattr__(name: str):
    # the registry's loss classes, by class name (the registry imports this package's modules,
    # so it is read lazily here; while it is being imported, only the modules are asked for)
    try:
        from ..registry import REGISTRY
    except ImportError:
        raise AttributeError(f"module 'boostobj.losses' has no attribute {name!r}") from None

    for entry in REGISTRY:
        if entry.cls.__name__ == name:
            return entry.cls
    raise AttributeError(f"module 'boostobj.losses' has no attribute {name!r}")


def __dir__():
    from ..registry import REGISTRY

    return sorted({*globals(), *(entry.cls.__name__ for entry in REGISTRY)})
