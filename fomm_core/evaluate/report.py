"""The evaluation report: Markdown + PNG plots + machine-readable results, written into one folder.

Layout of REPORT_DIR: `report.md`; `results.json` (setup, notes, summaries, every clip's metrics); `clips.csv`;
`plots/METRIC.png` (per-style bars with 95% intervals), `plots/peer_review.png`; `sheets/STYLE.png` (contact
sheets photo | dance | result | expected | box follow); `sheets/worst.png`.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import baselines as baseline_defs
from . import metrics as metric_defs
from . import stats as stats_defs
from .runner import BOX_FOLLOW, STATIC, EvalRun, Sample
from .stats import METRICS, Consistency, Summary, consistency, lookup, rank, summarise, wins

FORMATS = {
    "l1": ".4f",
    "person_l1": ".4f",
    "psnr": ".2f",
    "ssim": ".3f",
    "perceptual": ".3f",
    "self_l1": ".4f",
    "akd": ".2f",
    "mkr": ".3f",
    "flicker": ".4f",
    "identity": ".3f",
    "motion": ".2f",
}
SHEET_COLUMNS = ("photo", "dance", "result", "expected", BOX_FOLLOW)
SELF_COLUMNS = ("dance", "result", STATIC)
SELF_LABELS = {"dance": "driving", "result": "generated", STATIC: "static"}
UNMATCHED = "not a suite clip"
MIN_CELL = 96  # pixels: contact-sheet cells are at least this tall


def fmt(metric: str, value: float) -> str:
    """A metric value as printed in tables (∞ for infinite PSNR)."""
    if math.isinf(value):
        return "∞"
    return format(value, FORMATS.get(metric, ".4g"))


def primary_metrics(run: EvalRun) -> list[str]:
    """The metrics the summary table shows: ground-truth ones when the suite has ground truth."""
    present = {m for r in run.results for m in r.metrics}
    order = (
        ["l1", "psnr", "ssim", "perceptual", "person_l1"]
        if "l1" in present
        else ["self_l1", "akd", "mkr", "motion", "identity", "flicker"]
    )
    return [m for m in order if m in present]


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, then rename: never a half-written file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_text(path: Path, text: str) -> None:
    _atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save_figure(fig: Any, path: Path) -> None:
    _atomic_write(path, lambda p: fig.savefig(p, dpi=100, format="png", bbox_inches="tight"))
    _plt().close(fig)


def plot_metric(
    summaries: Sequence[Summary], metric: str, methods: Sequence[str], styles: Sequence[str], path: Path
) -> None:
    """Grouped bars: one group per style, one bar per method, 95% interval whiskers."""
    plt = _plt()
    table = lookup(summaries)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * len(styles) + 2), 3.6))
    width = 0.8 / max(1, len(methods))
    x = np.arange(len(styles))
    for i, method in enumerate(methods):
        rows = [table.get((method, s, metric)) for s in styles]
        means = [r.mean if r else np.nan for r in rows]
        err = np.array([[r.mean - r.low, r.high - r.mean] if r else [0, 0] for r in rows]).T
        ax.bar(x + (i - (len(methods) - 1) / 2) * width, means, width, yerr=err, capsize=3, label=method)
    ax.set_xticks(x, [s.replace("_", " ") for s in styles], rotation=20)
    ax.set_ylabel(METRICS[metric][0])
    ax.set_title(f"{METRICS[metric][0]} per style (mean, 95% CI over clips)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    _save_figure(fig, path)


def _columns(samples: Sequence[Sample]) -> list[str]:
    """Self-reconstruction: driving | generated | static (the photo is the first driving frame); else SHEET_COLUMNS."""
    if all(s.kind == "self" for s in samples):
        return [name for name in SELF_COLUMNS if any(name in s.rows for s in samples)]
    return [name for name in SHEET_COLUMNS if name == "photo" or any(name in s.rows for s in samples)]


def _labels(columns: Sequence[str]) -> list[str]:
    return [SELF_LABELS.get(c, c) for c in columns] if "photo" not in columns else list(columns)


def _cells(sample: Sample, k: int, columns: Sequence[str], with_photo: bool) -> list[np.ndarray]:
    """Sample frame k of every column; the photo only when asked, blank where a column is missing."""
    blank = np.ones_like(sample.photo)
    cells = []
    for name in columns:
        if name == "photo":
            cells.append(sample.photo if with_photo else blank)
        else:
            cells.append(sample.rows[name][k] if name in sample.rows else blank)
    return cells


def _sheet(
    rows: Sequence[tuple[str, list[np.ndarray], bool]],
    columns: Sequence[str],
    title: str,
    path: Path,
    gap: int = 2,
    case_gap: int = 8,
) -> None:
    """A labelled grid: rows of (label, cells, starts a new case) under the column names."""
    zoom = max(1, math.ceil(MIN_CELL / rows[0][1][0].shape[0]))  # small frames are enlarged (nearest)
    rows = [(label, [c.repeat(zoom, 0).repeat(zoom, 1) for c in cells], new) for label, cells, new in rows]
    h, w = rows[0][1][0].shape[:2]
    width = len(columns) * (w + gap) - gap
    strips, centres, y = [], [], 0
    for i, (_, cells, new_case) in enumerate(rows):
        if i:
            space = case_gap if new_case else gap
            strips.append(np.ones((space, width, 3), np.float32))
            y += space
        strip = np.ones((h, width, 3), np.float32)
        for j, cell in enumerate(cells):
            strip[:, j * (w + gap) : j * (w + gap) + w] = cell
        strips.append(strip)
        centres.append(y + h / 2)
        y += h
    image = np.concatenate(strips)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(min(14.0, 2.0 + width / 80), 0.8 + image.shape[0] / 80))
    ax.imshow(np.clip(image, 0, 1), interpolation="nearest")
    ax.set_xticks([j * (w + gap) + w / 2 for j in range(len(columns))], _labels(columns))
    ax.set_yticks(centres, [label for label, _, _ in rows], fontsize=8)
    ax.tick_params(length=0)
    ax.set_title(title)
    _save_figure(fig, path)


def contact_sheet(samples: Sequence[Sample], style: str, path: Path) -> None:
    """Rows of sample frames for a style's cases; columns photo | dance | result | expected | box follow."""
    columns = _columns(samples)
    rows = [
        (f"{s.case} t={t}", _cells(s, k, columns, k == 0), k == 0)
        for s in samples
        for k, t in enumerate(s.frames)
    ]
    _sheet(rows, columns, style.replace("_", " "), path)


