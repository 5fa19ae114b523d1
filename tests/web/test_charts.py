"""Server-made SVG charts and evidence highlighting: figures placed right, text escaped, unknown
verdicts drawn generically, replication results read from either result shape."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from app.web.charts import (ConfidencePoint, TaskDelta, VerdictRow, confidence_strip, delta_chart, order_verdicts,
                            verdict_bars, verdict_class, verdict_label)
from app.web.highlight import highlight
from app.web.views import overall_delta, task_deltas

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # well-formed XML, or this raises


def test_verdict_bars_scale_segments_and_escape_labels() -> None:
    rows = [VerdictRow("<script>x</script> A", {"supported": 3, "contradicted": 1}, "/reports/1"),
            VerdictRow("B", {"supported": 2, "unchecked": 2, "weird_new": 4})]
    svg = parse(verdict_bars(rows))
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text == "Verdicts per report"
    assert "<script>" not in str(verdict_bars(rows)).replace("&lt;script&gt;", "")
    widths = {r.find(f"{SVG}title").text: float(r.get("width")) for r in svg.iter(f"{SVG}rect")
              if r.find(f"{SVG}title") is not None}
    assert widths["B: 4 weird new"] == pytest.approx(2 * widths["B: 2 supported"])
    assert widths["<script>x</script> A: 3 supported"] == pytest.approx(3 * widths["<script>x</script> A: 1 contradicted"])
    desc = svg.find(f"{SVG}desc").text
    assert "B: 2 supported, 2 not checked, 4 weird new" in desc
    assert svg.find(f"{SVG}a").get("href") == "/reports/1"


def test_unknown_verdicts_get_safe_classes_and_words() -> None:
    assert verdict_class('evil" onload="x') == "v-evil--onload--x"
    assert verdict_label("unchecked") == "not checked" and verdict_label(None) == "never verified"
    assert verdict_label("partly_true") == "partly true"
    assert order_verdicts(["zeta", "unchecked", "supported"]) == ["supported", "unchecked", "zeta"]


def test_confidence_strip_places_each_claim_at_its_stated_confidence() -> None:
    points = [ConfidencePoint("claim 1", 0.0, "supported"), ConfidencePoint("claim 2", 1.0, "contradicted"),
              ConfidencePoint("claim 3", 0.5, None)]
    svg = parse(confidence_strip(points))
    xs = {c.find(f"{SVG}title").text.split(":")[0]: float(c.get("cx")) for c in svg.iter(f"{SVG}circle")}
    assert xs["claim 3"] == pytest.approx((xs["claim 1"] + xs["claim 2"]) / 2)
    assert "1 never verified (mean stated confidence 50%)" in svg.find(f"{SVG}desc").text


def test_delta_chart_draws_intervals_band_and_missing_values() -> None:
    rows = [TaskDelta("xnli", 2.0, 1.0, 3.0, n_seeds=3), TaskDelta("panx", None),
            TaskDelta("tatoeba", -1.0, included=False)]
    markup = delta_chart(rows, claimed=8.7, tolerance=1.0)
    svg = parse(markup)
    desc = svg.find(f"{SVG}desc").text
    assert desc.startswith("claimed +8.70 ± 1.00")
    assert "xnli: +2.00 [+1.00, +3.00]" in desc and "panx: not measured" in desc
    assert "tatoeba: -1.00 (no interval) (excluded)" in desc
    band = next(r for r in svg.iter(f"{SVG}rect") if r.get("class") == "band")
    whisker = [ln for ln in svg.iter(f"{SVG}line") if "whisker" in (ln.get("class") or "")][0]
    # The interval [1, 3] and the band [7.7, 9.7] both span 2 points: drawn equally wide.
    assert float(whisker.get("x2")) - float(whisker.get("x1")) == pytest.approx(float(band.get("width")))


def test_delta_chart_without_a_claim_or_rows() -> None:
    svg = parse(delta_chart([], claimed=None))
    assert "no claimed delta" in svg.find(f"{SVG}desc").text


def test_highlight_marks_numbers_and_terms_and_escapes_the_rest() -> None:
    html = str(highlight("<b>XLM-R</b> improves accuracy by 5.4 points (from 70.1%).",
                         "Training improves the accuracy by 5.40 points"))
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert '<mark class="num match">5.4</mark>' in html  # the claim's number, written differently
    assert '<mark class="num">70.1%</mark>' in html
    assert '<mark class="term">improves</mark>' in html and '<mark class="term">accuracy</mark>' in html
    assert re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">") == \
        "<b>XLM-R</b> improves accuracy by 5.4 points (from 70.1%)."


def _seed(seed: int, base: float, treat: float) -> dict:
    return {"seed": seed, "arms": {"baseline": {"tasks": {"xnli": {"avg_metric": base}}},
                                   "treatment": {"tasks": {"xnli": {"avg_metric": treat}}}}}


def test_task_deltas_from_the_current_result_shape() -> None:
    result = {"deltas": {"xnli": {"avg_metric": 2.0}, "overall": {"all_task": 2.0}},
              "seeds": [_seed(1, 50, 51), _seed(2, 50, 53)],
              "effect": {"metric": "overall.all_task", "mean": 2.0, "ci_low": -10.7, "ci_high": 14.7,
                         "confidence": 0.95, "n_seeds": 2}}
    (row,) = task_deltas(result)
    assert (row.task, row.mean, row.n_seeds) == ("xnli", 2.0, 2)
    half = 12.706 * math.sqrt(2) / math.sqrt(2)  # t(0.975, 1) * std / sqrt(n), std = sqrt(2)
    assert row.ci_low == pytest.approx(2.0 - half, abs=1e-3) and row.ci_high == pytest.approx(2.0 + half, abs=1e-3)
    assert overall_delta(result).task == "overall (overall.all_task)"


def test_task_deltas_prefer_task_effects_when_present() -> None:
    result = {"task_effects": {"xnli": {"deltas": [1, 2], "mean": 1.5, "ci_low": 0.5, "ci_high": 2.5, "n_seeds": 2,
                                        "included": True},
                               "tatoeba": {"mean": 9.0, "ci_low": None, "ci_high": None, "included": False}},
              "deltas": {"xnli": {"avg_metric": 99.0}}}
    rows = {r.task: r for r in task_deltas(result)}
    assert rows["xnli"].mean == 1.5 and rows["xnli"].ci_low == 0.5
    assert rows["tatoeba"].included is False and rows["tatoeba"].ci_low is None
