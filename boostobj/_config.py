"""What :func:`boostobj.show_config` and ``python -m boostobj --version`` print: the versions of
boostobj, Python and the libraries it works with, and whether the compiled kernels are in use."""

from __future__ import annotations

import os
import platform
import sys

# (label, distribution name); looked up in the installed metadata, so nothing is imported
LIBRARIES = [
    ("numpy", "numpy"),
    ("scipy", "scipy"),
    ("xgboost", "xgboost"),
    ("lightgbm", "lightgbm"),
    ("catboost", "catboost"),
    ("scikit-learn", "scikit-learn"),
    ("dask", "dask"),
]


def _version(distribution: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def compiled_kernels() -> str:
    """Whether the compiled kernels run (else numpy's), and why not."""
    from . import _kernels

    if _kernels.COMPILED:
        module = _kernels._ckernels
        return f"yes ({os.path.basename(getattr(module, '__file__', '') or '_ckernels')})"
    if os.environ.get("BOOSTOBJ_NUMPY_KERNELS", "") not in ("", "0"):
        return "no, numpy kernels (BOOSTOBJ_NUMPY_KERNELS is set)"
    return "no, numpy kernels (boostobj._ckernels was not built)"


def rows() -> list[tuple[str, str]]:
    from . import __version__

    python = f"{platform.python_version()} ({platform.python_implementation()}, {sys.executable})"
    return ([("boostobj", __version__), ("python", python)]
            + [(label, _version(dist)) for label, dist in LIBRARIES]
            + [("compiled kernels", compiled_kernels())])


def text() -> str:
    pairs = rows()
    width = max(len(label) for label, _ in pairs)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in pairs)
