"""The one list of objectives: ``boostobj``'s and ``boostobj.losses``' loss names, the generic
tests, ``check``, the benchmark, the parity harness and the docs' objective table all read it. A
new loss joins with one line here (its module imported above if it is a new one); a loss with a
built-in twin names it here too.

A :class:`Twin` says which built-in objective of each library computes the same model as the
loss, under which hyperparameters (``when``), which built-in parameters carry the loss's
(``xgboost_params``, ``lightgbm_params``, ``catboost_params``: built-in parameter name -> loss
attribute), and what the parity harness needs to compare the pair (the hyperparameters to try,
the start convention, tolerances, version floors). A loss may have further twins under other
hyperparameters (:attr:`Entry.more`: ``PoissonLoss(hessian="exact")`` is CatBoost's ``Poisson``,
``hessian="bounded"`` XGBoost's ``count:poisson``). The adapters read it to configure the
library (:func:`boostobj.xgboost_params`), the parity harness to train the pair side by side.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .losses import Loss, binary, counts, multiclass, regression, robust, survival

__all__ = ["LOSSES", "REGISTRY", "Entry", "Twin", "builtin_twin", "class_twin", "get_loss",
           "is_set", "register", "twin_named", "twin_of", "twins_of"]


@dataclasses.dataclass(frozen=True)
class Twin:
    """A built-in objective that a loss reproduces, and everything the adapters, the parity
    harness and the benchmark need to know about the pair (see the module docstring)."""

    xgboost: str | None = None
    lightgbm: str | None = None
    #: CatBoost's built-in twin (the name of its ``loss_function``, parameters in
    #: :attr:`catboost_params`).
    catboost: str | None = None
    #: The loss's hyperparameters that make it the twin: ``{name: value}``, or ``{name:
    #: predicate}`` for a callable value (``{"alpha": is_set}``).
    when: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: XGBoost's built-in parameters that carry the loss's hyperparameters (name -> attribute).
    xgboost_params: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The same for LightGBM's built-in (its names differ: ``poisson_max_delta_step``).
    lightgbm_params: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The same for CatBoost's, written into its ``loss_function`` string
    #: (``Tweedie:variance_power=1.5``, :func:`boostobj.adapters.catboost.builtin_loss_function`).
    catboost_params: dict[str, str] = dataclasses.field(default_factory=dict)
    #: Hyperparameters the pair is compared under, each over :attr:`when`'s plain values (one
    #: loss per dict; the parity harness builds them).
    examples: tuple[dict[str, Any], ...] = ({},)
    #: How the pair starts in the parity harness, per library: ``"builtin"``, both sides from
    #: the built-in's own estimate in every mode (it differs from ``loss.init_score`` by a
    #: convention, not by the objective); ``"loss"``, the built-in is given ``loss.init_score``
    #: (its own estimate is not comparable). Absent: each side its own start.
    start: dict[str, str] = dataclasses.field(default_factory=dict)
    #: ``(max |difference|, what must agree)`` for the float64 mode, per library, over the
    #: harness's defaults; ``None``: reported, not judged.
    tolerance: dict[str, tuple[float, str] | None] = dataclasses.field(default_factory=dict)
    #: The oldest version of each library whose built-in is this twin (older ones differ).
    floor: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The libraries whose built-in applies sample weights otherwise, by design (XGBoost's
    #: ``survival:cox`` scales the unweighted gradient): the twin holds on unweighted data only,
    #: and the parity harness reports its weighted cases as ``known``, not judged.
    unweighted: tuple[str, ...] = ()

    def names(self) -> dict[str, str]:
        """``{library: built-in objective}`` for the libraries that have one."""
        return {lib: name for lib, name in (("xgboost", self.xgboost), ("lightgbm", self.lightgbm),
                                            ("catboost", self.catboost))
                if name is not None}

    def params(self, library: str) -> dict[str, str]:
        """The built-in parameters of ``library`` that carry the loss's (name -> attribute)."""
        return {"xgboost": self.xgboost_params, "lightgbm": self.lightgbm_params,
                "catboost": self.catboost_params}[library]

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
    #: Hyperparameters of the instances the generic test suites walk (one loss per dict).
    examples: tuple[dict[str, Any], ...] = ({},)

    @property
    def twins(self) -> tuple[Twin, ...]:
        """Every twin of the entry, :attr:`twin` first."""
        return ((self.twin,) if self.twin is not None else ()) + tuple(self.more)

    def instances(self) -> list[Loss]:
        """One loss per :attr:`examples` dict."""
        return [self.cls(**params) for params in self.examples]

    def twin_losses(self) -> list[tuple[Loss, Twin]]:
        """``(loss, twin)`` for each twin and each of its :attr:`Twin.examples`: the loss built
        with the twin's plain ``when`` values and the example (a ``ValueError`` if the example
        makes the loss lose its twin)."""
        out = []
        for twin in self.twins:
            plain = {k: v for k, v in twin.when.items() if not callable(v)}
            for params in twin.examples:
                loss = self.cls(**{**plain, **params})
                if not twin.matches(loss.get_params()):
                    raise ValueError(f"the twin example {params!r} of {self.cls.name!r} makes "
                                     f"{loss!r} lose its twin")
                out.append((loss, twin))
        return out


