"""Sphinx configuration for the boostobj documentation.

Sphinx with numpydoc and autosummary because the docstrings are numpydoc with RST math already;
the guides are Markdown (MyST). Build: ``python -m sphinx -W -b html docs docs/_build/html``.
"""

import os
import sys

sys.path.insert(0, os.path.abspath("."))  # the _ext folder

import boostobj

project = "boostobj"
author = "The boostobj developers"
copyright = "2026, The boostobj developers"
release = version = boostobj.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "_ext.results",
    "_ext.objectives",
]
myst_enable_extensions = ["dollarmath", "colon_fence"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "results/*.json", "generated/*.md"]
autosummary_generate = True
templates_path = ["_templates"]
autodoc_inherit_docstrings = False  # the estimators' inherited XGBoost/LightGBM docs are theirs
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_validation_checks = set()
html_theme = "furo"
html_title = f"boostobj {release}"
nitpicky = False


def _skip_metadata_requests(app, what, name, obj, skip, options):
    # scikit-learn's generated set_*_request methods document scikit-learn's metadata routing
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_requests)
