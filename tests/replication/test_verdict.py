"""The verdict rule on constructed per-seed deltas: an equivalence test, not an overlap test."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from replication.verdict import VERDICT_RULE, decide, estimate_effect, seeds_to_settle


def verdict_of(deltas: list[float], claimed: float = 8.7, tolerance: float = 1.0, confidence: float = 0.95):
    effect = estimate_effect(deltas, "overall.all_task", claimed, tolerance, confidence)
    return effect, *decide(effect)


def test_noisy_deltas_do_not_count_as_a_replication() -> None:
    """The issue's first case: [3.0, 4.5, 6.5] (mean 4.67) against 8.7 ± 1 used to read 'replicated'."""
    effect, verdict, reason = verdict_of([3.0, 4.5, 6.5])
    assert verdict == "inconclusive" and "straddles an edge" in reason
    assert effect.ci_low < 7.7 < effect.ci_high < 9.7  # reaches into the band, but not inside it
    assert effect.seeds_to_settle is not None and effect.seeds_to_settle > 3


def test_steadier_smaller_deltas_are_not_replicated() -> None:
    """The issue's second case: [2.0, 3.0, 4.5] (mean 3.17): the interval lies below the band."""
    effect, verdict, reason = verdict_of([2.0, 3.0, 4.5])
    assert verdict == "not_replicated" and "entirely below" in reason
    assert effect.ci_high < 7.7 and effect.seeds_to_settle is None


def test_an_interval_inside_the_band_replicates() -> None:
    effect, verdict, reason = verdict_of([8.5, 8.7, 8.9, 8.6, 8.8])
    assert verdict == "replicated" and "lies inside" in reason
    assert 7.7 <= effect.ci_low and effect.ci_high <= 9.7


def test_an_interval_above_the_band_is_not_replicated() -> None:
    assert verdict_of([15.0, 14.0, 16.0])[1] == "not_replicated"
    assert "entirely above" in verdict_of([15.0, 14.0, 16.0])[2]


def test_negative_claims_use_the_same_band() -> None:
    assert verdict_of([-1.2, -1.1, -1.3], claimed=-1.2, tolerance=0.5)[1] == "replicated"
    assert verdict_of([0.1, 0.2, 0.0], claimed=-1.2, tolerance=0.5)[1] == "not_replicated"


def test_one_seed_is_inconclusive_and_asks_for_more() -> None:
    effect, verdict, reason = verdict_of([8.7])
    assert verdict == "inconclusive" and "one seed" in reason and "at least 3 seeds" in reason
    assert effect.ci_low is None and effect.std is None and effect.seeds_to_settle is None


def test_the_interval_is_the_textbook_t_interval() -> None:
    effect = estimate_effect([1.0, 2.0, 3.0], "m", claimed=2.0, tolerance=0.5, confidence=0.95)
    half = 4.302652729911275 / math.sqrt(3)  # t(0.975, df=2) · s / √n with s = 1
    assert effect.std == pytest.approx(1.0)
    assert (effect.ci_low, effect.ci_high) == pytest.approx((2.0 - half, 2.0 + half))


def test_the_confidence_of_the_spec_sets_the_interval() -> None:
    wide = estimate_effect([8.0, 8.6, 9.2], "m", 8.7, 1.0, 0.99)
    narrow = estimate_effect([8.0, 8.6, 9.2], "m", 8.7, 1.0, 0.80)
    assert wide.ci_high - wide.ci_low > narrow.ci_high - narrow.ci_low
    assert decide(narrow)[0] == "replicated" and decide(wide)[0] == "inconclusive"


def test_seeds_to_settle_is_the_first_n_whose_interval_clears_the_nearest_edge() -> None:
    effect = estimate_effect([3.0, 4.5, 6.5], "m", 8.7, 1.0, 0.95)
    n = seeds_to_settle(effect)
    margin = 7.7 - effect.mean  # the mean lies below the band: the interval must end below 7.7
    half = lambda k: stats.t.ppf(0.975, k - 1) * effect.std / math.sqrt(k)  # noqa: E731
    assert half(n) < margin <= half(n - 1)
    # Re-running with n seeds of the same mean and spread would settle it.
    assert decide(effect.model_copy(update={"n_seeds": n, "ci_low": effect.mean - half(n), "ci_high": effect.mean + half(n)}))[0] == "not_replicated"


def test_the_rule_is_written_out() -> None:
    assert "inside the band" in VERDICT_RULE and "entirely outside" in VERDICT_RULE and "degenerate" in VERDICT_RULE
