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


def test_survival_example_runs(capsys):
    _load("survival").main(rounds=30)
    out = capsys.readouterr().out
    assert "CoxPHLoss vs survival:cox" in out and "AFTLoss vs survival:aft" in out


@pytest.mark.filterwarnings("ignore::UserWarning")  # lightgbm.dask: n_jobs/num_threads ignored
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
# lightgbm.dask is not reproducible run to run on continuous features (docs: Dask); its example's
# robust-regression check (within 10% of one machine) held in every run at 20,000 rows
# (measured within 0.4%) but not at 4,000 rows (up to 11% apart)
@pytest.mark.parametrize(("name", "rows"), [("dask_xgboost", 4000), ("dask_lightgbm", 20000)])
def test_dask_example_runs(name, rows, capsys):
    pytest.importorskip("distributed")
    _load(name).main(rounds=30, rows=rows, quantise=True)
    assert "max |dp|" in capsys.readouterr().out