def worst_sheet(samples: Sequence[Sample], path: Path) -> None:
    """One row per worst case: photo | dance | result | expected | box follow at the middle sample frame."""
    columns = _columns(samples)
    rows = []
    for s in samples:
        k = len(s.frames) // 2
        rows.append((f"{s.case} t={s.frames[k]}", _cells(s, k, columns, True), True))
    _sheet(rows, columns, "worst cases", path)


def peer_review(ratings: Sequence[Any], clip_styles: dict[str, str]) -> tuple[list[dict], list[dict], dict]:
    """(rows per model, rows per model and style, totals) from ratings; style = the suite style of the rated clip."""
    from ..ratings.aggregate import aggregate, count_raters

    by_model = [row.to_dict(("model",)) for row in aggregate(ratings, ("model",))]
    by_style = []
    styles = sorted({clip_styles.get(r.clip_sha256, UNMATCHED) for r in ratings})
    for style in styles:
        members = [r for r in ratings if clip_styles.get(r.clip_sha256, UNMATCHED) == style]
        for row in aggregate(members, ("model",)):
            by_style.append({"style": style, **row.to_dict(("model",))})
    totals = {
        "ratings": len(ratings),
        "up": sum(1 for r in ratings if r.rating > 0),
        "raters": count_raters(ratings),
    }
    return by_model, by_style, totals


