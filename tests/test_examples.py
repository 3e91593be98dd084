"""The single-machine examples run end to end (they end with their own assertions)."""

import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("name", ["xgboost_example", "lightgbm_example"])
def test_example_runs(name, capsys):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(rounds=30)
    assert "max |dp|" in capsys.readouterr().out
