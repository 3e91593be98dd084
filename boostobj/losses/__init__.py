"""The objectives: exact float64 loss, gradient and hessian on the raw margin, their link and
their best constant start. Pure math: nothing here imports or names a boosting library."""

from ._base import Loss
from .binary import BinaryCrossEntropy, BinaryLogLoss, FocalLoss
from .combined import CombinedLoss, combine
from .counts import GammaLoss, PoissonLoss, TweedieLoss
from .multiclass import MulticlassFocalLoss, SoftmaxLoss
from .regression import LogCoshLoss, PseudoHuberLoss, SquaredErrorLoss
from .robust import (
    CauchyLoss,
    ExpectileLoss,
    FairLoss,
    QuantileLoss,
    SmoothQuantileLoss,
    WelschLoss,
)
from .weights import class_balanced_weights

__all__ = [
    "BinaryCrossEntropy",
    "BinaryLogLoss",
    "CauchyLoss",
    "CombinedLoss",
    "ExpectileLoss",
    "FairLoss",
    "FocalLoss",
    "GammaLoss",
    "LogCoshLoss",
    "Loss",
    "MulticlassFocalLoss",
    "PoissonLoss",
    "PseudoHuberLoss",
    "QuantileLoss",
    "SmoothQuantileLoss",
    "SoftmaxLoss",
    "SquaredErrorLoss",
    "TweedieLoss",
    "WelschLoss",
    "class_balanced_weights",
    "combine",
]