def plot_peer_review(rows: Sequence[dict], path: Path) -> None:
    """Approval per model with Wilson 95% intervals."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(rows) + 2), 3.2))
    x = np.arange(len(rows))
    approval = np.array([r["approval"] for r in rows])
    err = np.array([[r["approval"] - r["low"], r["high"] - r["approval"]] for r in rows]).T
    ax.bar(x, approval, 0.6, yerr=err, capsize=4, color="tab:green")
    ax.set_xticks(x, [f"{r['model']}\n(n={r['n']})" for r in rows])
    ax.set_ylim(0, 1)
    ax.set_ylabel("approval (share of thumbs up)")
    ax.set_title("Peer review: approval with Wilson 95% intervals")
    fig.tight_layout()
    _save_figure(fig, path)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _peer_section(
    ratings: Sequence[Any] | None, clip_styles: dict[str, str], db: str | None, plots: Path
) -> tuple[list[str], dict]:
    lines = ["## Peer review", ""]
    if ratings is None:
        lines.append(
            "No ratings store was given or found, so there is no peer review in this report "
            "(pass `--ratings-db PATH`; the Space stores ratings in `FOMM_RATINGS_DB`)."
        )
        return lines, {}
    by_model, by_style, totals = peer_review(ratings, clip_styles)
    lines.append(
        f"Ratings store: `{db}`. **{totals['ratings']} ratings** ({totals['up']} 👍) from "
        f"**{totals['raters']} raters** (one per client network address, or per browser session when no "
        "address was known)."
    )
    if not ratings:
        lines += ["", "The store holds no ratings yet."]
        return lines, {"totals": totals, "by_model": [], "by_style": []}
    plot_peer_review(by_model, plots / "peer_review.png")
    head = ["model", "ratings", "👍", "👎", "approval", "Wilson 95% CI", "raters"]
    lines += [
        "",
        "Approval per model:",
        "",
        _table(
            head,
            (
                [
                    r["model"],
                    str(r["n"]),
                    str(r["up"]),
                    str(r["down"]),
                    _pct(r["approval"]),
                    f"{_pct(r['low'])}–{_pct(r['high'])}",
                    str(r["raters"]),
                ]
                for r in by_model
            ),
        ),
        "",
        "![peer review](plots/peer_review.png)",
        "",
        "Approval per model and style (a rating's style is the suite style of the clip it was made from, "
        f"matched by the clip's sha256; other clips are '{UNMATCHED}'):",
        "",
        _table(
            ["style", *head],
            (
                [
                    r["style"],
                    r["model"],
                    str(r["n"]),
                    str(r["up"]),
                    str(r["down"]),
                    _pct(r["approval"]),
                    f"{_pct(r['low'])}–{_pct(r['high'])}",
                    str(r["raters"]),
                ]
                for r in by_style
            ),
        ),
    ]
    return lines, {"totals": totals, "by_model": by_model, "by_style": by_style}


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _per_clip_section(
    run: EvalRun, methods: Sequence[str], metrics: Sequence[str], sheets: Path
) -> list[str]:
    """Self-reconstruction suites: every clip's metrics per method, and a contact sheet per clip."""
    by_clip = {(r.case, r.method): r.metrics for r in run.results}
    rows = [
        [
            case,
            meth,
            *[
                fmt(m, by_clip[(case, meth)][m]) if m in by_clip.get((case, meth), {}) else "–"
                for m in metrics
            ],
        ]
        for case in run.samples
        for meth in methods
        if (case, meth) in by_clip
    ]
    lines = [
        "## Per video",
        "",
        "Each clip's metrics (its frames are strongly correlated, so the intervals above "
        "are over clips, not frames).",
        "",
        _table(["clip", "method", *[METRICS[m][0] for m in metrics]], rows),
        "",
        "## Contact sheets",
        "",
        "Per clip: driving | generated | static photo, at evenly spaced frames (t = frame index).",
        "",
    ]
    for case, sample in run.samples.items():
        name = _slug(case)
        contact_sheet([sample], case, sheets / f"{name}.png")
        lines += [f"### {case}", "", f"![{case}](sheets/{name}.png)", ""]
    return lines


