"""The verdict: an equivalence test on the paired per-seed deltas of the claimed metric.

Each seed trains both arms from the same start, so ``delta_s = treatment_s − baseline_s``
are paired differences. Their two-sided Student-t interval at the spec's confidence is
compared with the band ``claimed ± tolerance`` (two one-sided tests, TOST):

* ``replicated``: the interval lies inside the band — the effect is equivalent to the claim;
* ``not_replicated``: the interval lies entirely outside the band;
* ``inconclusive``: the interval straddles an edge of the band (or there is one seed, so
  no interval) — more seeds are needed; `seeds_to_settle` estimates how many.

A wide interval from noisy seeds can never count as a replication: noise widens the
interval, which then leaves the band.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from replication.result import EffectEstimate, Verdict

MAX_SEEDS_TO_SUGGEST = 1000

VERDICT_RULE = (
    "Paired per-seed deltas d_s = treatment − baseline of the claimed metric; a two-sided Student-t "
    "interval of their mean at the spec's confidence (df = seeds − 1) is compared with the band "
    "claimed ± tolerance (equivalence test, TOST): 'replicated' when the interval lies inside the band, "
    "'not_replicated' when it lies entirely outside it, 'inconclusive' otherwise or with a single seed. "
    "Tasks where an arm is degenerate (majority class, chance, a flat loss, a score of 0) are left out "
    "of the metric, which is then named '<metric> without <tasks>'; when the claimed metric is a "
    "left-out task, or every task it averages is left out, the verdict is 'inconclusive'."
)


def t_interval(deltas: list[float], confidence: float) -> tuple[float, float | None, float | None, float | None]:
    """Mean, sample standard deviation and the two-sided t interval (``None`` for one value)."""
    n = len(deltas)
    mean = float(np.mean(deltas))
    if n < 2:
        return mean, None, None, None
    std = float(np.std(deltas, ddof=1))
    half = _t(confidence, n) * std / math.sqrt(n)
    return mean, std, mean - half, mean + half


def _t(confidence: float, n: int) -> float:
    return float(stats.t.ppf((1 + confidence) / 2, df=n - 1))


def estimate_effect(deltas: list[float], metric: str, claimed: float, tolerance: float, confidence: float) -> EffectEstimate:
    """Mean delta over seeds with its t interval and the seeds likely to settle the verdict."""
    mean, std, lo, hi = t_interval(deltas, confidence)
    n = len(deltas)
    method = (
        f"Student-t {confidence:.0%} interval over {n} paired seeds (treatment − baseline)"
        if n > 1 else "one seed: no variance across seeds, so no interval"
    )
    effect = EffectEstimate(
        metric=metric, claimed_delta=claimed, tolerance=tolerance, confidence=confidence, deltas=list(deltas),
        n_seeds=n, mean=mean, std=std, ci_low=lo, ci_high=hi, method=method,
    )
    if decide(effect)[0] == "inconclusive":
        effect.seeds_to_settle = seeds_to_settle(effect)
    return effect


def seeds_to_settle(effect: EffectEstimate) -> int | None:
    """The fewest seeds whose interval, with the observed mean and spread, would clear the
    nearest band edge (inside when the mean is inside the band, outside otherwise).

    An estimate, not a promise: mean and spread are themselves uncertain. ``None`` without
    a spread (one seed), when the mean sits on a band edge, or beyond `MAX_SEEDS_TO_SUGGEST`.
    """
    if effect.std is None:
        return None
    lo_band, hi_band = effect.claimed_delta - effect.tolerance, effect.claimed_delta + effect.tolerance
    margin = min(abs(effect.mean - lo_band), abs(effect.mean - hi_band))
    if margin == 0:
        return None
    if effect.std == 0:
        return max(2, effect.n_seeds)
    for n in range(max(2, effect.n_seeds), MAX_SEEDS_TO_SUGGEST + 1):
        if _t(effect.confidence, n) * effect.std / math.sqrt(n) < margin:
            return n
    return None


def decide(effect: EffectEstimate) -> tuple[Verdict, str]:
    """The verdict of `VERDICT_RULE` and a sentence saying why."""
    lo_band, hi_band = effect.claimed_delta - effect.tolerance, effect.claimed_delta + effect.tolerance
    band = f"the claimed band {effect.claimed_delta:+.2f} ± {effect.tolerance:.2f} = [{lo_band:+.2f}, {hi_band:+.2f}]"
    measured = f"measured {effect.mean:+.2f}"
    if effect.ci_low is None or effect.ci_high is None:
        inside = "inside" if lo_band <= effect.mean <= hi_band else "outside"
        return "inconclusive", (
            f"one seed: {measured} ({inside} {band}), but a single seed gives no interval; run at least 3 seeds"
        )
    lo, hi = effect.ci_low, effect.ci_high
    ci = f"{effect.confidence:.0%} CI [{lo:+.2f}, {hi:+.2f}] over {effect.n_seeds} seeds"
    if lo_band <= lo and hi <= hi_band:
        return "replicated", f"{measured}, {ci} lies inside {band}"
    if hi < lo_band or lo > hi_band:
        side = "below" if hi < lo_band else "above"
        return "not_replicated", f"{measured}, {ci} lies entirely {side} {band}"
    return "inconclusive", f"{measured}, {ci} straddles an edge of {band}"


def settle_hint(effect: EffectEstimate) -> str:
    """What would settle an inconclusive verdict, in words."""
    if effect.std is None:
        return "run at least 3 seeds to get an interval"
    n = effect.seeds_to_settle
    if n is None:
        return (f"with the observed spread (sd {effect.std:.2f}) no reasonable number of seeds settles it; "
                "widen the tolerance only if the claim allows it")
    return f"about {n} seeds would likely settle it, given the observed spread (sd {effect.std:.2f})"