# Start conventions (measured with xgboost 3.2.0, lightgbm 4.7.0, catboost 1.2.10):
# * XGBoost's multi:softprob centres log(p_k + 1e-6) instead of log(p_k): a start off by about
#   1e-6 / p_k per class (5.4e-7 in probability on a 200k-row weighted set); LightGBM's
#   multiclass start is the uncentred log-prior (the same probabilities, other margins): both
#   start from the built-in's own.
# * The log-link built-ins start from the log of the weighted label mean, as init_score does, but
#   XGBoost rounds the mean to float32 first and both sum in their own order: the built-in's own
#   start, so that the float64 comparison measures the gradients, not the last bit of the start.
# * LightGBM's fair starts from the weighted label mean, FairLoss from its exact minimiser.
# * CatBoost's Logloss, RMSE and CrossEntropy estimate their own start (boost_from_average, which
#   catboost accepts for these only); its other built-ins start from 0, so both sides get
#   init_score as the Pool's baseline.
# * XGBoost's reg:pseudohubererror starts from one Newton step at margin 0, absurd for targets far
#   from 0 (base_score 573,409 on diabetes with slope 1): it is given init_score.
_LOG_LINK = {"xgboost": "builtin", "lightgbm": "builtin"}
# XGBoost's log-link built-ins compute expf in float32: the float64 gradients give the same trees
# with leaf values a few float32 ulps apart (predictions up to 1.15e-6 of max |y| at 100 rounds).
_XGB_FLOAT32_EXP = {"xgboost": (2e-6, "structure")}
_BINARY = Twin(xgboost="binary:logistic", lightgbm="binary", catboost="Logloss",
               start={"catboost": "builtin"})
_SOFTMAX = Twin(xgboost="multi:softprob", lightgbm="multiclass", catboost="MultiClass",
                when={"hessian_scale": "library", "label_smoothing": 0.0},
                start={"xgboost": "builtin", "lightgbm": "builtin"})
_B, _C, _M, _R, _Q, _S = binary, counts, multiclass, regression, robust, survival
# Survival twins (measured with xgboost 3.2.0 and catboost 1.2.10, parity's diabetes/surv: 442
# untied times, 30% censored; see the classes' docstrings and docs/guide/survival.md). Both
# sides start from init_score (survival:cox starts from margin 0 as CoxPHLoss does;
# survival:aft from base_score 0.5, not the best constant). Cox agrees where no two times tie
# (the parity sets are untied) and without weights (XGBoost scales the unweighted gradient by
# the weight, CatBoost ignores the weights: both "unweighted"). CatBoost's Cox is float64 like
# the loss (1.7e-13 in the margin at 20 rounds). XGBoost's survival:cox rounds to float32:
# margins 1.8e-7 apart at 10 rounds of depth 6, 4e-6 at 30, then a near-tie split flips (73 of
# 100 trees alike, margins 0.46 apart at 100 rounds): reported, not judged, as pseudo-Huber.
# XGBoost's survival:aft: bit-identical unweighted, within 9.5e-7 in the margin weighted
# (float32 rounding), every tree's structure alike. CatBoost's SurvivalAft takes
# the log of the label with an approximate float32 logarithm (FastLogf), so its models are
# within 7e-5 in the margin, not float64-equal (judged at 1e-3); it ignores sample weights
# (measured: the unweighted derivatives reproduce both CatBoost built-ins on weighted data).
_COX = Twin(xgboost="survival:cox", catboost="Cox", when={"ties": "breslow"},
            start={"xgboost": "loss"}, tolerance={"xgboost": None},
            unweighted=("xgboost", "catboost"))