def _short(metric: str) -> str:
    """A metric's label without its direction arrow."""
    return METRICS[metric][0].rstrip(" ↑↓")


def _doc(module: Any) -> str:
    return (module.__doc__ or "").strip()


def _json_value(v: float) -> float | str:
    return str(v) if isinstance(v, float) and math.isinf(v) else v


def _setup_section(run: EvalRun) -> list[str]:
    """The title and the run's settings."""
    return [
        f"# Evaluation: `{run.model}` on the {run.suite} suite",
        "",
        "## Setup",
        "",
        _table(["", ""], ([k, str(v)] for k, v in run.info.items())),
        "",
    ]


def _summary_section(run: EvalRun, summaries: Sequence[Summary], shown: Sequence[str]) -> list[str]:
    """Ours against the baselines per style on the primary metrics, and the ranking on the first of them."""
    table = lookup(summaries)
    compared, main = run.compared, shown[0]
    baselines = [m for m in (STATIC, BOX_FOLLOW) if m in run.methods]
    beats = {m: wins(summaries, run.model, baselines, m) for m in shown}
    header = (
        ["style", "clips"]
        + [f"{METRICS[m][0]} {meth}" for m in shown for meth in compared]
        + ["beats every baseline on"]
    )
    body = []
    for style in [*run.styles, "all"]:
        n = table[(run.model, style, main)].n
        cells = [
            fmt(m, table[(meth, style, m)].mean) if (meth, style, m) in table else "–"
            for m in shown
            for meth in compared
        ]
        won = [_short(m) for m in shown if style in beats[m] and beats[m][style]]
        verdict = "" if style == "all" else (", ".join(won) or "**none**")
        body.append([style if style != "all" else "**all**", str(n), *cells, verdict])
    counts = [f"{_short(m)} in {sum(beats[m].values())}" for m in shown[1:]]
    ranking = [s for s in rank(summaries, main) if s.method in compared]
    return [
        "## Summary",
        "",
        f"`{run.model}` against the baselines ({', '.join(baselines)}), mean per style "
        f"over clips. `{run.model}` beats every baseline on {METRICS[main][0]} in "
        f"**{sum(beats[main].values())} of {len(beats[main])} styles**"
        + (f" (on {', '.join(counts)} of them)." if counts else "."),
        "",
        _table(header, body),
        "",
        "Ranking on "
        + METRICS[main][0]
        + " over all clips: "
        + " > ".join(f"{s.method} ({fmt(main, s.mean)})" for s in ranking)
        + ".",
        "",
    ]


def _metrics_section(
    run: EvalRun, summaries: Sequence[Summary], metrics: Sequence[str], plots: Path
) -> list[str]:
    """Every metric per style with its interval, and its plot."""
    table = lookup(summaries)
    lines = [
        "## Metrics per style",
        "",
        "Mean [95% CI] over clips (Student t); PSNR means count ∞ as "
        "100 dB. 'ground truth' is the expected video measured like a result: the floor of the "
        "identity and motion measures. The static photo scores 0 on identity distance and excess flicker "
        "by construction (it never changes): read those two next to the motion error.",
        "",
    ]
    for metric in metrics:
        present = [m for m in run.methods if any(s.method == m and s.metric == metric for s in summaries)]
        plot_metric(summaries, metric, present, run.styles, plots / f"{metric}.png")
        rows = []
        for style in [*run.styles, "all"]:
            cells = []
            for meth in present:
                s = table.get((meth, style, metric))
                cells.append(
                    "–"
                    if s is None
                    else f"{fmt(metric, s.mean)} [{fmt(metric, s.low)}, {fmt(metric, s.high)}]"
                )
            rows.append([style, *cells])
        lines += [
            f"### {METRICS[metric][0]}",
            "",
            _table(["style", *present], rows),
            "",
            f"![{metric}](plots/{metric}.png)",
            "",
        ]
    return lines


