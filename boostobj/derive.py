r"""Objectives from a formula: write the loss, get gradient, hessian and numpy code derived for you.

:func:`derive` takes the loss as an expression of the label ``y`` and the margin ``m`` (a string
or a SymPy expression), differentiates it twice with SymPy, simplifies, and generates vectorised
numpy code for the loss and for gradient + hessian (common subexpressions computed once, via
``sympy.cse``). The result, a :class:`DerivedLoss`, is a :class:`boostobj.Loss` like the built-in
ones: the same object is the objective of every XGBoost and LightGBM entry point, has a
``metric``, an ``init_score`` (solved numerically with Newton steps on the derived derivatives)
and validates its inputs.

Formulas. A string formula is parsed with Python's :mod:`ast` and the SymPy expression is built
from the syntax tree; the text is never run as Python (no ``eval``, ``sympify`` or
``parse_expr``). A formula may contain only

* numbers: integers and decimals, also in scientific notation (``2``, ``0.5``, ``1e-3``);
* the label ``y``, the margin ``m``, the names given in ``params=`` and the constants ``pi``
  and ``E``;
* ``+ - * / **``, unary ``+`` and ``-``, and parentheses (``^`` is refused: write ``**``);
* calls, with positional arguments, of ``exp``, ``log`` (``log(x)`` or ``log(x, base)``),
  ``sqrt``, ``abs`` / ``Abs``, ``sin``, ``cos``, ``sinh``, ``cosh``, ``tanh`` and the stable
  ``softplus``, ``sigmoid``, ``logcosh``, ``logaddexp(a, b)``, ``sech2`` (``1/cosh**2``)
  (see :data:`FORMULA_FUNCTIONS`).

Anything else (attribute access, subscripts, keyword arguments, strings, comparisons, lambdas,
other names or functions, names starting with ``_``) raises ``ValueError`` naming the piece and
listing what is allowed. SymPy expressions (not strings) are taken as they are.

Bounds. A loss, gradient or hessian of more than :data:`MAX_NODES` SymPy nodes is refused
(its code would take long to generate and check), and so is a number outside float64's range
(``(1/3)**40000``, ``1e300*1e300``): the generated code computes in float64. Simplification has
a time budget (see ``simplify`` in :class:`DerivedLoss`), so ``derive`` answers within seconds.

Kinks. ``abs(m - y)`` has the gradient ``sign(m - y)`` but a Dirac delta as second derivative
(0 everywhere but at the kink: no Newton weight), so ``derive`` refuses it with a
``ValueError`` unless ``hessian=`` gives a weight (``hessian="1"``, or a bounded formula; the
loss then has ``hessian == "bounded"``); a smooth surrogate such as ``logcosh(m - y)`` or
pseudo-Huber needs none. A loss that jumps (a Dirac delta in the gradient) is refused.

Stability. Formulas are evaluated as written, so ``log(1 + exp(x))`` overflows for ``x > 709``
and ``1 - tanh(x)**2`` is exactly 0 from ``|x| = 19`` on. The derivatives are written so that
they keep the tails: ``tanh' = sech2`` (evaluated as ``4e/(1 + e)**2``, ``e = exp(-2|x|)``),
``sech2' = -2 tanh sech2``, ``sigmoid' = sigmoid(x) sigmoid(-x)``, ``softplus' = sigmoid``,
``logcosh' = tanh``; a derived ``1 - tanh(u)**2`` or ``cosh(u)**-2`` becomes ``sech2(u)``.
After generating the code, :class:`DerivedLoss` checks it and warns (:class:`DerivationWarning`)

* where loss, gradient or hessian is not finite at extreme margins (``±37`` up to ``±1e6``);
* where the generated hessian is inaccurate: it is compared, at residuals ``m - y`` (margins
  for ``link="logit"``) of ``0, ±1e-8, ±1, ±19, ±20, ±25, ±40, ±300, ±700``, with its own
  formula evaluated by mpmath in high precision, wherever that value is a normal float64
  number; a relative error above 1e-6 (e.g. a hessian that cancels to 0 in the tails) warns.

Three ways to a stable form:

* ``stable=True`` rewrites ``log(1 + exp(u))`` to ``softplus(u)``, ``log(cosh(u))`` to
  ``logcosh(u)``, ``1/(1 + exp(-u))`` to ``sigmoid(u)``, ``1 - sigmoid(u)`` to ``sigmoid(-u)``,
  ``log(sigmoid(u))`` to ``-softplus(-u)`` and ``1 - tanh(u)**2``, ``1/cosh(u)**2`` to
  ``sech2(u)`` before differentiating (also in ``gradient=`` / ``hessian=``);
* write the loss with those functions yourself (also ``logaddexp(a, b)``): SymPy knows their
  derivatives, and the generated code calls ``np.logaddexp``, ``scipy.special.expit``,
  :func:`boostobj._math.log_cosh` and ``4e/(1 + e)**2``, which never overflow;
* pass ``gradient=`` / ``hessian=`` expressions that replace the derived ones (a hessian that
  is not the second derivative, e.g. a positive bound, makes ``loss.hessian == "bounded"``).

SymPy is an optional dependency: ``pip install "boostobj[derive]"``.

Examples
--------
>>> import numpy as np
>>> from boostobj.derive import derive
>>> loss = derive("softplus(-(2*y - 1)*m)", link="logit", name="my_logloss")
>>> print(loss.formulas())
loss:     softplus(m*(1 - 2*y))
gradient: (1 - 2*y)*sigmoid(m*(1 - 2*y))
hessian:  (2*y - 1)**2*sigmoid(m*(1 - 2*y))*sigmoid(m*(2*y - 1))
>>> loss.gradient(np.array([1.0, 0.0]), np.array([0.0, 1000.0]))
array([-0.5,  1. ])
"""

from __future__ import annotations

import ast
import ctypes
import functools
import inspect
import keyword
import math
import threading
import time
import warnings
from typing import Any

import numpy as np
from scipy.special import expit

from . import _math
from .links import IdentityLink, Link, LogitLink
from .losses import Loss
from .losses._base import newton_root
from .losses.regression import bracketed_start

__all__ = ["FORMULA_CONSTANTS", "FORMULA_FUNCTIONS", "DerivationWarning", "DerivedLoss", "derive"]

