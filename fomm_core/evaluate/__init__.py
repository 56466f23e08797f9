"""Evaluation: metrics per clip and per motion style, baselines, and the Markdown/PNG report.

    cases = builtin_suite(model.frame_size)                  # or folder_suite(DIR, model.frame_size)[0]
    evaluation = run(model, cases, "built-in synthetic")
    write_report(evaluation, "report/", ratings=RatingsStore().ratings())

    cases = real.real_suite(model.frame_size)                # real people: self-reconstruction, AKD/MKR
    runs = defaults.run_variants(model, builtin_suite(model.frame_size), fps=10.0)   # framing and scene variants
    write_comparison(runs, "report-defaults/")

Command line: `python -m fomm_core evaluate --model NAME --suite builtin|real|defaults|DIR --out REPORT_DIR`.
"""

from . import defaults, real
from .report import write_comparison, write_report
from .runner import EvalRun, run
from .suites import Case, builtin_suite, export_suite, folder_suite

__all__ = [
    "Case",
    "EvalRun",
    "builtin_suite",
    "defaults",
    "export_suite",
    "folder_suite",
    "real",
    "run",
    "write_comparison",
    "write_report",
]