def _consistency_section(spreads: Sequence[Consistency]) -> list[str]:
    """How much each method's metrics vary from style to style."""
    return [
        "## Consistency across styles",
        "",
        "Spread = best minus worst style mean; std = standard deviation "
        "of the style means. Smaller is more consistent.",
        "",
        _table(
            ["metric", "method", "spread", "std", "worst style", "worst", "best"],
            (
                [
                    METRICS[c.metric][0],
                    c.method,
                    fmt(c.metric, c.spread),
                    fmt(c.metric, c.std),
                    c.worst_style,
                    fmt(c.metric, c.worst),
                    fmt(c.metric, c.best),
                ]
                for c in spreads
            ),
        ),
        "",
    ]


def _worst_section(run: EvalRun, main: str, metrics: Sequence[str], sheets: Path) -> list[str]:
    """The model's three worst cases on the primary metric, and their contact sheet."""
    ours = [r for r in run.results if r.method == run.model and main in r.metrics]
    worst = sorted(ours, key=lambda r: r.metrics[main], reverse=not METRICS[main][1])[:3]
    worst_sheet([run.samples[r.case] for r in worst], sheets / "worst.png")
    return [
        "## Worst cases",
        "",
        f"The {len(worst)} cases where `{run.model}` scores worst on {METRICS[main][0]}:",
        "",
        _table(
            ["case", "style", *[METRICS[m][0] for m in metrics]],
            (
                [r.case, r.style, *[fmt(m, r.metrics[m]) if m in r.metrics else "–" for m in metrics]]
                for r in worst
            ),
        ),
        "",
        "![worst cases](sheets/worst.png)",
        "",
    ]


def _contact_sheets_section(run: EvalRun, sheets: Path) -> list[str]:
    """A contact sheet per style, of its first two cases."""
    lines = [
        "## Contact sheets",
        "",
        "Per style: photo | dance | result | expected | box follow, at evenly spaced frames.",
        "",
    ]
    for style in run.styles:
        samples = [s for s in run.samples.values() if s.style == style][:2]
        contact_sheet(samples, style, sheets / f"{style}.png")
        lines += [f"### {style}", "", f"![{style}](sheets/{style}.png)", ""]
    return lines


def _definitions_section(run: EvalRun) -> list[str]:
    """The run's notes and the definitions of the metrics, baselines and intervals."""
    return [
        "## Definitions and notes",
        "",
        *[f"- {note}" for note in run.notes],
        "",
        "### Metrics",
        "",
        _doc(metric_defs),
        "",
        "### Baselines",
        "",
        _doc(baseline_defs),
        "",
        "### Intervals",
        "",
        _doc(stats_defs),
        "",
    ]


def _write_results(
    path: Path, run: EvalRun, summaries: Sequence[Summary], spreads: Sequence[Consistency], peer: dict
) -> None:
    """results.json: setup, notes, summaries, consistency, peer review and every clip's metrics."""
    data = {
        "info": run.info,
        "notes": run.notes,
        "summaries": [s.__dict__ for s in summaries],
        "consistency": [c.__dict__ for c in spreads],
        "peer_review": peer,
        "clips": [
            {
                "case": r.case,
                "style": r.style,
                "method": r.method,
                "metrics": {k: _json_value(v) for k, v in r.metrics.items()},
            }
            for r in run.results
        ],
    }
    _write_text(path, json.dumps(data, indent=1, ensure_ascii=False))


def _write_clips_csv(path: Path, run: EvalRun, metrics: Sequence[str]) -> None:
    """clips.csv: one line per clip and method."""

    def write_csv(target: Path) -> None:
        with open(target, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["case", "style", "method", *metrics])
            for r in run.results:
                w.writerow([r.case, r.style, r.method, *[r.metrics.get(m, "") for m in metrics]])

    _atomic_write(path, write_csv)


