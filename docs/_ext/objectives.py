"""``objectives`` and ``loss-autosummary`` directives: the table of objectives and the API list
of loss classes, built from the registry (:data:`boostobj.registry.REGISTRY`), so a loss added
there appears in the docs without a docs edit.

.. code-block:: rst

   .. objectives::
   .. loss-autosummary::
"""

from __future__ import annotations

import inspect
import os

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList


def _signature(cls) -> str:
    params = [p for p in inspect.signature(cls.__init__).parameters.values()
              if p.kind == p.KEYWORD_ONLY and p.name != "hessian"]
    args = ", ".join(f"{p.name}={p.default!r}" for p in params)
    return f"{cls.__name__}({args})"


def _summary(cls) -> str:
    doc = inspect.getdoc(cls) or ""
    first = doc.split("\n\n")[0].replace("\n", " ")
    return first.split(". ")[0].rstrip(".") + "."


def _twins(entry) -> str:
    out = []
    for twin in entry.twins:
        names = ", ".join(f"{lib} ``{name}``" for lib, name in twin.names().items())
        when = ", ".join(f"{k}={'set' if callable(v) else repr(v)}" for k, v in twin.when.items())
        out.append(names + (f" ({when})" if when else ""))
    return "; ".join(out) or "–"


def table_rst() -> list[str]:
    """The objectives table as RST lines (a ``list-table``)."""
    from boostobj.registry import REGISTRY

    lines = [".. list-table::", "   :header-rows: 1", "   :widths: 26 30 8 8 10 18", "",
             "   * - objective", "     - what it is", "     - task", "     - link",
             "     - hessian (default first)", "     - built-in twins"]
    for entry in REGISTRY:
        cls = entry.cls
        cells = [f":class:`~boostobj.{cls.__name__}`\\ ``{_signature(cls)[len(cls.__name__):]}``",
                 _summary(cls), cls.task, cls.link.name,
                 ", ".join(f"``{h}``" for h in cls.hessian_options), _twins(entry)]
        lines.append(f"   * - {cells[0]}")
        lines.extend(f"     - {c}" for c in cells[1:])
    return lines


class Objectives(Directive):
    has_content = False

    def run(self):
        node = nodes.section()
        node.document = self.state.document
        self.state.nested_parse(StringList(table_rst(), source="registry"), self.content_offset,
                                node)
        return node.children


class LossAutosummary(Directive):
    """``autosummary`` of ``Loss`` and every registry loss class, with their pages."""

    has_content = False

    def run(self):
        from boostobj.registry import REGISTRY

        lines = [".. autosummary::", "   :toctree: generated", "   :nosignatures:", "",
                 "   Loss", *(f"   {entry.cls.__name__}" for entry in REGISTRY)]
        node = nodes.section()
        node.document = self.state.document
        self.state.nested_parse(StringList(lines, source="registry"), self.content_offset, node)
        return node.children


def _write_loss_stubs(app) -> None:
    """The ``generated/boostobj.<Loss>.rst`` pages of the registry's classes (autosummary
    writes stubs only for names it finds typed in the sources), as its class template would."""
    from boostobj.registry import REGISTRY

    out = os.path.join(app.srcdir, "generated")
    os.makedirs(out, exist_ok=True)
    for name in ["Loss", *(entry.cls.__name__ for entry in REGISTRY)]:
        title = f"boostobj.{name}"
        text = (f":orphan:\n\n{title}\n{'=' * len(title)}\n\n.. currentmodule:: boostobj\n\n"
                f".. autoclass:: {name}\n   :members:\n   :no-inherited-members:\n")
        path = os.path.join(out, f"{title}.rst")
        if not os.path.exists(path) or open(path).read() != text:
            with open(path, "w") as fh:
                fh.write(text)


def setup(app):
    app.add_directive("objectives", Objectives)
    app.add_directive("loss-autosummary", LossAutosummary)
    app.connect("builder-inited", _write_loss_stubs, priority=400)
    return {"parallel_read_safe": True, "version": "1"}
