"""Small helpers shared by the command-line tools (``python -m boostobj bench|parity|check|plot``):
argument types that turn a bad value into an argparse usage error (exit status 2) instead of a
traceback, and a write check made before any long run."""

from __future__ import annotations

import argparse
import os

__all__ = ["check_writable", "int_at_least", "writable_or_error"]


def int_at_least(low: int):
    """An argparse ``type``: an integer ``>= low``, else a usage error naming the bound."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}")
        return value

    parse.__name__ = f"integer >= {low}"
    return parse


def check_writable(path: str) -> None:
    """Raise ``OSError`` unless a file can be written at ``path`` (its folder exists and is
    writable, and it is not a folder itself). Leaves no file behind that was not there."""
    existed = os.path.lexists(path)
    with open(path, "a", encoding="utf-8"):
        pass
    if not existed:
        os.remove(path)


def writable_or_error(parser: argparse.ArgumentParser, option: str, path: str) -> None:
    """:func:`check_writable`, reported as a usage error of ``option`` (exit status 2)."""
    try:
        check_writable(path)
    except OSError as exc:
        parser.error(f"{option} {path}: cannot write there ({exc.strerror or exc})")
