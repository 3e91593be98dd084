"""The examples run end to end (they end with their own assertions), the Dask ones on small data."""

import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["xgboost_example", "lightgbm_example"])
def test_example_runs(name, capsys):
    _load(name).main(rounds=30)
    assert "max |dp|" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore::UserWarning")  # lightgbm.dask: n_jobs/num_threads ignored
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name", ["dask_xgboost", "dask_lightgbm"])
def test_dask_example_runs(name, capsys):
    pytest.importorskip("distributed")
    _load(name).main(rounds=30, rows=4000, quantise=True)
    assert "max |dp|" in capsys.readouterr().out
