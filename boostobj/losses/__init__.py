"""The objectives: exact float64 loss, gradient and hessian on the raw margin, their link and
their best constant start. Pure math: nothing here imports or names a boosting library."""

from ._base import Loss
from .binary import BinaryLogLoss, FocalLoss
from .combined import CombinedLoss, combine
from .counts import GammaLoss, PoissonLoss, TweedieLoss
from .multiclass import MulticlassFocalLoss, SoftmaxLoss
from .regression import LogCoshLoss, PseudoHuberLoss, SquaredErrorLoss

__all__ = [
    "BinaryLogLoss",
    "CombinedLoss",
    "FocalLoss",
    "GammaLoss",
    "LogCoshLoss",
    "Loss",
    "MulticlassFocalLoss",
    "PoissonLoss",
    "PseudoHuberLoss",
    "SoftmaxLoss",
    "SquaredErrorLoss",
    "TweedieLoss",
    "combine",
]
