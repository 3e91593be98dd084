"""A new loss with a built-in twin costs its math and one registry line: the tools pick it up.

The example is LightGBM's ``huber`` (true Huber: gradient ``clip(r, -alpha, alpha)``, hessian 1,
started from the label mean), written here as a boostobj loss and registered; nothing else in
boostobj is told about it.
"""

import numpy as np
import pytest

import boostobj
from boostobj import registry
from boostobj.links import IdentityLink


class TinyHuberLoss(boostobj.Loss):
    """Huber loss ``r^2/2`` inside ``delta``, ``delta (|r| - delta/2)`` outside; hessian 1."""

    name = "tiny_huber"
    link = IdentityLink()
    task = "regression"
    hessian_options = ("bounded",)  # 1 everywhere: the exact one is 0 outside delta

    def __init__(self, *, delta: float = 0.9, hessian=None) -> None:
        self.delta = float(delta)
        super().__init__(hessian=hessian)

    def _loss(self, y, z):
        a = np.abs(z - y)
        return np.where(a <= self.delta, 0.5 * a * a, self.delta * (a - 0.5 * self.delta))

    def _gradient_hessian(self, y, z):
        return np.clip(z - y, -self.delta, self.delta), np.ones_like(z)

    def constant_start(self, labels):
        return labels.mean()  # the weighted label mean: what LightGBM's huber starts from


@pytest.fixture
def registered():
    saved = (list(registry.REGISTRY), dict(registry.LOSSES), dict(registry._BY_CLASS))
    # the one line:
    registry.register(TinyHuberLoss, registry.Twin(lightgbm="huber",
                                                   lightgbm_params={"alpha": "delta"}))
    yield TinyHuberLoss
    registry.REGISTRY[:] = saved[0]
    for table, before in ((registry.LOSSES, saved[1]), (registry._BY_CLASS, saved[2])):
        table.clear()
        table.update(before)


def test_a_registered_loss_is_walked_by_check_bench_and_parity(registered):
    from boostobj import bench, parity
    from boostobj.check import check_objective

    loss = boostobj.get_loss("tiny_huber", delta=2.0)
    assert boostobj.builtin_twin(loss) == {"lightgbm": "huber"}
    assert check_objective(loss, n_random=60).ok  # derivatives, weights, outputs, every API
    assert any(type(lo) is TinyHuberLoss for lo in bench.bench_losses("regression"))
    assert any(type(lo) is TinyHuberLoss for lo in parity.parity_losses())
    data = {"regression": parity.load_datasets("regression", sources=("real",), variants=("plain",))}
    cases = parity.build_cases([TinyHuberLoss()], data, libraries=("lightgbm",), rounds=20,
                               modes=("float64",), sampling=False)
    assert cases and all(c.builtin == "huber" for c in cases)
    result = parity.run_case(cases[0])
    assert result.status == "pass", result  # the same model as LightGBM's own huber
    assert result.max_abs_diff_margin < 1e-9


def test_register_refuses_a_second_loss_under_a_taken_name(registered):
    class Other(TinyHuberLoss):
        pass

    with pytest.raises(ValueError, match="registered already"):
        registry.register(Other)