#: Margins where the generated code is evaluated to look for overflow (both signs).
PROBE_MARGINS = (37.0, 711.0, 1e3, 1e4, 1e6)
#: Residuals ``m - y`` (identity link) or margins (logit link), both signs, where the generated
#: hessian is compared with its formula evaluated in high precision (mpmath).
ACCURACY_PROBES = (0.0, 1e-8, 1.0, 19.0, 20.0, 25.0, 40.0, 300.0, 700.0)
#: Relative error of the generated hessian that counts as inaccurate (cancellation, underflow).
ACCURACY_RTOL = 1e-6
#: Reference values of smaller magnitude are not compared (not normal float64 numbers).
_ACCURACY_TINY = 1e-300
#: Pairs of mpmath precisions (decimal digits), tried in turn: a reference value counts where the
#: two of a pair agree to 20 digits (and is not 0). 800 digits resolve 1 - tanh(x)**2 to |x| = 900.
_MPMATH_DPS = ((40, 80), (400, 800))

_LINKS = {"identity": IdentityLink, "logit": LogitLink}

#: Functions a formula may call, with the numbers of (positional) arguments each takes.
FORMULA_FUNCTIONS = {
    "exp": (1,), "log": (1, 2), "sqrt": (1,), "abs": (1,), "Abs": (1,),
    "sin": (1,), "cos": (1,), "sinh": (1,), "cosh": (1,), "tanh": (1,), "sech2": (1,),
    "softplus": (1,), "sigmoid": (1,), "logcosh": (1,), "logaddexp": (2,),
}
#: Named constants a formula may use.
FORMULA_CONSTANTS = ("pi", "E")
#: An exact power of two numbers may have at most this many bits (``10**10**10`` is refused).
_MAX_EXACT_BITS = 100_000
#: Seconds ``sympy.simplify`` may take for one derivation, gradient and hessian together; a
#: derivative whose simplification has not finished by then is used as differentiated.
SIMPLIFY_SECONDS = 3.0
#: ``sympy.simplify`` is skipped (the derivative used as differentiated) where the expression,
#: written as one fraction of expanded polynomials, would have more terms than this: the
#: simplification expands it (``(m - y + 1)**199`` has 20,100 terms and took a minute).
SIMPLIFY_MAX_TERMS = 1000
#: A loss, gradient or hessian larger than this many SymPy nodes is refused: generating and
#: checking its code would take more than a few seconds.
MAX_NODES = 5000
#: Arguments of ``exp``, ``sinh`` and ``cosh`` beyond this size give no high-precision reference
#: value (``exp(exp(exp(700)))`` has a 10**303-digit exponent that mpmath would compute).
_MPMATH_MAX_ARG = 1e5


def _sech2_numpy(x):
    r"""``sech(x)**2 = 1/cosh(x)**2`` as ``4e/(1 + e)**2`` with ``e = exp(-2|x|)``: full relative
    precision wherever the value is a normal float (``|x| < 354``); ``1 - tanh(x)**2`` is 0 from
    ``|x| = 19`` on and loses digits well before."""
    e = np.exp(-2.0 * np.abs(x))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


#: numpy implementations of the stable functions a formula may use.
_NUMPY_FUNCTIONS = {
    "softplus": lambda x: np.logaddexp(0.0, x),
    "sigmoid": expit,
    "logcosh": _math.log_cosh,
    "logaddexp": np.logaddexp,
    "tanh": np.tanh,
    "sech2": _sech2_numpy,
}


def _mpmath_functions() -> dict[str, Any]:
    """High-precision twins of :data:`_NUMPY_FUNCTIONS` for the accuracy probe, and guarded
    ``exp``, ``sinh``, ``cosh``, ``tanh``, ``sin``, ``cos`` and powers (``_guarded_pow``): these
    raise ``OverflowError`` where the argument (for powers: about the result's logarithm) is
    beyond :data:`_MPMATH_MAX_ARG`, past which mpmath's time has no bound (it works out the
    result's exponent exactly); the probe then has no reference value there."""
    import mpmath

    def small(x):
        if abs(x) > _MPMATH_MAX_ARG:
            raise OverflowError("argument too large for a reference value")
        return x

    def power(base, exponent):
        # mag(x) is about log2|x|: a cheap bound on the result's logarithm
        if base and abs(exponent) > 2 and abs(exponent) * (abs(mpmath.mag(base)) + 1) > _MPMATH_MAX_ARG:
            raise OverflowError("power too large for a reference value")
        return mpmath.mpmathify(base) ** exponent

    def exp(x):
        return mpmath.exp(small(x))

    return {
        "exp": exp,
        "sinh": lambda x: mpmath.sinh(small(x)),
        "cosh": lambda x: mpmath.cosh(small(x)),
        "tanh": lambda x: mpmath.tanh(small(x)),
        "sin": lambda x: mpmath.sin(small(x)),
        "cos": lambda x: mpmath.cos(small(x)),
        _GUARDED_POW: power,
        "softplus": lambda x: mpmath.log1p(exp(x)),
        "sigmoid": lambda x: 1 / (1 + exp(-x)),
        "logcosh": lambda x: mpmath.log(mpmath.cosh(small(x))),
        "logaddexp": lambda a, b: mpmath.log(exp(a) + exp(b)),
        "sech2": lambda x: mpmath.sech(small(x)) ** 2,
    }


#: The name powers are evaluated by in the accuracy probe (see :func:`_mpmath_functions`).
_GUARDED_POW = "_guarded_pow"


class DerivationWarning(UserWarning):
    """The generated code overflows or its hessian is inaccurate (or the derived objective fails
    its own check)."""


