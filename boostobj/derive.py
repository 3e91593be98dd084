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
  ``softplus``, ``sigmoid``, ``logcosh``, ``logaddexp(a, b)`` (see :data:`FORMULA_FUNCTIONS`).

Anything else (attribute access, subscripts, keyword arguments, strings, comparisons, lambdas,
other names or functions, names starting with ``_``) raises ``ValueError`` naming the piece and
listing what is allowed. SymPy expressions (not strings) are taken as they are.

Stability. Formulas are evaluated as written, so ``log(1 + exp(x))`` overflows for ``x > 709``.
After generating the code, :class:`DerivedLoss` evaluates it at extreme margins (``±37`` up to
``±1e6``) and warns (:class:`DerivationWarning`) where loss, gradient or hessian is not finite.
Three ways to a stable form:

* ``stable=True`` rewrites ``log(1 + exp(u))`` to ``softplus(u)``, ``log(cosh(u))`` to
  ``logcosh(u)``, ``1/(1 + exp(-u))`` to ``sigmoid(u)``, ``1 - sigmoid(u)`` to ``sigmoid(-u)``
  and ``log(sigmoid(u))`` to ``-softplus(-u)`` before differentiating;
* write the loss with those functions yourself (also ``logaddexp(a, b)``): SymPy knows their
  derivatives, and the generated code calls ``np.logaddexp``, ``scipy.special.expit`` and
  :func:`boostobj._math.log_cosh`, which never overflow;
* pass ``gradient=`` / ``hessian=`` expressions that replace the derived ones (a hessian that
  is not the second derivative, e.g. a positive bound, makes ``loss.hessian == "surrogate"``).

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
import functools
import inspect
import keyword
import math
import warnings
from typing import Any

import numpy as np
from scipy.special import expit

from . import _math
from .links import IdentityLink, Link, LogitLink
from .losses import Loss

__all__ = ["FORMULA_CONSTANTS", "FORMULA_FUNCTIONS", "DerivationWarning", "DerivedLoss", "derive"]

#: Margins where the generated code is evaluated to look for overflow (both signs).
PROBE_MARGINS = (37.0, 711.0, 1e3, 1e4, 1e6)

_LINKS = {"identity": IdentityLink, "logit": LogitLink}

#: Functions a formula may call, with the numbers of (positional) arguments each takes.
FORMULA_FUNCTIONS = {
    "exp": (1,), "log": (1, 2), "sqrt": (1,), "abs": (1,), "Abs": (1,),
    "sin": (1,), "cos": (1,), "sinh": (1,), "cosh": (1,), "tanh": (1,),
    "softplus": (1,), "sigmoid": (1,), "logcosh": (1,), "logaddexp": (2,),
}
#: Named constants a formula may use.
FORMULA_CONSTANTS = ("pi", "E")
#: An exact power of two numbers may have at most this many bits (``10**10**10`` is refused).
_MAX_EXACT_BITS = 100_000

#: numpy implementations of the stable functions a formula may use.
_NUMPY_FUNCTIONS = {
    "softplus": lambda x: np.logaddexp(0.0, x),
    "sigmoid": expit,
    "logcosh": _math.log_cosh,
    "logaddexp": np.logaddexp,
}


class DerivationWarning(UserWarning):
    """The generated code overflows (or the derived objective fails its own check)."""


def _sympy():
    try:
        import sympy
    except ImportError:
        raise ImportError(
            "boostobj.derive needs SymPy, an optional dependency: pip install 'boostobj[derive]'"
        ) from None
    return sympy


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

    class logcosh(sp.Function):
        r"""``log(cosh(x))``, evaluated without overflow past ``|x| = 710``."""

        def fdiff(self, argindex=1):
            return sp.tanh(self.args[0])

        def _eval_rewrite_as_cosh(self, x, **kwargs):
            return sp.log(sp.cosh(x))

    class logaddexp(sp.Function):
        r"""``log(exp(a) + exp(b))``, evaluated as ``np.logaddexp(a, b)``."""

        nargs = 2

        def fdiff(self, argindex=1):
            a, b = self.args
            return sigmoid(a - b) if argindex == 1 else sigmoid(b - a)

    classes = {"sigmoid": sigmoid, "softplus": softplus, "logcosh": logcosh, "logaddexp": logaddexp}
    for key, cls in classes.items():  # pickle finds them as boostobj.derive._sympy_<name>
        cls.__module__, cls.__qualname__ = __name__, _PICKLE_PREFIX + key
    return classes


_PICKLE_PREFIX = "_sympy_"
_STABLE_FUNCTIONS = ("sigmoid", "softplus", "logcosh", "logaddexp")


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
            "sin": sp.sin, "cos": sp.cos, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
            **_functions()}


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
                return sp.Integer(value)
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
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                return a / b
            if a.is_Rational and b.is_Integer and abs(int(b)) * max(
                    int(a.p).bit_length(), int(a.q).bit_length()) > _MAX_EXACT_BITS:
                refuse(node, "the power", " (too large to compute exactly; write a decimal number)")
            return a ** b
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
    return expr.replace(sp.log(fn["sigmoid"](u)), -fn["softplus"](-u))  # log p = -softplus(-m)


