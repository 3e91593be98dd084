"""The objectives: exact float64 loss, gradient and hessian on the raw margin."""

from ._base import HESSIAN_FLOOR, Loss
from .binary import BinaryLogLoss, FocalLoss
from .multiclass import MulticlassFocalLoss, SoftmaxLoss
from .regression import LogCoshLoss, PseudoHuberLoss, SquaredErrorLoss

__all__ = [
    "HESSIAN_FLOOR",
    "BinaryLogLoss",
    "FocalLoss",
    "LogCoshLoss",
    "Loss",
    "MulticlassFocalLoss",
    "PseudoHuberLoss",
    "SoftmaxLoss",
    "SquaredErrorLoss",
]