_AFT = Twin(xgboost="survival:aft", catboost="SurvivalAft",
            xgboost_params={"aft_loss_distribution": "distribution",
                            "aft_loss_distribution_scale": "scale"},
            catboost_params={"dist": "distribution", "scale": "scale"},
            examples=({"distribution": "normal"}, {"distribution": "logistic", "scale": 0.5},
                      {"distribution": "extreme", "scale": 2.0}),
            start={"xgboost": "loss"},
            tolerance={"xgboost": (2e-6, "structure"), "catboost": (1e-3, "prediction")},
            unweighted=("catboost",))

REGISTRY: list[Entry] = [
    # the built-ins have no label smoothing: twins at label_smoothing=0 only
    Entry(_B.BinaryLogLoss, dataclasses.replace(_BINARY, when={"label_smoothing": 0.0}),
          examples=({}, {"label_smoothing": 0.1})),
    # CatBoost's Focal (catboost 1.2.10): the exact hessian, unfloored, p clamped to
    # [1e-13, 1 - 1e-13]; catboost 1.2.0-1.2.2 train on other derivatives
    Entry(_B.FocalLoss, dataclasses.replace(_BINARY, when={"gamma": 0.0, "alpha": None}),
          more=(Twin(catboost="Focal", when={"alpha": is_set, "hessian": "exact"},
                     catboost_params={"focal_alpha": "alpha", "focal_gamma": "gamma"},
                     examples=({"gamma": 2.0, "alpha": 0.25},), floor={"catboost": "1.2.3"}),),
          examples=({"gamma": 0.0}, {"gamma": 0.5}, {"gamma": 2.0, "alpha": 0.25},
                    {"gamma": 2.0, "alpha": 0.25, "hessian": "exact"})),
    # CatBoost's LogCosh has no scale: log(cosh(z - y)), the exact hessian
    Entry(_R.LogCoshLoss, more=(Twin(catboost="LogCosh", when={"scale": 1.0, "hessian": "exact"}),),
          examples=({}, {"scale": 1.0}, {"scale": 2.5, "hessian": "exact"})),
    # XGBoost computes pseudo-Huber in float32: a last-bit difference can flip a near-tie split
    # against the float64 gradients (0.26 on targets up to 346 on diabetes+nan, 99/100 trees
    # alike), so that pair is reported, not judged; match_builtin is exact. delta=25 puts
    # diabetes-sized residuals (standard deviation 77) on both sides of the transition.
    Entry(_R.PseudoHuberLoss, Twin(xgboost="reg:pseudohubererror", when={"hessian": "exact"},
                                   xgboost_params={"huber_slope": "delta"},
                                   examples=({"delta": 25.0},), start={"xgboost": "loss"},
                                   tolerance={"xgboost": None}),
          examples=({}, {"delta": 0.5}, {"delta": 2.0, "hessian": "exact"})),
    # LightGBM's huber hands hessian 1 and starts from the label mean; CatBoost's Huber the
    # exact hessian, from 0 (both sides then start from init_score)
    Entry(_R.HuberLoss, Twin(lightgbm="huber", when={"hessian": "constant"},
                             lightgbm_params={"alpha": "delta"}, examples=({"delta": 25.0},),
                             start={"lightgbm": "builtin"}),
          more=(Twin(catboost="Huber", when={"hessian": "exact"}, catboost_params={"delta": "delta"},
                     examples=({"delta": 25.0},)),),
          examples=({}, {"delta": 2.0, "hessian": "exact"}, {"delta": 0.5, "hessian": "constant"})),
    # XGBoost's start is one Newton step from margin 0 (0.83 on diabetes, minimiser 132)
    Entry(_R.SquaredLogErrorLoss, Twin(xgboost="reg:squaredlogerror", when={"hessian": "clipped"},
                                       start={"xgboost": "loss"}),
          examples=({}, {"hessian": "exact"}, {"hessian": "clipped"})),
    Entry(_R.SquaredErrorLoss, Twin(xgboost="reg:squarederror", lightgbm="regression",
                                    catboost="RMSE", start={"catboost": "builtin"})),
    Entry(_M.SoftmaxLoss, _SOFTMAX, examples=({}, {"label_smoothing": 0.2})),
    Entry(_M.MulticlassFocalLoss, dataclasses.replace(
        _SOFTMAX, when={"gamma": 0.0, "alpha": None, "hessian_scale": "library"}),
          examples=({"gamma": 0.0}, {"gamma": 2.0, "alpha": (0.5, 1.0, 2.0)},
                    {"gamma": 0.5, "hessian": "exact"})),
    Entry(_C.PoissonLoss, Twin(xgboost="count:poisson", lightgbm="poisson",
                               when={"hessian": "bounded"},
                               xgboost_params={"max_delta_step": "max_delta_step"},
                               lightgbm_params={"poisson_max_delta_step": "max_delta_step"},
                               start=_LOG_LINK, tolerance=_XGB_FLOAT32_EXP),
          more=(Twin(catboost="Poisson", when={"hessian": "exact"}),),
          examples=({}, {"hessian": "exact"}, {"max_delta_step": 0.0})),
    Entry(_C.GammaLoss, Twin(xgboost="reg:gamma", lightgbm="gamma", start=_LOG_LINK,
                             tolerance=_XGB_FLOAT32_EXP)),
    Entry(_B.BinaryCrossEntropy, Twin(xgboost="binary:logistic", lightgbm="cross_entropy",
                                      catboost="CrossEntropy", start={"catboost": "builtin"})),
    Entry(_Q.QuantileLoss, examples=({}, {"alpha": 0.9})),  # the built-ins renew leaves to exact quantiles: no parity
    # LightGBM's mape and CatBoost's MAPE set their leaves to weighted medians (LightGBM
    # renews them, CatBoost's default leaf estimation is Exact and it refuses Newton): no twin
    Entry(_Q.MAPELoss, examples=({}, {"hessian": "constant"})),
    Entry(_Q.SmoothQuantileLoss, examples=({}, {"alpha": 0.9, "scale": 3.0, "hessian": "exact"},
                                           {"alpha": 0.2, "scale": 0.5})),
    Entry(_Q.ExpectileLoss, examples=({"tau": 0.8},)),
    Entry(_Q.FairLoss, Twin(lightgbm="fair", lightgbm_params={"fair_c": "c"},
                            examples=({"c": 25.0},), start={"lightgbm": "builtin"}),
          examples=({}, {"c": 3.0})),
    Entry(_Q.CauchyLoss, examples=({}, {"scale": 2.0, "hessian": "exact"})),
    Entry(_Q.WelschLoss, examples=({}, {"scale": 4.0, "hessian": "exact"})),
    Entry(_C.TweedieLoss, Twin(xgboost="reg:tweedie", lightgbm="tweedie", catboost="Tweedie",
                               xgboost_params={"tweedie_variance_power": "power"},
                               lightgbm_params={"tweedie_variance_power": "power"},
                               catboost_params={"variance_power": "power"},
                               start=_LOG_LINK, tolerance=_XGB_FLOAT32_EXP),
          examples=({}, {"power": 1.1}, {"power": 1.9})),
    Entry(_S.CoxPHLoss, _COX, examples=({}, {"ties": "efron"})),
    Entry(_S.AFTLoss, _AFT, examples=({}, {"distribution": "logistic", "scale": 0.5},
                                      {"distribution": "extreme", "scale": 2.0})),
]

