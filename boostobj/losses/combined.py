r"""Weighted sums of losses: ``0.7 * LogCoshLoss() + 0.3 * PseudoHuberLoss()``.

A :class:`CombinedLoss` is exact in value, gradient and hessian (each the weighted sum of its
parts'), and its start is solved on the sum, not averaged from the parts' starts.
"""

from __future__ import annotations

import math

import numpy as np

from ._base import Loss, newton_root, plain, real_number
from .labels import Labels

__all__ = ["CombinedLoss", "combine"]


def _weight(value) -> float:
    value = real_number(value, "weight")
    if not value > 0:
        raise ValueError(f"a loss's weight in a combination must be > 0, got {value!r}")
    return value


def _parts(items) -> tuple[tuple[float, Loss], ...]:
    """``items`` ((weight, loss) pairs or bare losses, weight 1) as flat (weight, loss) pairs:
    a :class:`CombinedLoss` among them contributes its parts, times its weight."""
    out: list[tuple[float, Loss]] = []
    for item in items:
        weight, loss = (1.0, item) if isinstance(item, Loss) else _pair(item)
        if isinstance(loss, CombinedLoss):
            out.extend((weight * w, part) for w, part in loss.losses)
        else:
            out.append((weight, loss))
    if not out:
        raise ValueError("a combination needs at least one loss")
    first = out[0][1]
    for _, loss in out:
        if loss.task == "multiclass":
            raise ValueError(f"{loss!r}: combinations of multiclass losses are not supported yet")
        if loss.task == "survival":
            raise ValueError(f"{loss!r}: combinations of survival losses are not supported (their "
                             "labels are pairs or their rows are coupled)")
        if loss.task != first.task or loss.link != first.link:
            raise ValueError(
                f"cannot combine {first!r} ({first.task}, {first.link.name} link) with {loss!r} "
                f"({loss.task}, {loss.link.name} link): the parts of a combination must model the "
                "same task on the same link, so that their margins mean the same thing"
            )
    return tuple(out)


def _pair(item):
    try:
        weight, loss = item
    except (TypeError, ValueError):
        raise TypeError(f"combine takes losses or (weight, loss) pairs, got {item!r}") from None
    if not isinstance(loss, Loss):
        raise TypeError(f"combine takes losses or (weight, loss) pairs, got {item!r}")
    return _weight(weight), loss


class CombinedLoss(Loss):
    r"""A weighted sum of losses of one task and link.

    .. math::
        L = \sum_i w_i L_i,\qquad \frac{\partial L}{\partial z} = \sum_i w_i
        \frac{\partial L_i}{\partial z},\qquad \text{hessian} = \sum_i w_i h_i

    where :math:`h_i` is each part's own hessian option (so the sum is the exact second
    derivative when every part's is exact, and a positive curvature bound when every part's is
    one: ``hessian`` reads ``"exact"`` in the first case, ``"bounded"`` otherwise).
    ``init_score`` minimises the weighted sum over a constant margin (safeguarded Newton steps
    from the weighted mean of the parts' starts; for non-convex parts, a stationary point).

    Build one with :func:`combine` or with arithmetic: ``0.7 * LogCoshLoss() +
    0.3 * PseudoHuberLoss()``; nested combinations are flattened. Parts with ``"auto"``
    hyperparameters are each resolved on the training labels.

    Parameters
    ----------
    losses : sequence of (weight, loss)
        Weights > 0 and losses of the same ``task`` and link (binary or single-output
        regression). The hyperparameters (``get_params``) are these pairs: ``set_params`` and
        pickling round-trip them.

    Examples
    --------
    >>> import numpy as np
    >>> from boostobj import LogCoshLoss, PseudoHuberLoss
    >>> loss = 0.7 * LogCoshLoss(scale=1.0) + 0.3 * PseudoHuberLoss(delta=1.0)
    >>> loss
    CombinedLoss(losses=((0.7, LogCoshLoss(scale=1.0)), (0.3, PseudoHuberLoss(delta=1.0))))
    """

    hessian_options = ("exact", "bounded")

    def __init__(self, *, losses) -> None:
        self.losses = _parts(losses)
        exact = all(loss.hessian == "exact" for _, loss in self.losses)
        super().__init__(hessian="exact" if exact else "bounded")

    @property
    def name(self) -> str:  # type: ignore[override]
        """The metric name: ``0.7*log_cosh+0.3*pseudo_huber`` (the parts' metric names, which
        carry their hyperparameters; no spaces, which XGBoost's evaluation log splits on)."""
        return "+".join(f"{w:g}*{loss.metric.__name__}" for w, loss in self.losses)

    @property
    def params(self) -> dict:
        """Empty: a combination has no defaults to differ from (its name says what it is)."""
        return {}

    def __repr__(self) -> str:
        return f"CombinedLoss(losses={plain(self.losses)!r})"

    @property
    def link(self):  # type: ignore[override]
        return self.losses[0][1].link

    @property
    def task(self) -> str:  # type: ignore[override]
        return self.losses[0][1].task

    def has_auto(self) -> bool:
        return any(loss.has_auto() for _, loss in self.losses)

    def resolve(self, labels):
        if not self.has_auto():
            return self
        return CombinedLoss(losses=tuple((w, loss.resolve(labels))
                                         for w, loss in self.losses))

    def warn_degenerate(self, y, w):
        for _, loss in self.losses:
            loss.warn_degenerate(y, w)

    def check_label_values(self, y):
        for _, loss in self.losses:
            loss.check_label_values(y)

    def _loss(self, y, z):
        return sum(w * loss._loss(y, z) for w, loss in self.losses)

    def _gradient_hessian(self, y, z):
        g = np.zeros(np.shape(z))
        h = np.zeros(np.shape(z))
        for w, loss in self.losses:
            gi, hi = loss._gradient_hessian(y, z)
            g += w * gi
            h += w * hi
        return g, h

    def constant_start(self, labels):
        starts = [float(loss.constant_start(labels)) for _, loss in self.losses]
        total = math.fsum(wt for wt, _ in self.losses)
        x0 = math.fsum(wt * s for (wt, _), s in zip(self.losses, starts)) / total
        if not all(math.isfinite(s) for s in starts):
            return x0  # a part without a finite start (one class only): no finite minimiser
        lo, hi = min(starts), max(starts)
        if self.task == "binary":  # the summed gradient depends on the class totals only
            rate = labels.mean()
            if rate in (0.0, 1.0):  # one class only: the parts' clamped start
                return x0
            y, w = labels.arrays()
            n = float(y.shape[0]) if w is None else math.fsum(w)
            labels = Labels(np.array([0.0, 1.0]), np.array([n * (1.0 - rate), n * rate]))
        return newton_root(lambda c: labels.gradient_sums(self, c), x0, lo - 1.0, hi + 1.0)


def combine(*items) -> CombinedLoss:
    """A :class:`CombinedLoss` of ``(weight, loss)`` pairs or bare losses (weight 1).

    >>> from boostobj import LogCoshLoss, PseudoHuberLoss, combine
    >>> combine((0.7, LogCoshLoss()), (0.3, PseudoHuberLoss())) == \\
    ...     0.7 * LogCoshLoss() + 0.3 * PseudoHuberLoss()
    True
    """
    return CombinedLoss(losses=items)
