"""``python -m boostobj COMMAND`` (also the ``boostobj`` console script).

Commands: ``bench`` (built-in vs custom: speed and quality), ``parity`` (custom vs built-in
models, tree by tree), ``check`` (test any custom objective's derivatives), ``plot`` (draw loss,
gradient and hessian). ``python -m boostobj COMMAND --help`` describes each.
``python -m boostobj --version`` prints what :func:`boostobj.show_config` does.

Exit status: 0 on success; 1 when a parity case or an objective check fails; 2 on bad usage (an
unknown command or option, a value out of range, an output path that cannot be written), as
argparse does, always before any long run starts.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "bench": ("boostobj.bench", "compare built-in and custom objectives: speed and model quality"),
    "parity": ("boostobj.parity", "train custom objectives beside their built-in twins and compare"),
    "check": ("boostobj.check", "check a custom objective's gradient and hessian"),
    "plot": ("boostobj.plot", "plot loss, gradient and hessian of objectives against the margin"),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--version"]:
        from . import show_config

        show_config()
        return 0
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        print("usage: python -m boostobj {" + ",".join(COMMANDS) + "} [options]")
        print("       python -m boostobj --version\n")
        for name, (_, text) in COMMANDS.items():
            print(f"  {name:<8} {text}")
        if argv and argv[0] not in ("-h", "--help"):
            print(f"\nunknown command {argv[0]!r}", file=sys.stderr)
            return 2
        return 0
    module = importlib.import_module(COMMANDS[argv[0]][0])
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