def write_report(
    run: EvalRun,
    out_dir: str | Path,
    ratings: Sequence[Any] | None = None,
    ratings_db: str | None = None,
    clip_styles: dict[str, str] | None = None,
) -> Path:
    """Write the whole report folder for an evaluation run; returns the path of report.md."""
    out = Path(out_dir)
    plots, sheets = out / "plots", out / "sheets"
    for d in (out, plots, sheets):
        d.mkdir(parents=True, exist_ok=True)
    summaries = summarise(run.results)
    shown = primary_metrics(run)
    all_metrics = [m for m in METRICS if any(m in r.metrics for r in run.results)]
    order = {m: i for i, m in enumerate([*METRICS, *run.methods])}
    spreads = sorted(consistency(summaries), key=lambda c: (order[c.metric], order[c.method]))

    lines = [
        *_setup_section(run),
        *_summary_section(run, summaries, shown),
        *_metrics_section(run, summaries, all_metrics, plots),
        *_consistency_section(spreads),
        *_worst_section(run, shown[0], all_metrics, sheets),
    ]
    if all(s.kind == "self" for s in run.samples.values()):
        lines += _per_clip_section(run, run.compared, all_metrics, sheets)
    else:
        lines += _contact_sheets_section(run, sheets)
    peer_lines, peer_data = _peer_section(ratings, clip_styles or {}, ratings_db, plots)
    lines += [*peer_lines, "", *_definitions_section(run)]

    _write_text(out / "report.md", "\n".join(lines))
    _write_results(out / "results.json", run, summaries, spreads, peer_data)
    _write_clips_csv(out / "clips.csv", run, all_metrics)
    return out / "report.md"


COMPARED_METRICS = ("l1", "person_l1", "ssim", "motion", "identity", "flicker")


def write_comparison(runs: dict[str, EvalRun], out_dir: str | Path) -> Path:
    """A report folder per run (OUT/NAME/) and OUT/comparison.md + comparison.json: the model's metrics per
    style under each run side by side; returns the path of comparison.md."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = {}
    for name, run in runs.items():
        write_report(run, out / _slug(name))
        tables[name] = lookup(summarise(run.results))
    first = next(iter(runs.values()))
    model, styles = first.model, first.styles
    lines = [
        f"# `{model}`: the built-in suite under each set of defaults",
        "",
        "Each case is rendered through the pipeline (plan_render + render, as an upload is) and compared with the "
        "ground truth cut by the same framing. Mean [95% CI] over clips per style; the full reports are in "
        "the sub-folders: " + ", ".join(f"[{n}]({_slug(n)}/report.md)" for n in runs) + ".",
        "",
    ]
    data: dict[str, Any] = {"model": model, "runs": {n: r.info for n, r in runs.items()}, "metrics": {}}
    for metric in COMPARED_METRICS:
        if not any((model, "all", metric) in t for t in tables.values()):
            continue
        rows = []
        for style in [*styles, "all"]:
            cells = []
            for name, table in tables.items():
                s = table.get((model, style, metric))
                cells.append(
                    "–"
                    if s is None
                    else f"{fmt(metric, s.mean)} [{fmt(metric, s.low)}, {fmt(metric, s.high)}]"
                )
                if s is not None:
                    data["metrics"].setdefault(metric, {}).setdefault(style, {})[name] = s.__dict__
            rows.append(["**all**" if style == "all" else style, *cells])
        lines += [f"## {METRICS[metric][0]}", "", _table(["style", *runs], rows), ""]
    lines += (
        ["## Notes", ""] + [f"- {name}: {note}" for name, run in runs.items() for note in run.notes] + [""]
    )
    _write_text(out / "comparison.md", "\n".join(lines))
    _write_text(out / "comparison.json", json.dumps(data, indent=1, ensure_ascii=False))
    return out / "comparison.md"
