"""Option resolution for :func:`boostobj.check.check_objective` and its command line: what an
objective spec names (:func:`resolve`), ``--param`` values, and the ``"auto"`` choices (which
loss, labels, hessian semantics, entry points and classes a check uses)."""

from __future__ import annotations

import dataclasses
import importlib
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from .._objective import FitObjective
from ..losses import Loss
from .calls import signature_api

__all__ = ["APIS", "HESSIANS", "KINDS", "Options", "parse_params", "parse_value", "resolve",
           "resolve_options"]

#: ``"log"``: regression on the log link (counts and positive amounts: labels > 0, margins
#: within float32's ``exp``), what :class:`~boostobj.PoissonLoss` and its kin take.
KINDS = ("binary", "regression", "multiclass", "log")
APIS = ("xgboost", "lightgbm", "sklearn")
#: ``"exact"``: the second derivative; ``"bounded"``: a positive curvature bound (the boostobj
#: losses' ``hessian="bounded"``, a library's scaled multiclass diagonal).
HESSIANS = ("exact", "bounded")


@dataclasses.dataclass
class Options:
    """What one check runs with, every ``"auto"`` decided."""

    name: str  # how the report names the objective
    loss: Callable  # per-row loss (y, margin)
    kind: str
    hessian: str
    apis: tuple[str, ...]
    n_classes: int
    #: a native objective whose library was not given: XGBoost first, LightGBM if that raises
    native_auto: bool = False


def _plain(value):
    """Python scalars in messages: ``'binary'`` and ``2.0``, not ``np.str_('binary')``."""
    return value.item() if isinstance(value, np.generic) else value


def _available(api: str) -> bool:
    if api == "sklearn":
        return True
    try:
        importlib.import_module(api)
    except ImportError:
        return False
    return True


def _base_loss(objective) -> Loss | None:
    """The boostobj loss behind ``objective`` (a loss, or an :class:`~boostobj.FitObjective` of
    one), else None."""
    if isinstance(objective, Loss):
        return objective
    if isinstance(objective, FitObjective) and isinstance(objective.loss, Loss):
        return objective.loss
    return None


def _fixed_classes(base: Loss) -> int | None:
    """The number of classes a multiclass loss's hyperparameters fix (``n_classes``, or one
    class weight per class), else None."""
    if getattr(base, "n_classes", None) is not None:
        return int(base.n_classes)
    alpha = getattr(base, "alpha", None)
    return len(alpha) if alpha is not None and np.ndim(alpha) == 1 else None


def _mirrors_builtin(objective) -> bool:
    from ..parity.mirror import builtin_gradient_hessian

    return isinstance(objective, FitObjective) and objective.kernel is builtin_gradient_hessian


def resolve_options(objective, loss=None, *, kind=None, api="auto", hessian="auto",
                    n_classes=None) -> Options:
    """Decide the ``"auto"`` options of :func:`~boostobj.check.check_objective` (see there);
    a ``TypeError``/``ValueError`` for options that do not fit the objective."""
    base = _base_loss(objective)
    if base is not None and base.task == "survival":
        raise ValueError(
            f"{base!r} is a survival loss, and check compares each row's gradient with the "
            "finite differences of that row's own loss on one-column labels: not what a loss "
            "of coupled rows (Cox) or of [lower, upper] labels (AFT) computes. Its derivatives "
            "are checked against 60-digit references by boostobj's own tests"
        )
    if base is None and not callable(objective):
        raise TypeError(f"the objective must be a boostobj Loss, a FitObjective or a callable "
                        f"objective function, got {type(objective).__name__}")
    if loss is None:
        if base is None:
            raise TypeError("pass loss=<function (y, margin) -> per-row loss> for a custom objective "
                            "(--loss module:function on the command line)")
        loss = base.loss
    elif isinstance(loss, Loss):
        loss = loss.loss
    if kind is None:
        if base is None:
            raise TypeError("pass kind='binary', 'regression' or 'multiclass' for a custom objective")
        kind = "log" if base.link.name == "log" else base.task
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {_plain(kind)!r}")
    if hessian == "auto":
        hessian = "exact"
        if base is not None and (
                base.hessian != "exact"
                # the library's scale on the multiclass diagonal, or a replacement kernel's
                or (kind == "multiclass" and (getattr(base, "hessian_scale", 1.0) != 1.0
                                              or (isinstance(objective, FitObjective)
                                                  and objective.kernel is not None)))):
            hessian = "bounded"
    if hessian not in HESSIANS:
        hint = " (what was called 'surrogate' is 'bounded')" if hessian == "surrogate" else ""
        raise ValueError(f"hessian must be 'auto', 'exact' or 'bounded', got {_plain(hessian)!r}{hint}")
    native_auto = False
    if api == "auto":
        if base is not None:
            apis = tuple(a for a in APIS if _available(a))
            if _mirrors_builtin(objective):  # only the libraries whose arithmetic it reproduces
                from ..registry import builtin_twin

                apis = tuple(a for a in apis if a in builtin_twin(base))
        else:
            detected = signature_api(objective)
            apis = ("xgboost", "lightgbm") if detected == "native" else ("sklearn",)
            apis = tuple(a for a in apis if _available(a)) or ("sklearn",)
            if detected == "native" and apis == ("sklearn",):
                raise ImportError("a native objective needs xgboost or lightgbm installed")
            native_auto = detected == "native"
    else:
        apis = (api,) if isinstance(api, str) else tuple(api)
        for a in apis:
            if a not in APIS:
                raise ValueError(f"api must be 'auto' or one of {APIS}, got {_plain(a)!r}")
    fixed = _fixed_classes(base) if base is not None and kind == "multiclass" else None
    if n_classes is not None:
        if kind != "multiclass":
            raise ValueError(f"n_classes applies to multiclass objectives; this one is {kind}")
        if isinstance(n_classes, (bool, np.bool_)) or not isinstance(n_classes, (int, np.integer)):
            raise TypeError(f"n_classes must be an integer, got {type(n_classes).__name__}")
        if n_classes < 2:
            raise ValueError(f"n_classes must be >= 2 (a multiclass objective needs two classes), "
                             f"got {n_classes}")
        if fixed is not None and n_classes != fixed:
            raise ValueError(f"n_classes={n_classes}, but {base!r} is for {fixed} classes")
    k = int(n_classes or fixed or 3)
    name = repr(objective) if base is not None else getattr(objective, "__qualname__", repr(objective))
    return Options(name, loss, kind, hessian, apis, k, native_auto)


