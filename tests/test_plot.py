"""Plots of loss, gradient and hessian render to a file."""

import numpy as np
import pytest

import boostobj
from boostobj.plot import _curves, expand, main, plot_objectives

pytest.importorskip("matplotlib")

PNG = b"\x89PNG\r\n\x1a\n"


def test_cli_focal_gammas(tmp_path, capsys):
    out = tmp_path / "focal.png"
    assert main(["focal_loss:gamma=0,1,2", "-o", str(out)]) == 0
    assert out.read_bytes()[:8] == PNG and out.stat().st_size > 10_000
    assert "focal_loss gamma=0, focal_loss gamma=1, focal_loss gamma=2" in capsys.readouterr().out


def test_cli_several_objectives(tmp_path, capsys):
    out = tmp_path / "robust.png"
    argv = ["pseudo_huber:delta=0.5,1,2", "log_cosh", "squared_error", "softmax_loss",
            "--range", "-4", "4", "-o", str(out)]
    assert main(argv) == 0
    assert out.read_bytes()[:8] == PNG
    assert "pseudo_huber delta=0.5, pseudo_huber delta=1, pseudo_huber delta=2, log_cosh" in \
        capsys.readouterr().out


def test_cli_a_formula_beside_registry_losses(tmp_path):
    pytest.importorskip("sympy")
    out = tmp_path / "formula.png"
    argv = ["log_cosh", "--formula", "logcosh(m - y)", "--range", "-4", "4", "-o", str(out)]
    assert main(argv) == 0
    assert out.read_bytes()[:8] == PNG


def test_output_without_extension_gets_png(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["log_loss", "-o", "noext"]) == 0
    assert (tmp_path / "noext.png").read_bytes()[:8] == PNG
    assert not (tmp_path / "noext").exists()
    assert capsys.readouterr().out.startswith("wrote noext.png:")


@pytest.mark.parametrize("output", ["missing/x.png", "missing/noext", "x.notaformat", ".", "sub/"])
def test_bad_output_is_a_usage_error_before_drawing(output, tmp_path, capsys, monkeypatch):
    from boostobj import plot

    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    monkeypatch.setattr(plot, "plot_objectives", lambda *a, **k: pytest.fail("drew anyway"))
    with pytest.raises(SystemExit) as exc:
        main(["log_loss", "-o", output])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "-o" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]  # nothing written
    assert not any((tmp_path / "sub").iterdir())


def test_plot_objectives_returns_the_figure(tmp_path):
    fig = plot_objectives([boostobj.BinaryLogLoss(), boostobj.FocalLoss(gamma=2.0)],
                          tmp_path / "a.png", label=0.0, title="negatives")
    axes = fig.get_axes()
    assert axes[0].get_title() == "loss"
    assert len(axes[2].lines) == 2 + 1 + 1  # two hessians, focal's exact one dashed, the zero line
    assert (tmp_path / "a.png").exists()


def test_curves_are_the_objectives_own_values():
    x = np.linspace(-3, 3, 7)
    _, g, h, exact = _curves(boostobj.PseudoHuberLoss(delta=1.0), x, 1.0)
    np.testing.assert_allclose(g, x / np.sqrt(1 + x * x))
    np.testing.assert_allclose(h, 1 / np.sqrt(1 + x * x))  # the bounded weight it uses
    np.testing.assert_allclose(exact, (1 + x * x) ** -1.5)


def test_expand_and_errors(tmp_path, capsys):
    assert expand("pseudo_huber:delta=0.5,2:hessian=exact,bounded") == [
        boostobj.PseudoHuberLoss(delta=d, hessian=o) for d in (0.5, 2.0) for o in ("exact", "bounded")]
    with pytest.raises(ValueError, match="param=v1,v2"):
        expand("focal_loss:gamma")
    assert main(["no_such_loss", "-o", str(tmp_path / "x.png")]) == 2
    assert main(["-o", str(tmp_path / "x.png")]) == 2
    assert main(["log_loss", "--range", "1", "-1", "-o", str(tmp_path / "x.png")]) == 2
    assert "error:" in capsys.readouterr().err


def test_cli_formula_is_not_run_as_python(tmp_path, capsys):
    pytest.importorskip("sympy")
    marker = tmp_path / "pwned"
    argv = ["--formula", f"__import__('os').system('touch {marker}') + m", "-o",
            str(tmp_path / "x.png")]
    assert main(argv) == 2
    assert not marker.exists()
    assert "not allowed" in capsys.readouterr().err


def test_messages_print_plain_numbers(tmp_path):
    with pytest.raises(ValueError) as exc:
        plot_objectives([boostobj.BinaryLogLoss()], tmp_path / "x.png",
                        xlim=(np.float64(2.0), np.float64(1.0)))
    assert str(exc.value).endswith("got (2, 1)")


@pytest.mark.parametrize("name", ["gamma", "poisson", "tweedie"])
def test_cli_log_link_losses_draw_with_the_default_label(name, tmp_path, capsys):
    out = tmp_path / f"{name}.png"
    assert main([name, "-o", str(out)]) == 0
    assert out.read_bytes()[:8] == PNG
    assert capsys.readouterr().err == ""


def test_log_link_losses_are_drawn_against_the_margin_for_a_label(tmp_path):
    """Poisson's loss exp(m) - y m is no function of m - y: its axis is the margin, at a label."""
    x = np.linspace(-2.0, 2.0, 5)
    f, g, _, _ = _curves(boostobj.PoissonLoss(), x, 2.0)
    np.testing.assert_allclose(g, np.exp(x) - 2.0)
    np.testing.assert_allclose(f, boostobj.PoissonLoss().loss(np.full(5, 2.0), x))
    fig = plot_objectives([boostobj.PoissonLoss(), boostobj.GammaLoss()], tmp_path / "p.png",
                          label=2.0)
    assert fig.get_axes()[0].get_xlabel() == "margin m = log(mean) (label y = 2)"
    fig = plot_objectives([boostobj.PoissonLoss(), boostobj.SquaredErrorLoss()], tmp_path / "q.png")
    assert fig.get_axes()[0].get_xlabel() == "margin m = log(mean) (label y = 1) / residual m - y"


def test_a_label_the_loss_refuses_names_the_label_option(tmp_path, capsys):
    assert main(["gamma", "--label", "0", "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "the label y = 0 does not suit gamma (choose another with --label" in err
    assert not (tmp_path / "x.png").exists()


def test_survival_losses_are_refused_by_name(tmp_path, capsys):
    assert main(["coxph", "-o", str(tmp_path / "x.png")]) == 2
    assert "survival loss" in capsys.readouterr().err and not (tmp_path / "x.png").exists()
    with pytest.raises(ValueError, match="AFTLoss.*survival loss"):
        plot_objectives([boostobj.AFTLoss()], tmp_path / "y.png")
