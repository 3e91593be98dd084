r"""Check any custom objective against its own loss: ``python -m boostobj check ...``.

:func:`check_objective` calls an objective the way XGBoost and LightGBM call it and compares what
comes back with finite differences of the loss, on random margins and on extreme ones
(:data:`EXTREME_MARGINS`, up to :math:`\pm 10^{20}`). It reports, each with the worst offending
input:

* ``finite``: NaN or inf in the gradient or hessian;
* ``gradient`` / ``hessian``: disagreement with the fourth-order central differences of the loss
  (Richardson-extrapolated from two steps, so the tolerance carries the differences' own error
  estimate); a gradient that is the negative of the true one is called out as a flipped sign;
* ``hessian sign``: negative hessians (fail: the leaf step :math:`-G/H` turns uphill) and zero
  hessians (warn: a leaf of such rows has no curvature);
* ``weights``: a weighted call that does not return ``w`` times the unweighted one (weights
  ignored, or applied to only one of gradient and hessian);
* ``output``: not a pair of float32/float64 ndarrays of the right shape (lists, float16, integer
  arrays, a flat multiclass array);
* ``in-place``: predictions, labels or weights changed by the call.

Hessian semantics, in the project's words (``hessian="exact" | "bounded"``, as on the losses).
``hessian="exact"`` compares with the second derivative of the loss; where that is negative or
tiny, a positive value at most ``hessian_floor`` (XGBoost's own logistic clip,
:data:`boostobj.HESSIAN_FLOOR`) is accepted as a floor and reported as ``info``.
``hessian="bounded"`` is for objectives that deliberately return a positive curvature *bound*
(the boostobj losses with ``hessian="bounded"``, and a library's scaled multiclass diagonal): it
must be finite and positive, the range of ``bounded / exact`` is reported, and a bound below the
exact curvature is a warning (a bound that is too small over-steps). ``"auto"`` picks
``"exact"`` for user code and for boostobj losses with ``loss.hessian == "exact"`` (and an
unscaled multiclass hessian), ``"bounded"`` otherwise.

What ``python -m boostobj check module:attribute`` runs. A registry name (``focal_loss``) is
built from boostobj's own classes. ``module:attribute`` (and ``--loss module:function``)
**imports** ``module``: its top-level code runs, exactly as ``python -c "import module"`` started
in the working directory would run it. The working directory is searched first (as with
``python -m``) and taken off ``sys.path`` again afterwards (:func:`resolve`). Name only modules
you trust.

The package, one concern per module: :mod:`~boostobj.check.options` (what a spec names, the
``"auto"`` choices), :mod:`~boostobj.check.numeric` (inputs and finite differences),
:mod:`~boostobj.check.calls` (calling like each entry point), :mod:`~boostobj.check.checks` (the
checks and :func:`check_objective`), :mod:`~boostobj.check.report` (findings) and
:mod:`~boostobj.check.cli` (the command line).

Examples
--------
>>> from boostobj import FocalLoss
>>> from boostobj.check import check_objective
>>> report = check_objective(FocalLoss(gamma=2.0), api="sklearn")
>>> report.ok, report.hessian
(True, 'bounded')
"""

from __future__ import annotations

from .checks import check_objective
from .cli import main
from .numeric import EXTREME_MARGINS
from .options import APIS, HESSIANS, KINDS, parse_params, parse_value, resolve
from .report import CheckReport, Finding

__all__ = ["APIS", "EXTREME_MARGINS", "HESSIANS", "KINDS", "CheckReport", "Finding",
           "check_objective", "main", "parse_params", "parse_value", "resolve"]

_value = parse_value  # the name boostobj.plot imported before the package split
