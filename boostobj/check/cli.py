"""``python -m boostobj check``: the command line of the objective checker."""

from __future__ import annotations

import argparse
import sys

from .._cli import int_at_least
from .._kernels import HESSIAN_FLOOR
from .checks import check_objective
from .options import APIS, HESSIANS, KINDS, parse_params, resolve

__all__ = ["main"]

_SPEC_HELP = (
    "a registry name (e.g. focal_loss), or module:attribute, which imports that module, running "
    "its code as python -c 'import module' would (the working directory is searched first): "
    "name only modules you trust")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m boostobj check",
        description="Check a custom objective's gradient, hessian, weights and outputs against "
                    "finite differences of its loss, on random and extreme margins. Exit status: "
                    "0 when every check passes, 1 when one fails, 2 on bad usage.",
        epilog="examples: check focal_loss --param gamma=2 | check --all | "
               "check mymodule:my_obj --loss mymodule:my_loss --kind binary")
    parser.add_argument("objective", nargs="?", help=_SPEC_HELP)
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="parameter of a registry loss or Loss class (repeatable); with "
                             "--all, the losses that take every --param given are checked with "
                             "those values and the others are listed as skipped (none taking "
                             "them is a usage error)")
    parser.add_argument("--loss", help="per-row loss (y, margin) for a custom objective: "
                                       "module:function (imported the same way) or a registry name")
    parser.add_argument("--kind", choices=KINDS, help="labels to try (required for custom objectives)")
    parser.add_argument("--api", default="auto", choices=("auto", *APIS))
    parser.add_argument("--hessian", default="auto", choices=("auto", *HESSIANS),
                        help="exact: compare with d2L/dm2; bounded: a positive curvature bound "
                             "(default auto: bounded for boostobj losses with hessian='bounded' "
                             "and library-scaled multiclass hessians, exact otherwise)")
    parser.add_argument("--hessian-floor", type=float, default=HESSIAN_FLOOR)
    parser.add_argument("--n-classes", type=int_at_least(2),
                        help="classes for a multiclass objective (>= 2; default: the loss's, else 3)")
    parser.add_argument("--rows", type=int_at_least(1), default=200,
                        help="random rows (extreme rows are added)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-weights", action="store_true", help="skip the weights check")
    parser.add_argument("--all", action="store_true",
                        help="check every registry loss with each of its hessian options (the "
                             "survival losses excepted: their rows are coupled or their labels "
                             "pairs)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only failures and the verdict")
    return parser


def _registry_targets(params: dict) -> tuple[list, list[str]]:
    """``--all``: every registry loss that takes every parameter in ``params``, built with them,
    once per hessian option (only the one given as ``hessian=``); and the names of the losses
    skipped for lacking a parameter. ``ValueError`` if no loss takes them all."""
    from ..registry import LOSSES

    targets, skipped = [], []
    for name, cls in LOSSES.items():
        if cls.task == "survival":  # not a per-row check (resolve_options says why)
            continue
        names = cls._param_names()
        if not set(params) <= set(names):
            skipped.append(name)
            continue
        options = (params["hessian"],) if "hessian" in params else cls.hessian_options
        for option in options:
            kwargs = {**params, "hessian": option} if "hessian" in names else params
            targets.append(cls(**kwargs))
    if not targets:
        known = sorted({k for cls in LOSSES.values() for k in cls._param_names()})
        raise ValueError(f"--all with --param {', '.join(params)}: no registry loss takes "
                         f"{'them all' if len(params) > 1 else 'it'}; their parameters are "
                         f"{', '.join(known)}")
    return targets, skipped


def main(argv: list[str] | None = None) -> int:
    """``python -m boostobj check``: exit status 1 when a check fails (for CI), 2 on bad usage."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.all and args.objective:
        parser.error("give an objective or --all, not both")
    if not (args.all or args.objective):
        parser.error("give an objective or --all")
    try:
        params = parse_params(args.param)
        if args.all:
            targets, skipped = _registry_targets(params)
            if skipped and not args.quiet:
                print(f"skipped (no parameter {' or '.join(params)}): {', '.join(skipped)}")
        else:
            targets = [resolve(args.objective, params)]
        loss = resolve(args.loss, role="loss") if args.loss else None
    except (ValueError, TypeError, ImportError, AttributeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    status = 0
    for target in targets:
        try:
            report = check_objective(
                target, loss, kind=args.kind, api=args.api, hessian=args.hessian,
                n_classes=args.n_classes, n_random=args.rows, seed=args.seed,
                hessian_floor=args.hessian_floor, weights=not args.no_weights)
        except (ValueError, TypeError, ImportError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if args.quiet:
            lines = [str(f) for f in report.findings if f.status == "FAIL"]
            print("\n".join([f"check {report.objective}", *lines,
                             "PASSED" if report.ok else "FAILED"]))
        else:
            print(report)
        status = status or (0 if report.ok else 1)
    return status
