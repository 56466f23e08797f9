"""Summaries of per-clip metrics: means with 95% confidence intervals per style, consistency across styles, ranks.

Clips are the sampling unit: a style's interval is mean ± t(0.975, n−1)·s/√n over its clips, cut to the
metric's possible range (e.g. L1 ≥ 0, SSIM ≤ 1). Infinite PSNR (identical clips) enters means as `PSNR_CAP` dB;
the per-clip tables still show ∞.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

PSNR_CAP = 100.0

# metric name -> (label, True when higher is better)
METRICS: dict[str, tuple[str, bool]] = {
    "l1": ("L1 ↓", False),
    "person_l1": ("person-region L1 ↓", False),
    "psnr": ("PSNR dB ↑", True),
    "ssim": ("SSIM ↑", True),
    "perceptual": ("perceptual ↓", False),
    "self_l1": ("self-reconstruction L1 ↓", False),
    "akd": ("AKD px ↓", False),
    "mkr": ("MKR ↓", False),
    "flicker": ("excess flicker ↓", False),
    "identity": ("identity distance ↓", False),
    "motion": ("motion error px ↓", False),
}

# metric name -> (lowest, highest) possible value
RANGES: dict[str, tuple[float, float]] = {
    "l1": (0.0, 1.0),
    "person_l1": (0.0, 1.0),
    "psnr": (0.0, PSNR_CAP),
    "ssim": (-1.0, 1.0),
    "perceptual": (0.0, math.inf),
    "self_l1": (0.0, 1.0),
    "akd": (0.0, math.inf),
    "mkr": (0.0, 1.0),
    "flicker": (0.0, 1.0),
    "identity": (0.0, 1.0),
    "motion": (0.0, math.inf),
}

# Student t 0.975 quantiles for 1..30 degrees of freedom; the normal 1.96 beyond.
_T975 = (
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
)


@dataclass
class ClipResult:
    """The metrics of one method on one (photo, dance) case."""

    case: str
    style: str
    method: str
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Summary:
    """Mean and 95% interval of one metric for one method on one style (or "all")."""

    method: str
    style: str
    metric: str
    mean: float
    low: float
    high: float
    n: int


def t975(df: int) -> float:
    """0.975 quantile of Student's t with `df` degrees of freedom."""
    return _T975[df - 1] if 1 <= df <= len(_T975) else 1.96


def _value(metric: str, v: float) -> float:
    return min(v, PSNR_CAP) if metric == "psnr" else v


def mean_ci(values: Sequence[float]) -> tuple[float, float, float]:
    """(mean, low, high) of a 95% t-interval; the interval collapses to the mean for one value."""
    n = len(values)
    m = sum(values) / n
    if n < 2:
        return m, m, m
    s = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))
    half = t975(n - 1) * s / math.sqrt(n)
    return m, m - half, m + half


def better(metric: str, a: float, b: float) -> bool:
    """True when value a is strictly better than b for this metric."""
    return a > b if METRICS[metric][1] else a < b


def summarise(results: Iterable[ClipResult]) -> list[Summary]:
    """One Summary per (method, style, metric), plus style "all" over every clip of the method."""
    groups: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for r in results:
        for metric, v in r.metrics.items():
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            groups[(r.method, r.style, metric)].append(_value(metric, v))
            groups[(r.method, "all", metric)].append(_value(metric, v))
    out = []
    for (method, style, metric), vals in sorted(groups.items()):
        m, low, high = mean_ci(vals)
        lo, hi = RANGES.get(metric, (-math.inf, math.inf))
        out.append(Summary(method, style, metric, m, max(low, lo), min(high, hi), len(vals)))
    return out


def lookup(summaries: Iterable[Summary]) -> dict[tuple[str, str, str], Summary]:
    """Index summaries by (method, style, metric)."""
    return {(s.method, s.style, s.metric): s for s in summaries}


@dataclass(frozen=True)
class Consistency:
    """How one method's metric varies across styles: spread of the style means and the worst style."""

    method: str
    metric: str
    spread: float  # max − min of the style means
    std: float  # population standard deviation of the style means
    worst_style: str
    worst: float
    best: float


def consistency(summaries: Iterable[Summary]) -> list[Consistency]:
    """Spread and worst style per (method, metric) over the per-style means."""
    per: dict[tuple[str, str], list[Summary]] = defaultdict(list)
    for s in summaries:
        if s.style != "all":
            per[(s.method, s.metric)].append(s)
    out = []
    for (method, metric), rows in sorted(per.items()):
        means = [r.mean for r in rows]
        higher = METRICS[metric][1]
        worst = min(rows, key=lambda r: r.mean) if higher else max(rows, key=lambda r: r.mean)
        centre = sum(means) / len(means)
        std = math.sqrt(sum((m - centre) ** 2 for m in means) / len(means))
        out.append(
            Consistency(
                method,
                metric,
                max(means) - min(means),
                std,
                worst.style,
                worst.mean,
                max(means) if higher else min(means),
            )
        )
    return out


def rank(summaries: Iterable[Summary], metric: str, style: str = "all") -> list[Summary]:
    """The methods' summaries of one metric on one style, best first."""
    rows = [s for s in summaries if s.metric == metric and s.style == style]
    return sorted(rows, key=lambda s: -s.mean if METRICS[metric][1] else s.mean)


def wins(summaries: Iterable[Summary], method: str, rivals: Sequence[str], metric: str) -> dict[str, bool]:
    """Per style: does `method` beat every rival on this metric's style mean?"""
    table = lookup(summaries)
    styles = sorted({s for (m, s, k) in table if m == method and k == metric and s != "all"})
    out = {}
    for style in styles:
        ours = table[(method, style, metric)].mean
        out[style] = all(
            better(metric, ours, table[(r, style, metric)].mean)
            for r in rivals
            if (r, style, metric) in table
        )
    return out
