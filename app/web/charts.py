"""Charts drawn on the server as inline SVG: no chart library, no script, nothing to fetch.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says in words what
it shows, so screen readers and text browsers get the figures too. All text is escaped.

- ``verdict_bars``: one stacked bar per report, a segment per verdict (colour and a legend).
- ``confidence_strip``: each claim's stated confidence (x) in the row of our verdict.
- ``delta_chart``: measured delta per task with its interval against the claimed band.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Known verdicts first in this order; any other verdict string follows in alphabetical order.
VERDICT_ORDER = ("supported", "contradicted", "not_enough_info", "unchecked", "mixed", "unverified",
                 "replicated", "not_replicated", "inconclusive")
VERDICT_LABELS = {"supported": "supported", "contradicted": "contradicted",
                  "not_enough_info": "not enough info", "unchecked": "not checked", "mixed": "mixed",
                  "unverified": "never verified", "replicated": "replicated",
                  "not_replicated": "not replicated", "inconclusive": "inconclusive"}
FONT = 12
ROW = 22


def verdict_label(verdict: str | None) -> str:
    """Human words for a verdict string (unknown ones: underscores become spaces)."""
    if verdict is None:
        return VERDICT_LABELS["unverified"]
    return VERDICT_LABELS.get(verdict, verdict.replace("_", " "))


def verdict_class(verdict: str | None) -> str:
    """A CSS-safe class suffix for a verdict string (``v-supported``...)."""
    name = verdict or "unverified"
    return "v-" + "".join(c if c.isalnum() else "-" for c in name.lower())[:32]


def order_verdicts(verdicts: Iterable[str]) -> list[str]:
    present = set(verdicts)
    known = [v for v in VERDICT_ORDER if v in present]
    return known + sorted(present - set(known))


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _svg(width: int, height: int, title: str, desc: str, body: list[str], css: str) -> Markup:
    return Markup(
        f'<svg class="chart {css}" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{''.join(body)}</svg>")


def _text(x: float, y: float, text: str, *, anchor: str = "start", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{FONT}" text-anchor="{anchor}"{klass}>'
            f"{escape(text)}</text>")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- verdicts per report ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class VerdictRow:
    label: str
    counts: dict[str, int]  # verdict (or "unverified") -> mentions
    href: str | None = None  # where the row's label links to


def verdict_bars(rows: Sequence[VerdictRow], *, title: str = "Verdicts per report",
                 width: int = 640) -> Markup:
    """Stacked horizontal bars: one per row, a segment per verdict, scaled to the largest row."""
    verdicts = order_verdicts(v for row in rows for v, n in row.counts.items() if n)
    label_w, top = 240, 8
    legend_h = ROW
    height = top + legend_h + max(1, len(rows)) * ROW + 8
    biggest = max((sum(r.counts.values()) for r in rows), default=0) or 1
    scale = (width - label_w - 40) / biggest
    body: list[str] = []
    x = label_w
    for verdict in verdicts:  # legend
        body.append(f'<rect x="{x}" y="{top}" width="10" height="10" class="fill {verdict_class(verdict)}"/>')
        body.append(_text(x + 14, top + 9, verdict_label(verdict)))
        x += 24 + 7 * len(verdict_label(verdict))
    if not rows:
        body.append(_text(label_w, top + legend_h + 14, "no reports yet"))
    described = []
    for index, row in enumerate(rows):
        y = top + legend_h + index * ROW
        label = _text(label_w - 6, y + 14, _short(row.label, 34), anchor="end")
        body.append(f'<a href="{escape(row.href)}">{label}</a>' if row.href else label)
        x = float(label_w)
        parts = []
        for verdict in verdicts:
            count = row.counts.get(verdict, 0)
            if not count:
                continue
            w = count * scale
            body.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{ROW - 6}" '
                        f'class="fill {verdict_class(verdict)}"><title>{escape(row.label)}: {count} '
                        f'{escape(verdict_label(verdict))}</title></rect>')
            x += w
            parts.append(f"{count} {verdict_label(verdict)}")
        body.append(_text(x + 4, y + 14, str(sum(row.counts.values())), cls="muted"))
        described.append(f"{row.label}: {', '.join(parts) or 'no claims'}")
    return _svg(width, height, title, "; ".join(described) or "no reports", body, "verdict-bars")


# ---- stated confidence against our verdict ------------------------------------------------

@dataclass(frozen=True, slots=True)
class ConfidencePoint:
    label: str  # e.g. "claim 12"
    stated: float  # the report's confidence, 0..1
    verdict: str | None  # our latest verdict (None: never verified)


def confidence_strip(points: Sequence[ConfidencePoint], *, title: str = "Stated confidence against our verdict",
                     width: int = 640) -> Markup:
    """One row per verdict; each claim a dot at the confidence the report stated for it."""
    verdicts = order_verdicts(p.verdict or "unverified" for p in points) or ["unverified"]
    label_w, right, top = 130, 16, 6
    axis_y = top + len(verdicts) * ROW + 4
    height = axis_y + 30
    span = width - label_w - right

    def px(value: float) -> float:
        return label_w + max(0.0, min(1.0, value)) * span

    body = []
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        body.append(f'<line x1="{px(tick):.1f}" x2="{px(tick):.1f}" y1="{top}" y2="{axis_y}" class="grid"/>')
        body.append(_text(px(tick), axis_y + 14, _fmt(tick * 100) + "%", anchor="middle", cls="muted"))
    body.append(_text(label_w + span / 2, axis_y + 27, "confidence stated by the report", anchor="middle",
                      cls="muted"))
    described = []
    for row, verdict in enumerate(verdicts):
        y = top + row * ROW + ROW / 2
        body.append(_text(label_w - 8, y + 4, verdict_label(verdict), anchor="end"))
        mine = [p for p in points if (p.verdict or "unverified") == verdict]
        for i, point in enumerate(mine):
            jitter = ((i * 7) % 5 - 2) * 2.0  # spread equal values a little
            body.append(f'<circle cx="{px(point.stated):.1f}" cy="{y + jitter:.1f}" r="4.5" '
                        f'class="fill {verdict_class(verdict)} dot"><title>{escape(point.label)}: stated '
                        f'{point.stated:.0%}, ours {escape(verdict_label(verdict))}</title></circle>')
        if mine:
            mean = sum(p.stated for p in mine) / len(mine)
            described.append(f"{len(mine)} {verdict_label(verdict)} (mean stated confidence {mean:.0%})")
    return _svg(width, height, title, "; ".join(described) or "no claims", body, "confidence-strip")


# ---- claimed against measured delta -----------------------------------------------------

@dataclass(frozen=True, slots=True)
class TaskDelta:
    task: str
    mean: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    included: bool = True
    n_seeds: int | None = None


def delta_chart(rows: Sequence[TaskDelta], *, claimed: float | None, tolerance: float | None = None,
                title: str = "Claimed against measured delta", unit: str = "points", width: int = 640) -> Markup:
    """A dot (mean) and whisker (interval) per task; the claimed delta as a line in its tolerance band."""
    values = [v for r in rows for v in (r.mean, r.ci_low, r.ci_high) if v is not None and math.isfinite(v)]
    values += [0.0] + ([claimed - (tolerance or 0), claimed + (tolerance or 0)] if claimed is not None else [])
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or 1.0
    lo, hi = lo - pad, hi + pad
    label_w, right, top = 130, 20, 22
    axis_y = top + max(1, len(rows)) * ROW + 4
    height = axis_y + 30
    span = width - label_w - right

    def px(value: float) -> float:
        return label_w + (value - lo) / (hi - lo) * span

    body = []
    if claimed is not None:
        if tolerance:
            left, rgt = px(claimed - tolerance), px(claimed + tolerance)
            body.append(f'<rect x="{left:.1f}" y="{top}" width="{rgt - left:.1f}" height="{axis_y - top}" '
                        f'class="band"><title>claimed band {claimed - tolerance:+.2f} to '
                        f'{claimed + tolerance:+.2f}</title></rect>')
        body.append(f'<line x1="{px(claimed):.1f}" x2="{px(claimed):.1f}" y1="{top - 4}" y2="{axis_y}" '
                    f'class="claimed"/>')
        body.append(_text(px(claimed), top - 8, f"claimed {claimed:+.2f}", anchor="middle", cls="claimed-label"))
    body.append(f'<line x1="{px(0):.1f}" x2="{px(0):.1f}" y1="{top}" y2="{axis_y}" class="zero"/>')
    for tick in _ticks(lo, hi):
        body.append(_text(px(tick), axis_y + 14, f"{tick:+g}", anchor="middle", cls="muted"))
    body.append(_text(label_w + span / 2, axis_y + 27, f"treatment − baseline ({unit})", anchor="middle",
                      cls="muted"))
    described = []
    for index, row in enumerate(rows):
        y = top + index * ROW + ROW / 2
        cls = "included" if row.included else "excluded"
        name = row.task + ("" if row.included else " (excluded)")
        body.append(_text(label_w - 8, y + 4, _short(name, 20), anchor="end", cls=cls))
        if row.mean is None or not math.isfinite(row.mean):
            body.append(_text(label_w + 4, y + 4, "not measured", cls="muted"))
            described.append(f"{row.task}: not measured")
            continue
        if row.ci_low is not None and row.ci_high is not None:
            body.append(f'<line x1="{px(row.ci_low):.1f}" x2="{px(row.ci_high):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                        f'class="whisker {cls}"/>')
            for end in (row.ci_low, row.ci_high):
                body.append(f'<line x1="{px(end):.1f}" x2="{px(end):.1f}" y1="{y - 5:.1f}" y2="{y + 5:.1f}" '
                            f'class="whisker {cls}"/>')
            interval = f" [{row.ci_low:+.2f}, {row.ci_high:+.2f}]"
        else:
            interval = " (no interval)"
        seeds = f", {row.n_seeds} seeds" if row.n_seeds else ""
        body.append(f'<circle cx="{px(row.mean):.1f}" cy="{y:.1f}" r="5" class="mean {cls}"><title>'
                    f'{escape(row.task)}: {row.mean:+.2f}{interval}{seeds}</title></circle>')
        described.append(f"{row.task}: {row.mean:+.2f}{interval}{'' if row.included else ' (excluded)'}")
    if not rows:
        body.append(_text(label_w + 4, top + 14, "no task measured", cls="muted"))
    claim_words = f"claimed {claimed:+.2f}" + (f" ± {tolerance:.2f}" if tolerance else "") if claimed is not None \
        else "no claimed delta"
    return _svg(width, height, title, f"{claim_words}; " + "; ".join(described), body, "delta-chart")


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values between ``lo`` and ``hi``."""
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / step) * step
    ticks, value = [], first
    while value <= hi + 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks
