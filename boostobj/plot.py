"""``python -m boostobj plot NAME[:param=v1,v2,...] ... -o out.png``: loss, gradient and hessian
against the margin, so you can see what focal's ``gamma`` or pseudo-Huber's ``delta`` does.

The x-axis is what is varied. Binary losses are drawn against the margin for a positive row
(``y = 1``; ``--label 0`` for a negative one); regression losses on the identity link against
the residual ``m - y`` (``y = 0``); regression losses on the log link (Poisson, gamma, Tweedie:
counts and positive amounts, whose loss is not a function of ``m - y``) against the margin
``m = log(mean)`` for the label ``--label`` (default 1); multiclass losses against the true
class's margin with the other margins at 0. The hessian drawn is the one the
objective uses (its ``hessian`` option); where that is a bound, the exact second derivative is
added dashed. matplotlib (an optional dependency: ``pip install "boostobj[bench]"``) draws
through its Agg canvas, without pyplot.

Examples
--------
>>> from boostobj.plot import expand
>>> expand("focal_loss:gamma=0,2:alpha=0.25")
[FocalLoss(gamma=0.0, alpha=0.25), FocalLoss(alpha=0.25)]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys

import numpy as np

from ._cli import writable_or_error
from .check.options import parse_value as _value
from .losses import Loss

__all__ = ["expand", "main", "plot_objectives"]


def expand(spec: str) -> list[Loss]:
    """``"NAME:p=a,b:q=c"`` -> one registry loss per combination of the listed values."""
    from .registry import get_loss

    name, *parts = spec.split(":")
    keys, choices = [], []
    for part in parts:
        key, sep, values = part.partition("=")
        if not sep or not key or not values:
            raise ValueError(f"write parameters as NAME:param=v1,v2,... ; got {part!r} in {spec!r}")
        keys.append(key.strip())
        choices.append([_value(v) for v in values.split(",")])
    return [get_loss(name, **dict(zip(keys, combo))) for combo in itertools.product(*choices)]


def _varying(losses) -> set[str]:
    """Hyperparameters whose value differs between plotted losses of one class."""
    seen: dict[tuple, set] = {}
    for loss in losses:
        if hasattr(loss, "expressions"):  # a DerivedLoss is labelled by its formula
            continue
        for k, v in loss.get_params().items():
            seen.setdefault((type(loss), k), set()).add(repr(v))
    return {k for (_, k), values in seen.items() if len(values) > 1}


def _label(loss: Loss, varying=()) -> str:
    """``name k=v, ...``: the hyperparameters that differ from the defaults or, in ``varying``,
    between the losses plotted together."""
    if hasattr(loss, "expressions"):  # a DerivedLoss: its name (the formula, from the CLI)
        return loss.name
    params = {k: v for k, v in loss.get_params().items()
              if v is not None and (k in loss.params or k in varying)}
    return loss.name + (" " + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                                         for k, v in params.items()) if params else "")


def _uses_label(loss: Loss) -> bool:
    """Whether ``loss`` is drawn against the margin for a given label (binary losses and
    regression on a link other than the identity), not against the residual or the true
    class's margin."""
    return loss.task == "binary" or (loss.task == "regression" and loss.link.name != "identity")


def _axis(loss: Loss, label: float) -> str:
    """The x-axis title for ``loss``: the quantity varied, and what is held fixed."""
    if loss.task == "multiclass":
        return "margin of the true class (others 0)"
    if not _uses_label(loss):
        return "residual m - y"
    if loss.link.name == "log":
        return f"margin m = log(mean) (label y = {label:g})"
    return f"margin m (label y = {label:g})"


def _curves(loss: Loss, x: np.ndarray, label: float):
    """Loss, gradient, hessian (the objective's) and the exact hessian (or None) along ``x``."""
    if loss.task == "multiclass":
        k = getattr(loss, "n_classes", None) or 3
        z = np.zeros((x.size, k))
        z[:, 0] = x
        y = np.zeros(x.size)
    elif _uses_label(loss):
        y, z = np.full(x.size, float(label)), x
    else:
        y, z = np.zeros(x.size), x
    try:
        g, h = loss.gradient_hessian(y, z)
    except ValueError as exc:
        if not _uses_label(loss):
            raise
        raise ValueError(f"the label y = {label:g} does not suit {loss.name} (choose another "
                         f"with --label, label= in Python): {exc}") from None
    exact = None
    if loss.hessian != "exact" and "exact" in loss.hessian_options and not hasattr(loss, "expressions"):
        exact_loss = type(loss)(**{**loss.params, "hessian": "exact"})
        exact = exact_loss.gradient_hessian(y, z)[1]
        if exact.ndim == 2:
            exact = exact[:, 0]
    if g.ndim == 2:
        g, h = g[:, 0], h[:, 0]
    return loss.loss(y, z), g, h, exact


def plot_objectives(losses, path, *, xlim=(-6.0, 6.0), label: float = 1.0, points: int = 601,
                    title: str | None = None):
    """Draw loss, gradient and hessian of ``losses`` side by side into the image file ``path``.

    Returns the matplotlib ``Figure``.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'boostobj[bench]'") from None
    losses = list(losses)
    if not losses:
        raise ValueError("give at least one objective to plot")
    for loss in losses:
        if loss.task == "survival":
            raise ValueError(
                f"{loss!r} is a survival loss: a Cox row's loss depends on every other row and "
                "an AFT label is a pair of bounds, so there is no curve of one row's loss "
                "against its margin at one label to draw"
            )
    lo, hi = map(float, xlim)
    if not lo < hi:
        raise ValueError(f"the x range must be increasing, got ({lo:g}, {hi:g})")
    x = np.linspace(lo, hi, points)
    xlabel = " / ".join(dict.fromkeys(_axis(loss, label) for loss in losses))
    fig = Figure(figsize=(13, 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 3)
    any_exact = False
    varying = _varying(losses)
    for i, loss in enumerate(losses):
        color = f"C{i % 10}"
        f, g, h, exact = _curves(loss, x, label)
        axes[0].plot(x, f, color=color, label=_label(loss, varying))
        axes[1].plot(x, g, color=color)
        axes[2].plot(x, h, color=color)
        if exact is not None:
            any_exact = True
            axes[2].plot(x, exact, color=color, linestyle="--", linewidth=1)
    names = ("loss", "gradient dL/dm", "hessian" + (" (dashed: exact d²L/dm²)" if any_exact else " d²L/dm²"))
    for ax, name in zip(axes, names):
        ax.set_title(name)
        ax.set_xlabel(xlabel)
        ax.axhline(0.0, color="0.7", linewidth=0.8)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize="small")
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=110)
    return fig


def _output_path(parser: argparse.ArgumentParser, path: str) -> str:
    """The file ``-o`` names (``.png`` added when it has no extension), checked writable in a
    supported format before anything is drawn; else a usage error (exit status 2)."""
    if os.path.isdir(path):
        parser.error(f"-o {path}: is a folder; name the image file")
    if not os.path.splitext(path)[1]:
        path += ".png"
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        parser.error(f"-o {path}: the folder {folder} does not exist")
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        pass  # reported by plot_objectives
    else:
        ext = os.path.splitext(path)[1][1:].lower()
        supported = FigureCanvasBase.get_supported_filetypes()
        if ext not in supported:
            parser.error(f"-o {path}: matplotlib cannot write .{ext} files; use one of "
                         + ", ".join(f".{e}" for e in sorted(supported)))
    writable_or_error(parser, "-o", path)
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m boostobj plot``: 0 when the image is written, 2 on bad usage."""
    parser = argparse.ArgumentParser(
        prog="python -m boostobj plot",
        description="Plot loss, gradient and hessian of one or several objectives into one PNG.",
        epilog="examples: plot focal_loss:gamma=0,1,2 -o focal.png | "
               "plot pseudo_huber:delta=0.5,1,2 log_cosh squared_error -o robust.png")
    parser.add_argument("objectives", nargs="*", metavar="NAME[:param=v1,v2,...]",
                        help="registry loss, with comma-separated values to compare")
    parser.add_argument("--formula", action="append", default=[],
                        help="also plot a loss derived from a formula in y and m (needs sympy)")
    parser.add_argument("--link", default="identity", choices=("identity", "logit"),
                        help="link of the --formula losses")
    parser.add_argument("-o", "--output", default="objectives.png",
                        help="image file in an existing folder; its extension picks the format "
                             "(.png when there is none)")
    parser.add_argument("--range", nargs=2, type=float, default=(-6.0, 6.0), metavar=("LO", "HI"))
    parser.add_argument("--label", type=float, default=1.0,
                        help="label y of the losses drawn against the margin: binary (0 or 1) "
                             "and log-link ones such as poisson, gamma, tweedie (> 0); default 1")
    parser.add_argument("--title")
    args = parser.parse_args(argv)
    args.output = _output_path(parser, args.output)
    try:
        losses = [loss for spec in args.objectives for loss in expand(spec)]
        if args.formula:
            from .derive import derive

            losses += [derive(f, link=args.link, name=f, check=False) for f in args.formula]
        plot_objectives(losses, args.output, xlim=args.range, label=args.label, title=args.title)
    except (ValueError, TypeError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    varying = _varying(losses)
    print(f"wrote {args.output}: {', '.join(_label(loss, varying) for loss in losses)}")
    return 0
