"""boostobj's warnings, and where they point: at the user's line, not at boostobj's."""

from __future__ import annotations

import os
import sys

__all__ = ["DegenerateWarning", "user_stacklevel"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


class DegenerateWarning(UserWarning):
    """The hyperparameters leave the model almost nothing to learn from (the message says why)."""


def user_stacklevel() -> int:
    """``stacklevel`` for :func:`warnings.warn` that names the first frame outside boostobj."""
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level