#: Registry key -> class. Keys are the losses' ``name``.
LOSSES: dict[str, type[Loss]] = {entry.cls.name: entry.cls for entry in REGISTRY}
_BY_CLASS = {entry.cls: entry for entry in REGISTRY}


def register(cls: type[Loss], twin: Twin | None = None, more: tuple[Twin, ...] = (),
             examples: tuple[dict[str, Any], ...] = ({},)) -> type[Loss]:
    """Add a loss class, and the built-in twin it reproduces (``more``: further twins under other
    hyperparameters), to the registry: the one line a new loss needs. The generic tests,
    ``check --all``, the benchmark and the parity harness then walk it. Returns the class; a
    second loss under the same ``name`` is refused."""
    if cls.name in LOSSES and LOSSES[cls.name] is not cls:
        raise ValueError(f"a loss named {cls.name!r} is registered already ({LOSSES[cls.name]})")
    entry = Entry(cls, twin, tuple(more), tuple(examples))
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


def twin_named(library: str, builtin: str) -> Twin | None:
    """The registry's :class:`Twin` whose ``library`` built-in is ``builtin`` (the first one
    declared), or None."""
    for entry in REGISTRY:
        for twin in entry.twins:
            if twin.names().get(library) == builtin:
                return twin
    return None


def class_twin(cls: type[Loss], library: str) -> Twin | None:
    """The first :class:`Twin` of the registry entry of ``cls`` that names a ``library``
    built-in, whatever its hyperparameters (``when``); None when there is none. (For an
    adapter that configures the library's objective of the same family, e.g. XGBoost's
    ``survival:cox`` for any ``CoxPHLoss``.)"""
    entry = _BY_CLASS.get(cls)
    for twin in () if entry is None else entry.twins:
        if library in twin.names():
            return twin
    return None


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
