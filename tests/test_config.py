"""boostobj.show_config / ``python -m boostobj --version``, and the ImportError that names the
extra to install when an estimator's optional dependency is missing (simulated in a subprocess
by ``sys.modules[name] = None``, which makes ``import name`` fail as if it were not installed)."""

import importlib.util
import io
import os
import subprocess
import sys

import pytest

import boostobj
from boostobj import _config, _kernels

LABELS = ["boostobj", "python", "numpy", "scipy", "xgboost", "lightgbm", "catboost",
          "scikit-learn", "dask", "compiled kernels"]


def _run(code, **env):
    return subprocess.run([sys.executable, "-c", code], env={**os.environ, **env},
                          capture_output=True, text=True, check=True).stdout


def _table(text):
    rows = [line.split(None, 1) if not line.startswith("compiled kernels")
            else ["compiled kernels", line[len("compiled kernels"):].strip()]
            for line in text.strip().splitlines()]
    return {label: value.strip() for label, value in rows}


def test_show_config_lists_versions_and_the_kernels():
    out = io.StringIO()
    boostobj.show_config(file=out)
    table = _table(out.getvalue())
    assert list(table) == LABELS
    assert table["boostobj"] == boostobj.__version__
    assert table["python"].startswith(".".join(map(str, sys.version_info[:3])))
    import numpy

    assert table["numpy"] == numpy.__version__
    assert table["compiled kernels"].startswith("yes" if _kernels.COMPILED else "no, numpy kernels")


def test_the_installed_version_is_the_package_version():
    from importlib import metadata

    try:
        installed = metadata.version("boostobj")
    except metadata.PackageNotFoundError:
        pytest.skip("boostobj is imported from the source tree, not installed")
    assert installed == boostobj.__version__


def test_a_missing_library_is_not_installed(monkeypatch):
    monkeypatch.setattr(_config, "LIBRARIES", [("nothing", "boostobj-no-such-distribution")])
    assert _table(_config.text())["nothing"] == "not installed"


def test_version_option_prints_the_same_as_show_config():
    shown = _run("import boostobj; boostobj.show_config()")
    version = subprocess.run([sys.executable, "-m", "boostobj", "--version"], capture_output=True,
                             text=True, check=True).stdout
    assert version == shown
    assert list(_table(version)) == LABELS


def test_show_config_says_when_the_numpy_kernels_are_forced():
    out = _run("import boostobj; boostobj.show_config()", BOOSTOBJ_NUMPY_KERNELS="1")
    assert _table(out)["compiled kernels"] == "no, numpy kernels (BOOSTOBJ_NUMPY_KERNELS is set)"


CASES = [
    ("XGBClassifier", "xgboost", "xgboost"),
    ("XGBClassifier", "sklearn", "sklearn"),
    ("XGBRegressor", "sklearn", "sklearn"),
    ("LGBMClassifier", "lightgbm", "lightgbm"),
    ("LGBMRegressor", "sklearn", "sklearn"),
    ("DaskXGBClassifier", "dask", "dask"),
    ("DaskXGBRegressor", "distributed", "dask"),
    ("DaskLGBMClassifier", "dask", "dask"),
    ("DaskLGBMRegressor", "lightgbm", "lightgbm"),
]

# All cases in one interpreter: each blocks one module, asks for the name and puts the module
# back. The error comes from the blocked import itself, before the estimator's module is
# imported, so what the earlier cases left behind does not change it.
_MISSING = """
import json, sys
import boostobj
out = []
for attr, blocked in json.loads(sys.argv[1]):
    saved = sys.modules.get(blocked)
    sys.modules[blocked] = None
    try:
        getattr(boostobj, attr)
    except ImportError as exc:
        out.append([type(exc).__name__, type(exc.__cause__).__name__, str(exc)])
    else:
        out.append(["no error", "", ""])
    finally:
        if saved is None:
            del sys.modules[blocked]
        else:
            sys.modules[blocked] = saved
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def missing():
    import json

    cases = [[attr, blocked] for attr, blocked, _ in CASES]
    out = subprocess.run([sys.executable, "-c", _MISSING, json.dumps(cases)], capture_output=True,
                         text=True, check=True).stdout
    return dict(zip(map(tuple, cases), json.loads(out)))


@pytest.mark.parametrize(("attr", "blocked", "extra"), CASES)
def test_a_missing_optional_dependency_names_the_extra(attr, blocked, extra, missing):
    absent = [m for m in boostobj._NEEDS[attr] if m != blocked and importlib.util.find_spec(m) is None]
    if absent:
        pytest.skip(f"{', '.join(absent)} not installed here")
    kind, cause, message = missing[attr, blocked]
    assert (kind, cause) == ("ImportError", "ModuleNotFoundError")
    assert message.startswith(f"boostobj.{attr} needs ")
    assert message.endswith(f'pip install "boostobj[{extra}]"')


def test_every_missing_extra_is_named_at_once():
    error = boostobj._import_error("LGBMClassifier", ["sklearn"])
    assert str(error) == ('boostobj.LGBMClassifier needs scikit-learn, which is not installed: '
                          'pip install "boostobj[sklearn]"')
    error = boostobj._import_error("DaskXGBClassifier", ["xgboost", "dask", "distributed"])
    assert str(error) == ('boostobj.DaskXGBClassifier needs xgboost, dask, distributed, which are '
                          'not installed: pip install "boostobj[xgboost,dask]"')


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        boostobj.NoSuchThing  # noqa: B018
