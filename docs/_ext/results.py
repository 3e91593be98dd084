"""``results`` directive: render a harness's JSON (``docs/results/*.json``) as tables.

``parity --json-out docs/results/parity.json`` and ``bench --out ...`` (its ``bench.json``, copied
to ``docs/results/bench.json``) write the files; the pages show them with the versions and the
machine they were measured on, so a table is never typed by hand.

.. code-block:: rst

   .. results:: results/bench.json
      :kind: bench
"""

from __future__ import annotations

import json
import os
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import Directive, directives


def _bench(report: dict) -> list[nodes.Node]:
    from boostobj.bench.report import kernel_table, training_table

    env = report.get("environment", {})
    out = [_para(_stamp(env))]
    out.append(nodes.literal_block(text=training_table(report["training"])))
    if report.get("kernels"):
        out.append(_para("Objective calls (gradient and hessian) per million rows, one core:"))
        out.append(nodes.literal_block(text=kernel_table(report["kernels"], report.get("memory"))))
    return out


def _parity(report: dict) -> list[nodes.Node]:
    from boostobj.parity.cases import Result
    from boostobj.parity.report import format_table

    summary = report["summary"]
    counts = ", ".join(f"{v} {k}" for k, v in sorted(summary["counts"].items()))
    stamp = (f"{summary['cases']} cases ({counts}); xgboost {summary['xgboost']}, lightgbm "
             f"{summary['lightgbm']}; plan: {summary.get('plan', 'default')}.")
    results = [Result(**r) for r in report["results"]]
    return [_para(stamp), nodes.literal_block(text=format_table(results))]


def _stamp(env: dict) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in env.get("versions", {}).items())
    machine = env.get("machine", {})
    return (f"Measured with `{env.get('command', '?')}` on {machine.get('cpu', '?')} "
            f"({machine.get('cpu_count', '?')} CPUs); {versions}; compiled kernels: "
            f"{'yes' if env.get('compiled_kernels') else 'no'}.")


def _para(text: str) -> nodes.paragraph:
    return nodes.paragraph(text=text)


class Results(Directive):
    required_arguments = 1
    option_spec: ClassVar[dict] = {"kind": lambda v: directives.choice(v, ("bench", "parity"))}

    def run(self):
        env = self.state.document.settings.env
        path = os.path.join(os.path.dirname(env.doc2path(env.docname)), self.arguments[0])
        env.note_dependency(path)
        if not os.path.exists(path):
            return [_para(f"(no results yet: {self.arguments[0]} is written by the harness)")]
        with open(path) as fh:
            report = json.load(fh)
        return (_bench if self.options.get("kind", "bench") == "bench" else _parity)(report)


def setup(app):
    app.add_directive("results", Results)
    return {"parallel_read_safe": True, "version": "1"}