# ---------------------------------------------------------------------------- command line
def parse_value(text: str):
    """A ``--param`` value: None, True/False, an int, a float, else the text itself."""
    low = text.strip().lower()
    if low == "none":
        return None
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def parse_params(items) -> dict[str, Any]:
    """``["gamma=2", "alpha=0.25"]`` -> ``{"gamma": 2, "alpha": 0.25}``."""
    params = {}
    for item in items or ():
        key, sep, val = item.partition("=")
        if not sep or not key:
            raise ValueError(f"parameters are written name=value, got {item!r}")
        params[key.strip()] = parse_value(val)
    return params


def resolve(spec: str, params: dict | None = None, *, role: str = "objective"):
    """A registry name (``focal_loss``) or ``module:attribute``.

    ``module:attribute`` **imports** ``module``, which runs its top-level code, exactly as
    ``python -c "import module"`` run from the working directory would: give only modules you
    trust. The working directory is searched first (as ``python -m`` does) and taken off
    ``sys.path`` again before this returns. ``attribute`` may be dotted (``module:Class.method``).
    A ``Loss`` subclass is instantiated with ``params``; any other callable is returned as it
    is, and anything else is a ``TypeError`` saying what the attribute is and what ``role``
    (``"objective"``, or ``"loss"`` for ``--loss``) wants instead.
    """
    from ..registry import LOSSES, get_loss

    params = params or {}
    if ":" not in spec:
        if spec in LOSSES:
            return get_loss(spec, **params)
        raise ValueError(f"unknown objective {spec!r}: use a registry name {sorted(LOSSES)} "
                         "or module:attribute")
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"write module:attribute, got {spec!r}")
    cwd = os.getcwd()
    added = cwd not in sys.path and "" not in sys.path
    if added:
        sys.path.insert(0, cwd)  # like python -m: find the user's module in the cwd
    try:
        obj: Any = importlib.import_module(module_name)
    finally:
        if added:
            if sys.path and sys.path[0] == cwd:
                del sys.path[0]
            elif cwd in sys.path:
                sys.path.remove(cwd)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if isinstance(obj, type) and issubclass(obj, Loss):
        return obj(**params)
    if not callable(obj):
        want = ("a per-row loss function (y, margin) -> losses, a boostobj Loss class or instance"
                if role == "loss" else
                "an objective function with the XGBoost (predt, dtrain), LightGBM (preds, "
                "train_data) or scikit-learn (y_true, y_pred) signature, a boostobj Loss class "
                "or instance")
        shown = repr(obj)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise TypeError(f"{spec} exists but is not callable, so it cannot be the {role}: it is "
                        f"{type(obj).__name__} {shown}; name {want}")
    if params:
        raise ValueError(f"--param applies to a registry name or Loss class, not to {spec}")
    return obj
