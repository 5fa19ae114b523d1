"""Claim text → `ReplicationSpec`, or a precise reason why the claim cannot be replicated.

Rules, applied in order:

1. The effect size: numbers after an effect word ("improves", "improvement of",
   "gains", "drops", …). Counts ("9 tasks", "two target tasks"), years and model
   names are not effects. No effect number → not replicable ("no quantity").
2. Post-hoc selections ("the best performing models for each target task") pick the
   treatment after seeing results; a single treatment arm cannot measure them.
3. Intermediate tasks: names or aliases from the registry; "all 9 tasks" /
   "all nine" / "multi-task … all" means the paper's nine, trained jointly.
   No intermediate task → not replicable (nothing to compare the baseline with).
4. Targets: target tasks named in the claim (then the metric is that task's
   ``avg_metric``, or the category score when the named tasks make up a whole
   category); none named or "XTREME" → every XTREME target, metric
   ``overall.all_task`` (the XTREME average).
5. One effect number per spec. A claim pairing several intermediate tasks with
   several numbers ("SQuAD, MNLI and HellaSwag … 8.2, 7.5 and 7.0") is several
   claims: `derive_spec` says so, `derive_specs` returns one spec per pair.

Assumptions (target chosen by default, truncated text) are written to ``spec.notes``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from replication.spec import (
    ClaimedEffect,
    IntermediateSpec,
    NotReplicableError,
    ReplicationSpec,
    TargetSpec,
)
from replication.tasks import PAPER_INTERMEDIATE_TASKS, Task, all_tasks, benchmark_tasks

_NUMBER = r"\d+(?:\.\d+)?"
_EFFECT_WORDS = re.compile(
    r"\b(improv\w*|gain\w*|increas\w*|boost\w*|outperform\w*|better|drop\w*|decreas\w*|degrad\w*|hurt\w*|los(?:s|es|ing)|declin\w*)\b",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(r"\b(drop\w*|decreas\w*|degrad\w*|hurt\w*|los(?:s|es|ing)|declin\w*)\b", re.IGNORECASE)
_COUNT_NOUNS = r"(?:tasks?|languages?|papers?|layers?|epochs?|models?|seeds?|runs?|datasets?|benchmarks?|claims?|examples?|steps?)"
_COUNT = re.compile(rf"\b(?:all\s+)?({_NUMBER})\s+(?:[\w-]+\s+){{0,2}}{_COUNT_NOUNS}\b", re.IGNORECASE)
_NUMBER_WORDS = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b", re.IGNORECASE
)
_ALL_TASKS = re.compile(r"\ball\s+(?:9|nine)\b|\bmulti-?task\b[^.]*\ball\b", re.IGNORECASE)
_SQUAD_VERSION = re.compile(r"\bsquad[\s_-]*v?\s*([12])(?:\.[01])?(?!\w|\.\d)", re.IGNORECASE)
_BARE_SQUAD = re.compile(r"\bsquad\b(?![\s_-]*v?\s*(?:1|2)(?:\.\d)?\b)", re.IGNORECASE)
_SELECTION = re.compile(r"\bbest[- ]performing\b[^.]*\b(?:each|every|per)\b|\bbest\b[^.]*\bfor each\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Parsed:
    effects: list[float]
    intermediates: list[str]
    multi_task_all: bool
    targets: list[Task]
    notes: list[str]


def derive_spec(claim_text: str, **overrides: Any) -> ReplicationSpec:
    """The spec measuring the claim's single effect; `NotReplicableError` otherwise.

    ``overrides`` are spec fields (e.g. ``data_dir``, ``seeds``, ``model``) set on the result.
    """
    parsed = _parse(claim_text)
    if len(parsed.effects) > 1:
        pairs = _pairs(parsed)
        listing = ", ".join(f"{task} {delta:+g}" for task, delta in pairs) if pairs else ", ".join(
            f"{d:+g}" for d in parsed.effects
        )
        raise NotReplicableError(
            f"several effects in one claim ({listing}): a spec measures one effect; "
            "replicate each effect as its own claim"
            if pairs
            else f"several effect sizes ({listing}) and no way to tell which one belongs to which comparison"
        )
    return _build(claim_text, parsed, parsed.intermediates, parsed.effects[0], overrides)


def derive_specs(claim_text: str, **overrides: Any) -> list[ReplicationSpec]:
    """One spec per (intermediate task, effect) pair of the claim (a list of one for a single effect)."""
    parsed = _parse(claim_text)
    if len(parsed.effects) == 1:
        return [_build(claim_text, parsed, parsed.intermediates, parsed.effects[0], overrides)]
    pairs = _pairs(parsed)
    if not pairs:
        raise NotReplicableError(
            f"{len(parsed.effects)} effect sizes but {len(parsed.intermediates)} intermediate tasks: cannot pair them"
        )
    return [_build(claim_text, parsed, [task], delta, overrides) for task, delta in pairs]


def _pairs(parsed: _Parsed) -> list[tuple[str, float]]:
    if parsed.multi_task_all or len(parsed.intermediates) != len(parsed.effects):
        return []
    return list(zip(parsed.intermediates, parsed.effects, strict=True))


def _parse(text: str) -> _Parsed:
    text = " ".join(text.split())
    if not text:
        raise NotReplicableError("empty claim text")
    if _SELECTION.search(text):
        raise NotReplicableError(
            "post-hoc selection: the effect is that of the best intermediate configuration chosen per "
            "target task after seeing the results; one treatment arm cannot measure it (replicate the "
            "per-intermediate-task claims instead)"
        )
    effects = _effects(text)
    if not effects:
        counts = [m.group(0) for m in _COUNT.finditer(text)] + [m.group(0) for m in _NUMBER_WORDS.finditer(text)]
        found = f" (the numbers present count things: {', '.join(repr(c) for c in counts)})" if counts else ""
        raise NotReplicableError(f"no quantity: the claim states no effect size to measure{found}")

    notes: list[str] = []
    multi_all = bool(_ALL_TASKS.search(text))
    intermediates = list(PAPER_INTERMEDIATE_TASKS) if multi_all else _mentioned(text, intermediate=True)
    if not intermediates:
        raise NotReplicableError(
            "no intermediate task: the claim names no known intermediate task (known: "
            + ", ".join(PAPER_INTERMEDIATE_TASKS)
            + "), so there is no treatment to compare with the baseline"
        )
    targets = _mentioned_targets(text)
    if not re.search(r"[.!?)]\s*$", text):
        notes.append("claim text looks truncated: quantities and targets are read from the visible part only")
    return _Parsed(effects, intermediates, multi_all, targets, notes)


def _effects(text: str) -> list[float]:
    """Effect sizes: numbers after the first effect word that are not counts."""
    text = _SQUAD_VERSION.sub(lambda m: f"squad_v{m.group(1)}", text)  # a version is not an effect
    match = _EFFECT_WORDS.search(text)
    if match is None:
        return []
    tail = text[match.start():]
    counted = {m.span(1) for m in _COUNT.finditer(tail)}
    sign = -1.0 if _NEGATIVE.match(match.group(0)) else 1.0
    values = []
    for m in re.finditer(rf"(?<![\w.-]){_NUMBER}(?![\w.])", tail):
        if m.span() in counted or 1900 <= float(m.group()) <= 2100:
            continue
        values.append(sign * float(m.group()))
    return values


def _mentioned(text: str, *, intermediate: bool) -> list[str]:
    """Registry tasks whose name, alias or display name occurs as a word, in text order."""
    text = _SQUAD_VERSION.sub(lambda m: f"squad_v{m.group(1)}", text)  # "SQuAD 2.0" is not "SQuAD"
    found: list[tuple[int, str]] = []
    for task in all_tasks():
        if task.is_intermediate != intermediate:
            continue
        for key in {task.name, task.display_name, *task.aliases}:
            m = re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text, re.IGNORECASE)
            if m:
                found.append((m.start(), task.name))
                break
    seen: list[str] = []
    for _, name in sorted(found):
        if name not in seen:
            seen.append(name)
    return seen


def _mentioned_targets(text: str) -> list[Task]:
    by_name = {t.name: t for t in benchmark_tasks("xtreme")}
    return [by_name[n] for n in _mentioned(text, intermediate=False) if n in by_name]


def _build(text: str, parsed: _Parsed, intermediates: list[str], delta: float, overrides: dict[str, Any]) -> ReplicationSpec:
    notes = list(parsed.notes)
    if "squad_v1" in intermediates and not parsed.multi_task_all and _BARE_SQUAD.search(text):
        notes.append(
            "'SQuAD' without a version read as SQuAD v1.1; the paper also trains on SQuAD v2.0 "
            "(set intermediate.tasks to squad_v2 if that is the run meant)"
        )
    xtreme = benchmark_tasks("xtreme")
    if parsed.targets:
        targets = parsed.targets
        names = {t.name for t in targets}
        category = {t.category for t in targets}
        whole_category = len(category) == 1 and names == {t.name for t in xtreme if t.category in category}
        if len(targets) == 1:
            metric = f"tasks.{targets[0].name}.avg_metric"
        elif whole_category:
            metric = f"overall.{category.pop()}"
        else:
            raise NotReplicableError(
                f"the effect refers to several targets ({', '.join(sorted(names))}) that are not one "
                "XTREME category, and the claim does not say how they are combined"
            )
    else:
        targets = xtreme
        metric = "overall.all_task"
        notes.append("no target task named: measured on the XTREME average over all nine targets")
    name = "+".join(intermediates) if len(intermediates) <= 3 else f"multitask-{len(intermediates)}"
    spec = ReplicationSpec(
        name=f"{name}-vs-baseline",
        intermediate=IntermediateSpec(tasks=intermediates),
        targets=[TargetSpec(task=t.name) for t in targets],
        claimed_effect=ClaimedEffect(metric=metric, delta=delta),
        source_claim=text,
        notes=notes,
    )
    if overrides:
        spec = ReplicationSpec.model_validate({**spec.model_dump(), **overrides})
    return spec
