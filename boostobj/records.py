"""What a trained model records about its objective, so that it keeps it when saved and loaded.

A *record* is a small JSON-able dict: the loss's registry key and its hyperparameters (with any
``"auto"`` value already resolved on the training labels), its link, the starting margin and
whether that start is folded into the model. The adapters store it in the library's own model
(XGBoost: a booster attribute, CatBoost: the model's metadata), where it survives
``save_model``/``load_model``, pickling and joblib, and rebuild the loss from it on load.

>>> import boostobj
>>> rec = record(boostobj.PseudoHuberLoss(delta=2.0), start=1.5, folded=True)
>>> rec["loss"], rec["params"], rec["link"], rec["start"], rec["folded"]
('pseudo_huber', {'delta': 2.0, 'hessian': 'bounded'}, 'identity', 1.5, True)
>>> loss_of_record(loads(dumps(rec)))
PseudoHuberLoss(delta=2.0)
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

__all__ = ["FORMAT", "KEY", "dumps", "loads", "loss_of_record", "record"]

#: The attribute / metadata key the record is stored under in a library's model.
KEY = "boostobj"
#: The record's format version (raised when a field changes meaning).
FORMAT = 1


def record(loss, *, start=None, folded: bool = False) -> dict[str, Any]:
    """The record of a *resolved* ``loss`` (no ``"auto"`` value left) for a model that starts
    from ``start`` (a float, one value per class, or None when unknown), folded into the model's
    predictions when ``folded``."""
    if loss.has_auto():
        raise ValueError(f"{loss!r} still has 'auto' hyperparameters; record the loss resolved on "
                         "the training labels (loss.resolved(y, w))")
    if start is not None:
        start = np.asarray(start, dtype=np.float64)
        start = float(start) if start.ndim == 0 else [float(v) for v in start]
    return {"format": FORMAT, "loss": _key(loss), "params": _encode(loss.get_params()),
            "link": loss.link.name, "task": loss.task, "start": start, "folded": bool(folded)}


def dumps(rec: dict) -> str:
    """The record as one line of JSON (what the libraries store)."""
    return json.dumps(rec, sort_keys=True, separators=(",", ":"))


def loads(text) -> dict | None:
    """A record from its JSON text; None for None or an empty string (a model without one)."""
    if text is None or text == "":
        return None
    rec = json.loads(text)
    if not isinstance(rec, dict) or "loss" not in rec:
        raise ValueError(f"not a boostobj model record: {text!r}")
    if rec.get("format", 0) > FORMAT:
        raise ValueError(
            f"this model was saved by a newer boostobj (record format {rec['format']}, this one "
            f"reads {FORMAT}); upgrade boostobj to load it"
        )
    return rec


def loss_of_record(rec: dict):
    """The loss a record describes, rebuilt from the registry (a loss added with
    :func:`boostobj.registry.register` must be registered in this process too)."""
    return _decode_loss(rec["loss"], rec["params"])


# ------------------------------------------------------------------ (de)coding hyperparameters
def _encode(value):
    from .losses import Loss

    if isinstance(value, Loss):
        return {"__loss__": _key(value), "params": _encode(value.get_params())}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _decode(value):
    if isinstance(value, dict) and "__loss__" in value:
        return _decode_loss(value["__loss__"], value["params"])
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def _key(loss) -> str:
    """The registry key of ``loss``'s class, or the class name of a loss built from others
    (:class:`~boostobj.CombinedLoss`)."""
    from .registry import LOSSES

    return loss.name if LOSSES.get(loss.name) is type(loss) else type(loss).__name__


def _decode_loss(name: str, params: dict):
    from . import losses
    from .registry import LOSSES

    cls = LOSSES.get(name)
    if cls is None and isinstance(getattr(losses, name, None), type):
        cls = getattr(losses, name)
    if cls is None or not issubclass(cls, losses.Loss):
        raise ValueError(
            f"the model was trained with the loss {name!r}, which is not registered in this "
            "process; import the module that defines it and call boostobj.registry.register(cls) "
            "before loading the model"
        )
    return cls(**{k: _decode(v) for k, v in params.items()})