def _plain(value) -> str:
    """``repr`` for messages, numpy scalars as plain numbers (``nan``, not ``np.float64(nan)``)."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _sympy():
    try:
        import sympy
    except ImportError:
        raise ImportError(
            "boostobj.derive needs SymPy, an optional dependency: pip install 'boostobj[derive]'"
        ) from None
    return sympy


# ------------------------------------------------------------------------------------ budgets
class _OutOfTime(BaseException):
    """Raised in the thread running :func:`_within` when its time is up (a ``BaseException``, so
    that SymPy's ``except Exception`` clauses let it through)."""


def _within(seconds: float, fn, *args):
    """``fn(*args)``, or None if it has not returned after ``seconds``.

    A timer thread raises :class:`_OutOfTime` in the calling thread when the time is up
    (CPython's ``PyThreadState_SetAsyncExc``: pure-Python code such as SymPy's stops at its next
    bytecode). Where that API is missing (not CPython) ``fn`` runs without a limit.
    """
    api = getattr(ctypes, "pythonapi", None)
    if api is None:
        return fn(*args)
    if seconds <= 0:
        return None
    thread = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    done = fired = False

    def stop():
        nonlocal fired
        with lock:
            if not done:
                fired = True
                api.PyThreadState_SetAsyncExc(thread, ctypes.py_object(_OutOfTime))

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    try:
        try:
            timer.start()
            return fn(*args)
        finally:
            timer.cancel()
            with lock:
                done = True
                if fired:  # raised but perhaps not delivered yet: withdraw it
                    api.PyThreadState_SetAsyncExc(thread, None)
    except _OutOfTime:
        return None


def _expanded_terms(expr, cap: int = SIMPLIFY_MAX_TERMS) -> int:
    """How many terms ``expr`` (or the largest of its subexpressions) has when written as one
    fraction of expanded polynomials, numerator and denominator together; any count above
    ``cap`` is returned as ``cap + 1``. Symbols, function calls and non-integer powers count as
    one term each. This is what ``sympy.simplify`` builds when it cancels and expands."""
    over = cap + 1
    worst = 0

    def power(n: int, k: int) -> int:  # terms of (a sum of n terms)**k: C(n + k - 1, k)
        count = 1
        for i in range(min(k, n - 1)):
            count = count * (n + k - 1 - i) // (i + 1)
            if count > cap:
                return over
        return count

    def walk(e) -> tuple[int, int]:
        nonlocal worst
        if e.is_Add or e.is_Mul:
            parts = [walk(a) for a in e.args]
            den = math.prod(d for _, d in parts)
            if e.is_Add:  # over the common denominator
                num = sum(n * (den // d) for n, d in parts)
            else:
                num = math.prod(n for n, _ in parts)
            out = (min(num, over), min(den, over))
        elif e.is_Pow and e.exp.is_Integer:
            n, d = walk(e.base)
            k = abs(int(e.exp))
            out = (power(n, k), power(d, k)) if e.exp > 0 else (power(d, k), power(n, k))
        else:
            for a in e.args:
                walk(a)
            out = (1, 1)
        worst = max(worst, min(out[0] + out[1], over))
        return out

    walk(expr)
    return worst


def _short(formula, limit: int = 80) -> str:
    """``repr`` of a formula's text for messages, cut to about ``limit`` characters."""
    text = formula if isinstance(formula, str) else str(formula)
    return repr(text if len(text) <= limit else text[:limit - 3] + "...")


def _check_size(expr, what: str) -> None:
    """``ValueError`` if ``expr`` has more than :data:`MAX_NODES` nodes."""
    sp = _sympy()
    for count, _ in enumerate(sp.preorder_traversal(expr), 1):
        if count > MAX_NODES:
            raise ValueError(
                f"{what} has more than {MAX_NODES} SymPy nodes: generating and checking its code "
                "would take too long. Write a shorter formula, or pass gradient= and hessian= "
                "formulas")


def _out_of_range(number) -> str | None:
    """The approximate value of a SymPy number a float64 cannot hold (beyond about 1.8e308, or
    not zero but rounding to 0), else None."""
    sp = _sympy()
    if number.is_zero or not number.is_finite:
        return None
    value = sp.Float(number, 3)
    return None if math.isfinite(float(value)) and float(value) != 0.0 else sp.sstr(value)


def _float64_numbers(expr, what: str):
    """``expr`` with its numbers fit for float64 code: ``ValueError`` for a number outside
    float64's range; an exact fraction whose numerator or denominator has more than 1024 bits
    (too long to write out, more digits than float64 keeps) becomes a float."""
    sp = _sympy()
    longs = {}
    for number in expr.atoms(sp.Number):
        approx = _out_of_range(number)
        if approx is not None:
            raise ValueError(
                f"{what} contains a number of about {approx}, outside float64's range (magnitudes "
                "from about 1e-308 to 1.8e308), in which the generated code computes: rescale the "
                "formula so that its numbers are within that range")
        if number.is_Rational and max(abs(int(number.p)).bit_length(),
                                      int(number.q).bit_length()) > 1024:
            longs[number] = sp.Float(number, 17)
    return expr.xreplace(longs) if longs else expr


@functools.lru_cache(maxsize=1)
def _functions() -> dict[str, Any]:
    """SymPy functions with stable numpy twins; their derivatives are stated here."""
    sp = _sympy()

    class sigmoid(sp.Function):
        r"""``1/(1 + exp(-x))``; derivative ``sigmoid(x) sigmoid(-x)`` (no ``1 - p`` cancellation)."""

        def fdiff(self, argindex=1):
            x = self.args[0]
            return sigmoid(x) * sigmoid(-x)

        def _eval_rewrite_as_exp(self, x, **kwargs):
            return 1 / (1 + sp.exp(-x))

    class softplus(sp.Function):
        r"""``log(1 + exp(x))``, evaluated as ``np.logaddexp(0, x)``."""

        def fdiff(self, argindex=1):
            return sigmoid(self.args[0])

        def _eval_rewrite_as_exp(self, x, **kwargs):
            return sp.log(1 + sp.exp(x))

    class tanh(sp.Function):
        r"""``tanh(x)`` whose derivative is ``sech2(x)`` (SymPy's ``1 - tanh(x)**2`` is exactly 0
        in float64 from ``|x| = 19`` on and 95 times too large at 20)."""

        @classmethod
        def eval(cls, x):
            if x.is_zero:
                return sp.S.Zero
            if x.could_extract_minus_sign():
                return -cls(-x)
            return None

        def fdiff(self, argindex=1):
            return sech2(self.args[0])

        def _eval_rewrite_as_exp(self, x, **kwargs):
            return sp.tanh(x).rewrite(sp.exp)

        def _eval_is_real(self):
            return self.args[0].is_real

    class sech2(sp.Function):
        r"""``sech(x)**2 = 1/cosh(x)**2``, evaluated as ``4e/(1 + e)**2`` with ``e = exp(-2|x|)``;
        derivative ``-2 tanh(x) sech2(x)``."""

        @classmethod
        def eval(cls, x):
            if x.is_zero:
                return sp.S.One
            if x.could_extract_minus_sign():
                return cls(-x)
            return None

        def fdiff(self, argindex=1):
            x = self.args[0]
            return -2 * tanh(x) * sech2(x)

        def _eval_rewrite_as_cosh(self, x, **kwargs):
            return 1 / sp.cosh(x) ** 2

        def _eval_is_positive(self):
            return True if self.args[0].is_real else None

        def _latex(self, printer, exp=None):
            tex = rf"\operatorname{{sech}}^{{2}}{{\left({printer._print(self.args[0])} \right)}}"
            return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    class logcosh(sp.Function):
        r"""``log(cosh(x))``, evaluated without overflow past ``|x| = 710``."""

        def fdiff(self, argindex=1):
            return tanh(self.args[0])

        def _eval_rewrite_as_cosh(self, x, **kwargs):
            return sp.log(sp.cosh(x))

    class logaddexp(sp.Function):
        r"""``log(exp(a) + exp(b))``, evaluated as ``np.logaddexp(a, b)``."""

        nargs = 2

        def fdiff(self, argindex=1):
            a, b = self.args
            return sigmoid(a - b) if argindex == 1 else sigmoid(b - a)

    classes = {"sigmoid": sigmoid, "softplus": softplus, "logcosh": logcosh, "logaddexp": logaddexp,
               "tanh": tanh, "sech2": sech2}
    for key, cls in classes.items():  # pickle finds them as boostobj.derive._sympy_<name>
        cls.__module__, cls.__qualname__ = __name__, _PICKLE_PREFIX + key
    return classes


_PICKLE_PREFIX = "_sympy_"
_STABLE_FUNCTIONS = ("sigmoid", "softplus", "logcosh", "logaddexp", "tanh", "sech2")


def __getattr__(name: str):
    """Module attributes ``_sympy_<function>``: the SymPy function classes, created on first use
    (SymPy is optional), under the names pickled expressions refer to them by."""
    if name.startswith(_PICKLE_PREFIX) and name[len(_PICKLE_PREFIX):] in _STABLE_FUNCTIONS:
        return _functions()[name[len(_PICKLE_PREFIX):]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ------------------------------------------------------------------------------------ parsing
def _builders() -> dict[str, Any]:
    """The SymPy function each name in :data:`FORMULA_FUNCTIONS` builds."""
    sp = _sympy()
    return {"exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs, "Abs": sp.Abs,
            "sin": sp.sin, "cos": sp.cos, "sinh": sp.sinh, "cosh": sp.cosh, **_functions()}


def _allowed(params) -> str:
    names = ", ".join(params)
    return ("A formula may contain numbers (2, 0.5, 1e-3), y (the label), m (the margin), "
            + (f"the parameters {names} (from params=), " if names else "parameters named in "
               "params=, ")
            + "the constants " + " and ".join(FORMULA_CONSTANTS)
            + ", the operators + - * / ** (and unary + -), parentheses, and calls with positional "
            "arguments of " + ", ".join(FORMULA_FUNCTIONS) + ". Formulas are parsed, never run as "
            "Python.")


_OPERATOR_TEXT = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
                  ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.Invert: "~",
                  ast.Not: "not"}
_NODE_TEXT = {ast.Attribute: "the attribute access", ast.Subscript: "the subscript",
              ast.Lambda: "the lambda", ast.IfExp: "the conditional expression",
              ast.Compare: "the comparison", ast.BoolOp: "the and/or expression",
              ast.List: "the list", ast.Tuple: "the tuple", ast.Set: "the set",
              ast.Dict: "the dict", ast.JoinedStr: "the f-string", ast.NamedExpr: "the assignment",
              ast.Starred: "the unpacking"}


def _parse_formula(text: str, symbols: dict[str, Any]):
    """Build a SymPy expression from ``text`` by walking its Python syntax tree.

    Only the pieces listed by :func:`_allowed` are accepted; anything else (attributes,
    subscripts, keywords, strings, unknown names or functions, ...) raises ``ValueError`` naming
    it. Nothing of ``text`` is ever evaluated: not by ``eval``, ``sympify`` nor ``parse_expr``.
    ``symbols`` maps ``y``, ``m`` and the parameter names to their SymPy symbols.
    """
    sp = _sympy()
    builders = _builders()
    params = [k for k in symbols if k not in ("y", "m")]
    allowed = _allowed(params)
    source = text.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        reason = getattr(exc, "msg", None) or type(exc).__name__
        raise ValueError(f"cannot parse the formula {text!r}: {reason}. {allowed}") from None

    def segment(node) -> str:
        return ast.get_source_segment(source, node) or type(node).__name__

    def fail(message: str):
        raise ValueError(f"{message}. {allowed}")

    def refuse(node, what: str, why: str = ""):
        fail(f"{what} {segment(node)!r} is not allowed{why} in the formula {text!r}")

    def in_range(node, value):
        approx = _out_of_range(value) if value.is_Number else None
        if approx is not None:
            raise ValueError(
                f"the number {segment(node)!r} in the formula {text!r} is about {approx}, outside "
                "float64's range (magnitudes from about 1e-308 to 1.8e308), in which the "
                "generated code computes: rescale the formula so that its numbers are within "
                "that range")
        return value

    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    unknown = sorted({node.id for node in ast.walk(tree)
                      if isinstance(node, ast.Name) and id(node) not in called
                      and node.id not in symbols and node.id not in FORMULA_CONSTANTS
                      and node.id not in FORMULA_FUNCTIONS and not node.id.startswith("_")})

    def build(node):
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                kind = ("string" if isinstance(value, (str, bytes))
                        else "complex number" if isinstance(value, complex) else "constant")
                refuse(node, f"the {kind}")
            if isinstance(value, int):
                return in_range(node, sp.Integer(value))
            if not math.isfinite(value):
                refuse(node, "the number", " (not finite)")
            return sp.Float(value)
        if isinstance(node, ast.Name):
            name = node.id
            if name in symbols:
                return symbols[name]
            if name in FORMULA_CONSTANTS:
                return getattr(sp, name)
            if name.startswith("_"):
                refuse(node, "the name")
            if name in FORMULA_FUNCTIONS:
                refuse(node, "the function name", f" without arguments (call it: {name}(...))")
            fail(f"unknown symbol(s) {unknown} in {text!r}: the label is y, the margin is m; give "
                 f"other symbols values with params={{'{unknown[0]}': ...}}")
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.UAdd):
                return build(node.operand)
            if isinstance(node.op, ast.USub):
                return -build(node.operand)
            refuse(node, f"the operator {_OPERATOR_TEXT.get(type(node.op), '?')!r} in")
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.BitXor):
                fail("'^' is not a power (in Python syntax it is exclusive or): write ** "
                     f"instead, e.g. {source.replace('^', '**')!r}")
            if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
                refuse(node, f"the operator {_OPERATOR_TEXT.get(type(node.op), '?')!r} in")
            a, b = build(node.left), build(node.right)
            if isinstance(node.op, ast.Add):
                return in_range(node, a + b)
            if isinstance(node.op, ast.Sub):
                return in_range(node, a - b)
            if isinstance(node.op, ast.Mult):
                return in_range(node, a * b)
            if isinstance(node.op, ast.Div):
                return in_range(node, a / b)
            if a.is_Rational and b.is_Rational and abs(b) * max(
                    int(a.p).bit_length(), int(a.q).bit_length()) > _MAX_EXACT_BITS:
                refuse(node, "the power", " (too large to compute exactly; write a decimal number)")
            return in_range(node, a ** b)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                refuse(node.func, "the call of")
            name = node.func.id
            if name not in FORMULA_FUNCTIONS:
                refuse(node.func, "the function")
            if node.keywords:
                refuse(node.keywords[0], "the keyword argument")
            for arg in node.args:
                if isinstance(arg, ast.Starred):
                    refuse(arg, "the unpacking")
            arity = FORMULA_FUNCTIONS[name]
            if len(node.args) not in arity:
                want = " or ".join(map(str, arity))
                fail(f"{name} takes {want} argument{'s' if arity[-1] > 1 else ''}, got "
                     f"{len(node.args)} in {segment(node)!r} (in {text!r})")
            return builders[name](*(build(arg) for arg in node.args))
        refuse(node, _NODE_TEXT.get(type(node), f"the {type(node).__name__}"))

    try:
        return build(tree.body)
    except RecursionError:
        fail(f"cannot parse the formula {text!r}: nested too deeply")


def _stabilize(expr):
    """Rewrite overflow-prone patterns into the stable functions (``stable=True``)."""
    sp = _sympy()
    fn = _functions()
    u = sp.Wild("u")
    expr = expr.replace(sp.log(1 + sp.exp(u)), fn["softplus"](u))
    expr = expr.replace(sp.log(sp.cosh(u)), fn["logcosh"](u))
    expr = expr.replace(1 / (1 + sp.exp(u)), fn["sigmoid"](-u))
    expr = expr.replace(1 - fn["sigmoid"](u), fn["sigmoid"](-u))  # no 1 - p cancellation
    expr = expr.replace(sp.log(fn["sigmoid"](u)), -fn["softplus"](-u))  # log p = -softplus(-m)
    return _sech2(expr)


def _refuse_dirac(expr, what: str, formula, why: str) -> None:
    """``ValueError`` if ``expr`` (a derivative) contains a Dirac delta (a kink or jump)."""
    sp = _sympy()
    deltas = expr.atoms(sp.DiracDelta)
    if deltas:
        where = " and ".join(sorted({f"{sp.sstr(d.args[0])} = 0" for d in deltas}))
        raise ValueError(f"{what} {formula} contains a Dirac delta at {where}: {why}")


def _stable_tanh(expr):
    """SymPy's ``tanh`` -> ours, whose derivative is ``sech2`` (not ``1 - tanh**2``)."""
    sp = _sympy()
    return expr.replace(sp.tanh, _functions()["tanh"])


def _sech2(expr):
    """``c - c*tanh(u)**2``, ``cosh(u)**-2k`` and ``sech(u)**2k`` -> ``sech2``: the first is exactly
    0 in float64 for ``|u| > 19`` and loses relative precision well before (``1 - t**2``
    cancels); the second overflows to 0 past ``|u| = 355``; ``sech2`` is accurate wherever its
    value is a normal float."""
    sp = _sympy()
    fn = _functions()
    tanhs = (sp.tanh, fn["tanh"])

    def one_minus_tanh2(add):
        c, rest = add.as_coeff_Add()
        if c == 0:
            return add
        for term in sp.Add.make_args(rest):
            coeff, factor = term.as_coeff_Mul()
            if (coeff == -c and factor.is_Pow and factor.exp == 2
                    and factor.base.func in tanhs):
                return add - c - term + c * fn["sech2"](factor.base.args[0])
        return add

    def even_power(e, func, sign):
        return (e.is_Pow and e.base.func == func and e.exp.is_Integer and e.exp * sign > 0
                and e.exp % 2 == 0)

    expr = expr.replace(lambda e: e.is_Add, one_minus_tanh2)
    expr = expr.replace(lambda e: even_power(e, sp.cosh, -1),
                        lambda e: fn["sech2"](e.base.args[0]) ** (-e.exp / 2))
    return expr.replace(lambda e: even_power(e, sp.sech, 1),
                        lambda e: fn["sech2"](e.base.args[0]) ** (e.exp / 2))


class DerivedLoss(Loss):
    r"""A :class:`~boostobj.Loss` whose gradient and hessian SymPy derived from a formula.

    Parameters
    ----------
    expression : str or sympy.Expr
        Per-row loss in the label ``y`` and the margin ``m``, e.g. ``"log(cosh(m - y))"``.
        May use ``softplus``, ``sigmoid``, ``logcosh``, ``logaddexp`` (stable numpy twins) and
        the names in ``params``; a string may contain only what the module docstring lists
        (it is parsed, never run as Python).
    link : {"identity", "logit"}, default="identity"
        What the margin means: a prediction (regression), or a logit (binary; probabilities from
        ``link.inverse`` and ``xgboost_params`` sets ``binary:logistic``).
    params : dict, optional
        Values of the other symbols, e.g. ``{"delta": 1.0}``; they stay symbols in the formulas.
        Names are identifiers other than ``y``, ``m``, ``pi``, ``E`` and the function names,
        not starting with ``_``.
    name : str, default="derived_loss"
        Metric name.
    gradient, hessian : str or sympy.Expr, optional
        Replacements for the derived derivatives (stable forms, or a hessian bound). A hessian
        that differs from the derived one makes ``self.hessian == "bounded"`` (else
        ``"exact"``).
    stable : bool, default=False
        Rewrite ``log(1+exp(u))``, ``log(cosh(u))``, ``1/(1+exp(u))``, ``1 - sigmoid(u)``,
        ``log(sigmoid(u))``, ``1 - tanh(u)**2`` and ``1/cosh(u)**2`` into the stable functions
        before differentiating.
    simplify : bool, default=True
        ``sympy.simplify`` the derivatives, within :data:`SIMPLIFY_SECONDS` for gradient and
        hessian together, and only where written as one fraction of expanded polynomials they
        have at most :data:`SIMPLIFY_MAX_TERMS` terms; a derivative not simplified is used as
        differentiated (the same values, a longer formula).
    warn : bool, default=True
        Warn (:class:`DerivationWarning`) where the generated code is not finite at extreme
        margins or its hessian is inaccurate (see the module docstring).

    Attributes
    ----------
    expressions : dict
        SymPy ``loss``, ``gradient`` and ``hessian``.
    overflow : list of tuple
        ``(quantity, y, m, value)`` for each quantity that was not finite at a probed margin.
    inaccurate : list of tuple
        ``("hessian", y, m, value, exact)`` where the generated hessian is off by more than
        :data:`ACCURACY_RTOL` relative to its formula evaluated in high precision (the probe
        point closest to the middle), else empty.
    """

    hessian_options = ("exact", "bounded")

    def __init__(self, expression, *, link: str = "identity", params: dict | None = None,
                 name: str = "derived_loss", gradient=None, hessian=None, stable: bool = False,
                 simplify: bool = True, warn: bool = True) -> None:
        sp = _sympy()
        if isinstance(hessian, str) and hessian.strip() in ("exact", "bounded", "surrogate"):
            raise ValueError(
                f"hessian={hessian!r}: hessian= takes a formula for the hessian (e.g. "
                "hessian='1/sqrt(1 + (m - y)**2)'), not an option; loss.hessian is then 'exact' "
                "if that formula is the second derivative and 'bounded' otherwise")
        if isinstance(link, Link):
            link = link.name
        if link not in _LINKS:
            raise ValueError(f"link must be one of {sorted(_LINKS)}, got {_plain(link)}")
        if not isinstance(name, str) or not name:
            raise TypeError(f"name must be a non-empty string, got {_plain(name)}")
        name, clean = str(name), {}
        for key, value in dict(params or {}).items():
            if (not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key)
                    or key.startswith("_") or key in ("y", "m", *FORMULA_CONSTANTS)
                    or key in FORMULA_FUNCTIONS):
                raise ValueError("parameter names must be identifiers other than y, m, "
                                 f"{', '.join(FORMULA_CONSTANTS)} and the function names, not "
                                 f"starting with '_'; got {_plain(key)}")
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                    or not math.isfinite(value):
                raise ValueError(f"parameter {key} must be a finite number, got {_plain(value)}")
            clean[str(key)] = float(value)  # plain str and float (repr, equality, pickles)
        params = clean
        # a SymPy input's exact numbers too long to write out become floats before str() below
        expression, gradient, hessian = (
            _float64_numbers(f, f"the {what}") if isinstance(f, sp.Basic) else f
            for f, what in ((expression, "loss"), (gradient, "gradient="), (hessian, "hessian=")))
        self._args = {"expression": expression if isinstance(expression, str) else str(expression),
                      "link": link, "params": params, "name": name,
                      "gradient": None if gradient is None else str(gradient),
                      "hessian": None if hessian is None else str(hessian),
                      "stable": bool(stable), "simplify": bool(simplify)}
        self._setup()

        loss_expr = self._parse(expression, stable, "the loss")
        if self.m not in loss_expr.free_symbols:
            raise ValueError(f"the loss {loss_expr} does not depend on the margin m")
        deadline = time.monotonic() + SIMPLIFY_SECONDS

        def tidy(raw):
            """``sympy.simplify`` within what is left of the budget, where it would not expand
            the expression too far; else ``raw`` as it is."""
            if not simplify or _expanded_terms(raw) > SIMPLIFY_MAX_TERMS:
                return raw
            out = _within(deadline - time.monotonic(), sp.simplify, raw)
            return raw if out is None else out

        def derivative(expr, what):
            out = sp.diff(expr, self.m)
            label = f"{what} {_short(expression_text)}"
            _check_size(out, label)
            return _float64_numbers(out, label)

        def tidy_stable(raw):
            out = tidy(raw)
            if out.has(sp.Piecewise) and not raw.has(sp.Piecewise):
                out = raw  # simplify writes sign(r) + c as a Piecewise of 0/0 guards: keep it
            return _sech2(_stable_tanh(out))  # simplify may bring back SymPy's tanh

        expression_text = self._args["expression"]
        grad = (derivative(loss_expr, "the gradient of") if gradient is None
                else self._parse(gradient, stable, "gradient="))
        _refuse_dirac(grad, "the gradient of", expression_text,
                      "the loss jumps there, which no Newton objective can follow. Write a "
                      "continuous loss, or pass gradient= and hessian= formulas")
        if gradient is None:
            grad = tidy_stable(grad)
        exact_hess = derivative(grad, "the second derivative of")
        if hessian is None:
            _refuse_dirac(exact_hess, "the second derivative of", expression_text,
                          "the loss has a kink there (it is not twice differentiable) and the "
                          "hessian is 0 everywhere else, which gives Newton no weight. Pass a "
                          "positive weight as hessian=, e.g. hessian='1' (a constant) or a "
                          "bounded formula, or use a smooth surrogate such as logcosh(m - y) or "
                          "pseudo-Huber delta**2*(sqrt(1 + ((m - y)/delta)**2) - 1)")
        # with a hessian= given, a Dirac delta (a kink) counts as 0: its value almost everywhere
        exact_hess = tidy_stable(exact_hess.replace(sp.DiracDelta, lambda *args: sp.S.Zero))
        hess = exact_hess if hessian is None else self._parse(hessian, stable, "hessian=")
        self.expressions = {"loss": loss_expr, "gradient": grad, "hessian": hess}
        self._compile()
        option = "exact"
        if hessian is not None:
            option = "exact" if self._agree(self._lambdify(exact_hess)) else "bounded"
        super().__init__(hessian=option)
        self.overflow = self._probe()
        self.inaccurate = self._probe_accuracy()
        if warn:
            for message in self._messages():
                warnings.warn(message, DerivationWarning, stacklevel=2)

    def _messages(self) -> list[str]:
        """The :class:`DerivationWarning` messages of the construction-time probes."""
        return (([self._overflow_message()] if self.overflow else [])
                + ([self._inaccurate_message()] if self.inaccurate else []))

    # ---------------------------------------------------------------- parsing and code
    def _setup(self) -> None:
        """Link, name and symbols from ``self._args`` (shared by ``__init__`` and unpickling)."""
        sp = _sympy()
        args = self._args
        self.link = _LINKS[args["link"]]()
        self.name = args["name"]
        self.y, self.m = sp.symbols("y m", real=True)
        self._param_symbols = [sp.Symbol(k, real=True) for k in args["params"]]
        self._param_values = tuple(args["params"].values())

    def _lambdify(self, expr):
        sp = _sympy()
        return sp.lambdify((self.y, self.m, *self._param_symbols), expr,
                           modules=[_NUMPY_FUNCTIONS, "numpy"], cse=True)

    def _compile(self) -> None:
        """Generate the numpy code from ``self.expressions`` (no parsing, no differentiation)."""
        e = self.expressions
        self._loss_fn = self._lambdify(e["loss"])
        self._gh_fn = self._lambdify((e["gradient"], e["hessian"]))

    def _parse(self, text, stable: bool, what: str):
        """The SymPy expression of a formula (``what`` names it in errors): checked for its size
        and its numbers, tanh made ours, and rewritten stably with ``stable=True``."""
        sp = _sympy()
        names = {"y": self.y, "m": self.m, **{s.name: s for s in self._param_symbols}}
        if isinstance(text, str):
            expr = _parse_formula(text, names)
        elif isinstance(text, sp.Basic):
            expr = text.subs({s: names[s.name] for s in text.free_symbols if s.name in names})
            unknown = sorted(s.name for s in expr.free_symbols
                             if s not in (self.y, self.m) and s not in self._param_symbols)
            if unknown:
                raise ValueError(f"unknown symbol(s) {unknown} in {text!r}: the label is y, the "
                                 "margin is m; give other symbols values with "
                                 f"params={{'{unknown[0]}': ...}}")
        else:
            raise TypeError(f"a formula must be a string or a SymPy expression, got {type(text).__name__}")
        label = f"{what} {_short(text)}"
        _check_size(expr, label)
        expr = _stable_tanh(_float64_numbers(expr, label))
        return _stabilize(expr) if stable else expr

    def _eval(self, fn, y, z):
        with np.errstate(all="ignore"):
            out = fn(y, z, *self._param_values)
        if isinstance(out, tuple):
            return tuple(np.array(np.broadcast_to(o, z.shape), dtype=np.float64) for o in out)
        return np.array(np.broadcast_to(out, z.shape), dtype=np.float64)

    def _probe_grid(self):
        labels = [0.0, 1.0] if self.link.name == "logit" else [-1.0, 0.0, 2.5]
        ms = np.array([s * v for v in PROBE_MARGINS for s in (1.0, -1.0)])
        return np.repeat(labels, ms.size), np.tile(ms, len(labels))

    def _agree(self, exact_fn) -> bool:
        y, _ = self._probe_grid()
        z = np.linspace(-4.0, 4.0, 17)
        y = np.repeat(np.unique(y), z.size)
        z = np.tile(z, y.size // z.size) + (y if self.link.name == "identity" else 0.0)
        a = self._eval(exact_fn, y, z)
        b = self._eval(self._gh_fn, y, z)[1]
        return bool(np.allclose(a, b, rtol=1e-9, atol=1e-300))

    def _probe(self) -> list[tuple[str, float, float, float]]:
        y, z = self._probe_grid()
        found = []
        values = (self._eval(self._loss_fn, y, z), *self._eval(self._gh_fn, y, z))
        for quantity, v in zip(("loss", "gradient", "hessian"), values):
            bad = ~np.isfinite(v)
            if bad.any():
                i = int(np.argmin(np.where(bad, np.abs(z), np.inf)))  # smallest margin that fails
                found.append((quantity, float(y[i]), float(z[i]), float(v[i])))
        return found

    def _accuracy_grid(self):
        labels = [0.0, 1.0] if self.link.name == "logit" else [-1.0, 0.0, 2.5]
        steps = np.array([s * v for v in ACCURACY_PROBES for s in (1.0, -1.0) if s > 0 or v])
        y = np.repeat(labels, steps.size)
        z = np.tile(steps, len(labels)) + (y if self.link.name == "identity" else 0.0)
        return y, z

    def _high_precision(self, expr, y, z) -> np.ndarray:
        """``expr`` at ``(y, z)`` evaluated with mpmath (NaN where no reliable value)."""
        import mpmath

        sp = _sympy()
        out = np.full(y.shape, np.nan)
        guarded = sp.Function(_GUARDED_POW)
        expr = expr.replace(lambda e: e.is_Pow, lambda e: guarded(*e.args))
        try:
            fn = sp.lambdify((self.y, self.m, *self._param_symbols), expr,
                             modules=[_mpmath_functions(), "mpmath"])
        except Exception:  # noqa: BLE001 - a function without an mpmath twin: no reference
            return out
        params = self._param_values

        def value(yy, mm, dps):
            with mpmath.workdps(dps):
                try:
                    v = mpmath.mpmathify(fn(mpmath.mpf(yy), mpmath.mpf(mm), *map(mpmath.mpf, params)))
                except Exception:  # noqa: BLE001 - 0/0, log(0), ...: no reference here
                    return None
                if isinstance(v, mpmath.mpc):
                    v = v.real if v.imag == 0 else None
                return v if v is not None and mpmath.isfinite(v) else None

        for i, (yy, mm) in enumerate(zip(y, z)):
            for low, high in _MPMATH_DPS:  # escalate where the cheap pair does not agree
                lo, hi = value(yy, mm, low), value(yy, mm, high)
                if lo is None or hi is None:
                    break
                if hi != 0 and abs(hi - lo) <= abs(hi) * mpmath.mpf(10) ** -20:  # converged
                    out[i] = float(hi)
                    break
        return out

    def _probe_accuracy(self) -> list[tuple[str, float, float, float, float]]:
        """``(quantity, y, m, value, exact)`` where the generated hessian has a relative error
        above :data:`ACCURACY_RTOL` although its exact value is a normal float64 number."""
        y, z = self._accuracy_grid()
        h = self._eval(self._gh_fn, y, z)[1]
        exact = self._high_precision(self.expressions["hessian"], y, z)
        with np.errstate(all="ignore"):
            size = np.abs(exact)
            compared = np.isfinite(h) & (size >= _ACCURACY_TINY) & (size <= 1e300)
            bad = compared & (np.abs(h - exact) > ACCURACY_RTOL * size)
        if not bad.any():
            return []
        dist = np.abs(z - y) if self.link.name == "identity" else np.abs(z)
        i = int(np.argmin(np.where(bad, dist, np.inf)))  # the failure closest to the middle
        return [("hessian", float(y[i]), float(z[i]), float(h[i]), float(exact[i]))]

    def _inaccurate_message(self) -> str:
        quantity, yy, mm, value, exact = self.inaccurate[0]
        where = f"y={yy:g}, m={mm:g}" + (f" (m - y = {mm - yy:g})"
                                          if self.link.name == "identity" else "")
        error = abs(value - exact) / abs(exact)
        return (f"the generated {quantity} of {self!r} is inaccurate: {value:.6g} at {where}, "
                f"where the formula's exact value is {exact:.6g} (relative error {error:.3g}). "
                "Cancellations lose the tails: 1 - tanh(u)**2 is exactly 0 in float64 from "
                "|u| = 19 on, 1 - sigmoid(u) from u = 37 on. Write the hessian with the stable "
                "functions: sech2(u) for 1 - tanh(u)**2 = 1/cosh(u)**2, sigmoid(u)*sigmoid(-u) "
                "for p*(1 - p) with p = sigmoid(u), sigmoid(-u) for 1 - sigmoid(u) (stable=True "
                "rewrites these), or pass another hessian=")

    def _overflow_message(self) -> str:
        where = "; ".join(f"{q} is {v} at y={yy:g}, m={mm:g}" for q, yy, mm, v in self.overflow)
        return (f"the generated code for {self!r} is not finite at extreme margins: {where}. "
                "Use a stable form: stable=True (rewrites log(1+exp(u)), log(cosh(u)), "
                "1/(1+exp(-u)), 1-sigmoid(u), log(sigmoid(u))), write the loss with softplus/sigmoid/logcosh/logaddexp, or pass "
                "gradient=/hessian= replacements")

    # ---------------------------------------------------------------- Loss kernels
    def _loss(self, y, z):
        return self._eval(self._loss_fn, y, z)

    def _gradient_hessian(self, y, z):
        return self._eval(self._gh_fn, y, z)

    def constant_start(self, labels):
        if self.link.name != "logit":  # Newton steps from the lower weighted median
            return bracketed_start(self, labels)
        rate = labels.mean()
        p = min(max(rate, 1e-15), 1.0 - 1e-15)
        x0 = math.log(p / (1.0 - p))
        if rate in (0.0, 1.0):  # one class only: no finite minimiser; clamp as log loss does
            return x0
        return newton_root(lambda c: labels.gradient_sums(self, c), x0, x0 - 1.0, x0 + 1.0)

    # ---------------------------------------------------------------- description
    @property
    def task(self) -> str:
        return "binary" if self._args["link"] == "logit" else "regression"

    @classmethod
    def _param_names(cls) -> tuple[str, ...]:
        return ("expression", "link", "params", "name", "gradient", "hessian", "stable", "simplify")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments (scikit-learn's convention); ``set_params`` derives anew."""
        return dict(self._args)

    @property
    def params(self) -> dict[str, Any]:
        """Constructor arguments (without the defaults): repr, equality and pickling use them."""
        defaults = {"link": "identity", "params": {}, "name": "derived_loss", "gradient": None,
                    "hessian": None, "stable": False, "simplify": True}
        return {k: v for k, v in self._args.items() if k == "expression" or defaults[k] != v}

    def __repr__(self) -> str:
        args = [repr(self._args["expression"])]
        args += [f"{k}={v!r}" for k, v in self.params.items() if k != "expression"]
        return f"DerivedLoss({', '.join(args)})"

    def __reduce__(self):
        # the derived SymPy expressions travel, not the text: unpickling (e.g. on every Dask
        # worker) only regenerates the numpy code; it never parses nor differentiates
        state = {"args": self._args, "expressions": self.expressions, "hessian": self.hessian,
                 "overflow": self.overflow, "inaccurate": self.inaccurate}
        return _restore, (state,)

    def formulas(self, fmt: str = "text") -> str:
        """Loss, gradient and hessian as plain text (``fmt="text"``) or LaTeX (``fmt="latex"``)."""
        sp = _sympy()
        if fmt not in ("text", "latex"):
            raise ValueError(f"fmt must be 'text' or 'latex', got {fmt!r}")
        if fmt == "latex":
            lines = [f"L &= {sp.latex(self.expressions['loss'])}",
                     rf"\frac{{\partial L}}{{\partial m}} &= {sp.latex(self.expressions['gradient'])}",
                     rf"\frac{{\partial^2 L}}{{\partial m^2}} &= {sp.latex(self.expressions['hessian'])}"]
            return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
        return "\n".join(f"{k + ':':<9} {sp.sstr(v)}" for k, v in
                         (("loss", self.expressions["loss"]), ("gradient", self.expressions["gradient"]),
                          ("hessian", self.expressions["hessian"])))

    def source(self) -> str:
        """The generated numpy code (loss; gradient and hessian with shared subexpressions)."""
        return inspect.getsource(self._loss_fn) + "\n" + inspect.getsource(self._gh_fn)

    def check(self, **kwargs):
        """Run :func:`boostobj.check.check_objective` on this objective; returns the report."""
        from .check import check_objective

        return check_objective(self, **kwargs)


def _restore(state) -> DerivedLoss:
    """Unpickle a :class:`DerivedLoss` from its derived expressions (see ``__reduce__``)."""
    loss = DerivedLoss.__new__(DerivedLoss)
    loss._args = state["args"]
    loss._setup()
    loss.expressions = dict(state["expressions"])
    loss._compile()
    Loss.__init__(loss, hessian=state["hessian"])
    loss.overflow = list(state["overflow"])
    loss.inaccurate = list(state.get("inaccurate", []))
    return loss


def _rebuild(args):
    """Unpickle a :class:`DerivedLoss` pickled before the expressions travelled (re-derives it;
    the text goes through the same whitelist parser)."""
    return DerivedLoss(**args, warn=False)


def derive(expression, *, link: str = "identity", params: dict | None = None,
           name: str = "derived_loss", gradient=None, hessian=None, stable: bool = False,
           simplify: bool = True, check: bool = True) -> DerivedLoss:
    """Derive an objective from a loss formula; see :class:`DerivedLoss` for the parameters.

    With ``check=True`` the result is run through :func:`boostobj.check.check_objective`
    (sklearn entry point, random and extreme margins) and a :class:`DerivationWarning` carries
    the report if anything fails.
    """
    loss = DerivedLoss(expression, link=link, params=params, name=name, gradient=gradient,
                       hessian=hessian, stable=stable, simplify=simplify, warn=False)
    for message in loss._messages():
        warnings.warn(message, DerivationWarning, stacklevel=2)
    if check:
        report = loss.check(api="sklearn")
        if not report.ok:
            warnings.warn(f"{loss!r} fails its own check:\n{report}", DerivationWarning, stacklevel=2)
    return loss
