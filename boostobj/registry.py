"""The one list of objectives: every generic test, the benchmark and the parity harness walk it."""

from __future__ import annotations

from .losses import (
    BinaryLogLoss,
    FocalLoss,
    LogCoshLoss,
    MulticlassFocalLoss,
    PseudoHuberLoss,
    SoftmaxLoss,
    SquaredErrorLoss,
)

__all__ = ["LOSSES", "get_loss"]

#: Registry key -> class. Keys are the losses' ``name`` (also their metric name).
LOSSES = {
    cls.name: cls
    for cls in (BinaryLogLoss, FocalLoss, LogCoshLoss, PseudoHuberLoss, SquaredErrorLoss,
                SoftmaxLoss, MulticlassFocalLoss)
}


def get_loss(name: str, **params):
    """Build a loss by registry key, e.g. ``get_loss("focal_loss", gamma=1.0)``."""
    try:
        cls = LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown objective {name!r}; choose one of {sorted(LOSSES)}") from None
    return cls(**params)
