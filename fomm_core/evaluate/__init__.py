"""Evaluation: metrics per clip and per motion style, baselines, and the Markdown/PNG report.

    cases = builtin_suite(model.frame_size)                  # or folder_suite(DIR, model.frame_size)[0]
    evaluation = run(model, cases, "built-in synthetic")
    write_report(evaluation, "report/", ratings=RatingsStore().ratings())

Command line: `python -m fomm_core evaluate --model NAME --suite builtin|DIR --out REPORT_DIR`.
"""

from .report import write_report
from .runner import EvalRun, run
from .suites import Case, builtin_suite, export_suite, folder_suite

__all__ = ["Case", "EvalRun", "builtin_suite", "export_suite", "folder_suite", "run", "write_report"]