def _sech2(expr):
    """``1 - tanh(u)**2`` -> ``cosh(u)**-2``: the former is exactly 0 for ``|u| > 19`` and loses
    relative precision well before (``1 - t**2`` cancels); the latter is accurate (and 0 only
    where ``cosh`` overflows, past ``|u| = 710``)."""
    sp = _sympy()
    u = sp.Wild("u")
    return expr.replace(lambda e: e.is_Add and len(e.args) == 2 and 1 in e.args and
                        e.match(1 - sp.tanh(u) ** 2) is not None,
                        lambda e: 1 / sp.cosh(e.match(1 - sp.tanh(u) ** 2)[u]) ** 2)


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
        that differs from the derived one makes ``self.hessian == "surrogate"``.
    stable : bool, default=False
        Rewrite ``log(1+exp(u))``, ``log(cosh(u))``, ``1/(1+exp(u))``, ``1 - sigmoid(u)`` and
        ``log(sigmoid(u))`` into the stable functions before differentiating.
    simplify : bool, default=True
        ``sympy.simplify`` the derivatives (slow for very long expressions).
    warn : bool, default=True
        Warn (:class:`DerivationWarning`) where the generated code is not finite at extreme margins.

    Attributes
    ----------
    expressions : dict
        SymPy ``loss``, ``gradient`` and ``hessian``.
    overflow : list of tuple
        ``(quantity, y, m, value)`` for each quantity that was not finite at a probed margin.
    """

    hessian_options = ("exact", "surrogate")

    def __init__(self, expression, *, link: str = "identity", params: dict | None = None,
                 name: str = "derived_loss", gradient=None, hessian=None, stable: bool = False,
                 simplify: bool = True, warn: bool = True) -> None:
        sp = _sympy()
        if isinstance(link, Link):
            link = link.name
        if link not in _LINKS:
            raise ValueError(f"link must be one of {sorted(_LINKS)}, got {link!r}")
        if not isinstance(name, str) or not name:
            raise TypeError(f"name must be a non-empty string, got {name!r}")
        params = dict(params or {})
        for key, value in params.items():
            if (not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key)
                    or key.startswith("_") or key in ("y", "m", *FORMULA_CONSTANTS)
                    or key in FORMULA_FUNCTIONS):
                raise ValueError("parameter names must be identifiers other than y, m, "
                                 f"{', '.join(FORMULA_CONSTANTS)} and the function names, not "
                                 f"starting with '_'; got {key!r}")
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                    or not math.isfinite(value):
                raise ValueError(f"parameter {key} must be a finite number, got {value!r}")
            params[key] = float(value)
        self._args = {"expression": expression if isinstance(expression, str) else str(expression),
                      "link": link, "params": params, "name": name,
                      "gradient": None if gradient is None else str(gradient),
                      "hessian": None if hessian is None else str(hessian),
                      "stable": bool(stable), "simplify": bool(simplify)}
        self._setup()

        loss_expr = self._parse(expression, stable)
        if self.m not in loss_expr.free_symbols:
            raise ValueError(f"the loss {loss_expr} does not depend on the margin m")
        tidy = sp.simplify if simplify else (lambda e: e)
        grad = tidy(sp.diff(loss_expr, self.m)) if gradient is None else self._parse(gradient, stable)
        exact_hess = _sech2(tidy(sp.diff(grad, self.m)))
        hess = exact_hess if hessian is None else self._parse(hessian, stable)
        self.expressions = {"loss": loss_expr, "gradient": grad, "hessian": hess}
        self._compile()
        option = "exact"
        if hessian is not None:
            option = "exact" if self._agree(self._lambdify(exact_hess)) else "surrogate"
        super().__init__(hessian=option)
        self.overflow = self._probe()
        if warn and self.overflow:
            warnings.warn(self._overflow_message(), DerivationWarning, stacklevel=2)

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

    def _parse(self, text, stable: bool):
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

    def _init_score(self, y, w):
        if self.link.name == "logit":
            rate = float(np.average(y, weights=w))
            p = min(max(rate, 1e-15), 1.0 - 1e-15)
            x0 = math.log(p / (1.0 - p))
            if rate in (0.0, 1.0):  # one class only: no finite minimiser; clamp as log loss does
                return x0
            return self._solve_constant(y, w, x0, x0 - 1.0, x0 + 1.0)
        lo, hi = float(np.min(y)), float(np.max(y))
        if lo == hi:
            return lo
        order = np.argsort(y, kind="stable")
        cw = np.cumsum(np.ones_like(y) if w is None else w[order])
        x0 = float(y[order][np.searchsorted(cw, 0.5 * cw[-1])])  # weighted median
        return self._solve_constant(y, w, x0, lo, hi)

    # ---------------------------------------------------------------- description
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
                 "overflow": self.overflow}
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
    if loss.overflow:
        warnings.warn(loss._overflow_message(), DerivationWarning, stacklevel=2)
    if check:
        report = loss.check(api="sklearn")
        if not report.ok:
            warnings.warn(f"{loss!r} fails its own check:\n{report}", DerivationWarning, stacklevel=2)
    return loss
