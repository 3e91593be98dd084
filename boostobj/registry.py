"""The one list of objectives: ``boostobj``'s and ``boostobj.losses``' loss names, the generic
tests, ``check``, the benchmark, the parity harness and the docs' objective table all read it. A
new loss joins with one line here (its module imported above if it is a new one); a loss with a
built-in twin names it here too.

A :class:`Twin` says which built-in objective of each library computes the same model as the
loss, under which hyperparameters (``when``), and which built-in parameters carry the loss's
(``params`` for XGBoost, ``lightgbm_params`` for LightGBM, ``catboost_params`` for CatBoost:
built-in parameter name -> loss attribute). A loss may have further twins under other
hyperparameters (:attr:`Entry.more`: ``PoissonLoss(hessian="exact")`` is CatBoost's ``Poisson``,
``hessian="bounded"`` XGBoost's ``count:poisson``). The adapters read it to configure the
library (:func:`boostobj.xgboost_params`), the parity harness to train the pair side by side.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .losses import Loss, binary, counts, multiclass, regression, robust

__all__ = ["LOSSES", "REGISTRY", "Entry", "Twin", "builtin_twin", "get_loss", "is_set",
           "register", "twin_of"]


@dataclasses.dataclass(frozen=True)
class Twin:
    """A built-in objective that a loss reproduces (see the module docstring)."""

    xgboost: str | None = None
    lightgbm: str | None = None
    #: CatBoost's built-in twin (the name of its ``loss_function``, parameters in
    #: :attr:`catboost_params`), read by :mod:`boostobj.adapters.catboost` (``MultiClass``:
    #: hand the full softmax hessian) and the parity harness.
    catboost: str | None = None
    #: The loss's hyperparameters that make it the twin: ``{name: value}``, or ``{name:
    #: predicate}`` for a callable value (``{"alpha": is_set}``); the parity harness builds its
    #: losses from the plain values and :data:`boostobj.parity.TWIN_PARAMS`.
    when: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: XGBoost's built-in parameters that carry the loss's hyperparameters (name -> attribute).
    params: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The same for LightGBM's built-in (its names differ: ``poisson_max_delta_step``).
    lightgbm_params: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The same for CatBoost's, written into its ``loss_function`` string
    #: (``Tweedie:variance_power=1.5``, :func:`boostobj.adapters.catboost.builtin_loss_function`).
    catboost_params: dict[str, str] = dataclasses.field(default_factory=dict)

    def names(self) -> dict[str, str]:
        """``{library: built-in objective}`` for the libraries that have one."""
        return {lib: name for lib, name in (("xgboost", self.xgboost), ("lightgbm", self.lightgbm),
                                            ("catboost", self.catboost))
                if name is not None}

    def matches(self, params: dict) -> bool:
        """Whether a loss with hyperparameters ``params`` is this twin (see :attr:`when`)."""
        return all(v(params.get(k)) if callable(v) else params.get(k) == v
                   for k, v in self.when.items())


def is_set(value) -> bool:
    """A :attr:`Twin.when` predicate: the hyperparameter is set (``FocalLoss(alpha=0.25)``)."""
    return value is not None


@dataclasses.dataclass(frozen=True)
class Entry:
    cls: type[Loss]
    twin: Twin | None = None
    #: Further twins under other hyperparameters, each naming libraries the others do not
    #: cover for the same hyperparameters.
    more: tuple[Twin, ...] = ()

    @property
    def twins(self) -> tuple[Twin, ...]:
        """Every twin of the entry, :attr:`twin` first."""
        return ((self.twin,) if self.twin is not None else ()) + tuple(self.more)


_BINARY = Twin(xgboost="binary:logistic", lightgbm="binary", catboost="Logloss")
_SOFTMAX = Twin(xgboost="multi:softprob", lightgbm="multiclass", catboost="MultiClass",
                when={"hessian_scale": "library", "label_smoothing": 0.0})

REGISTRY: list[Entry] = [
    # the built-ins have no label smoothing: twins at label_smoothing=0 only
    Entry(binary.BinaryLogLoss, dataclasses.replace(_BINARY, when={"label_smoothing": 0.0})),
    # CatBoost's Focal (catboost 1.2.10): the exact hessian, unfloored, p clamped to [1e-13, 1 - 1e-13]
    Entry(binary.FocalLoss, dataclasses.replace(_BINARY, when={"gamma": 0.0, "alpha": None}),
          more=(Twin(catboost="Focal", when={"alpha": is_set, "hessian": "exact"},
                     catboost_params={"focal_alpha": "alpha", "focal_gamma": "gamma"}),)),
    # CatBoost's LogCosh has no scale: log(cosh(z - y)), the exact hessian
    Entry(regression.LogCoshLoss, more=(Twin(catboost="LogCosh", when={"scale": 1.0, "hessian": "exact"}),)),
    Entry(regression.PseudoHuberLoss, Twin(xgboost="reg:pseudohubererror", when={"hessian": "exact"},
                                params={"huber_slope": "delta"})),
    Entry(regression.SquaredErrorLoss, Twin(xgboost="reg:squarederror", lightgbm="regression", catboost="RMSE")),
    Entry(multiclass.SoftmaxLoss, _SOFTMAX),
    Entry(multiclass.MulticlassFocalLoss, dataclasses.replace(
        _SOFTMAX, when={"gamma": 0.0, "alpha": None, "hessian_scale": "library"})),
    Entry(counts.PoissonLoss, Twin(xgboost="count:poisson", lightgbm="poisson", when={"hessian": "bounded"},
                            params={"max_delta_step": "max_delta_step"},
                            lightgbm_params={"poisson_max_delta_step": "max_delta_step"}),
          more=(Twin(catboost="Poisson", when={"hessian": "exact"}),)),
    Entry(counts.GammaLoss, Twin(xgboost="reg:gamma", lightgbm="gamma")),
    Entry(binary.BinaryCrossEntropy, Twin(xgboost="binary:logistic", lightgbm="cross_entropy",
                                   catboost="CrossEntropy")),
    Entry(robust.QuantileLoss),  # the built-ins renew leaves to exact quantiles: no parity
    Entry(robust.SmoothQuantileLoss),
    Entry(robust.ExpectileLoss),
    Entry(robust.FairLoss, Twin(lightgbm="fair", lightgbm_params={"fair_c": "c"})),
    Entry(robust.CauchyLoss),
    Entry(robust.WelschLoss),
    Entry(counts.TweedieLoss, Twin(xgboost="reg:tweedie", lightgbm="tweedie", catboost="Tweedie",
                            params={"tweedie_variance_power": "power"},
                            lightgbm_params={"tweedie_variance_power": "power"},
                            catboost_params={"variance_power": "power"})),
]

#: Registry key -> class. Keys are the losses' ``name``.
LOSSES: dict[str, type[Loss]] = {entry.cls.name: entry.cls for entry in REGISTRY}
_BY_CLASS = {entry.cls: entry for entry in REGISTRY}


def register(cls: type[Loss], twin: Twin | None = None, more: tuple[Twin, ...] = ()) -> type[Loss]:
    """Add a loss class, and the built-in twin it reproduces (``more``: further twins under other
    hyperparameters), to the registry: the one line a new loss needs. The generic tests,
    ``check --all``, the benchmark and the parity harness then walk it. Returns the class; a
    second loss under the same ``name`` is refused."""
    if cls.name in LOSSES and LOSSES[cls.name] is not cls:
        raise ValueError(f"a loss named {cls.name!r} is registered already ({LOSSES[cls.name]})")
    entry = Entry(cls, twin, tuple(more))
    REGISTRY[:] = [e for e in REGISTRY if e.cls is not cls] + [entry]
    LOSSES[cls.name] = cls
    _BY_CLASS[cls] = entry
    return cls


def get_loss(name: str, **params) -> Loss:
    """Build a loss by registry key, e.g. ``get_loss("focal_loss", gamma=1.0)``."""
    try:
        cls = LOSSES[name]
    except KeyError:
        raise ValueError(f"unknown objective {name!r}; choose one of {sorted(LOSSES)}") from None
    return cls(**params)


def twins_of(loss: Loss) -> list[Twin]:
    """Every :class:`Twin` whose hyperparameters (``when``) ``loss`` has."""
    entry = _BY_CLASS.get(type(loss))
    if entry is None:
        return []
    params = loss.get_params()
    return [twin for twin in entry.twins if twin.matches(params)]


def twin_of(loss: Loss, library: str | None = None) -> Twin | None:
    """The :class:`Twin` of ``loss`` (naming a built-in of ``library``, when given) if its
    hyperparameters make it one, else None."""
    for twin in twins_of(loss):
        if library is None or library in twin.names():
            return twin
    return None


def builtin_twin(loss: Loss) -> dict[str, str]:
    """``{library: built-in objective}`` that ``loss`` reproduces; empty when there is none.

    >>> from boostobj import FocalLoss
    >>> builtin_twin(FocalLoss(gamma=0.0))
    {'xgboost': 'binary:logistic', 'lightgbm': 'binary', 'catboost': 'Logloss'}
    >>> builtin_twin(FocalLoss(alpha=0.25, hessian="exact"))
    {'catboost': 'Focal'}
    >>> builtin_twin(FocalLoss())
    {}
    """
    out: dict[str, str] = {}
    for twin in twins_of(loss):
        out = {**twin.names(), **out}
    return out
