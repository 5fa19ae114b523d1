"""Deterministic checks of a claim against one evidence passage; they always run.

They enforce the verdict semantics no model may override: a claim number absent from, or
different from, the evidence is never ``supports``; a different number for the same quantity,
or the opposite direction/negation on the same subject, is ``contradicts``.
"""

from __future__ import annotations

from dataclasses import dataclass

from verifier.claims import ClaimAnalysis, Clause, Quantity, analyze, named_entities

# A passage is "on the subject" of a claim when it covers this share of the claim's terms.
ON_TOPIC_COVERAGE = 0.3
# ... and it "states" the claim (checks-only support) from this share on.
STATES_COVERAGE = 0.6
# A different number only contradicts on the same subject: this share of terms, shared entities.
SAME_SUBJECT_COVERAGE = 0.6
# Two clauses are about the same thing when they share this share of the claim clause's terms.
CLAUSE_MATCH = 0.5


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of the deterministic checks for one (claim, passage) pair."""

    coverage: float
    numbers_agree: tuple[Quantity, ...]
    numbers_missing: tuple[Quantity, ...]
    numbers_conflict: tuple[tuple[Quantity, Quantity], ...]
    entities_missing: tuple[str, ...]
    polarity_conflict: bool
    shares_entity: bool = True
    conditions_unbacked: tuple[str, ...] = ()
    # Claim numbers the passage gives other values for, in another comparison: not a conflict,
    # but such a passage is never offered as support.
    numbers_other: tuple[tuple[Quantity, Quantity], ...] = ()
    heading: bool = False  # a title or section heading: never evidence on its own

    @property
    def on_topic(self) -> bool:
        return self.coverage >= ON_TOPIC_COVERAGE

    @property
    def same_subject(self) -> bool:
        """Close enough that a different number means a different value of the same quantity:
        most of the claim's terms, and at least one of its named entities if it has any."""
        return self.coverage >= SAME_SUBJECT_COVERAGE and self.shares_entity

    @property
    def contradicts(self) -> bool:
        """A different number for the same quantity, or the opposite direction, on topic."""
        if self.heading:
            return False
        if self.numbers_conflict and self.same_subject:
            return True
        return self.on_topic and self.shares_entity and self.polarity_conflict

    @property
    def blocks_support(self) -> bool:
        """Something in the claim the passage does not back: it can never ``support``."""
        return bool(self.heading or self.numbers_missing or self.numbers_conflict
                    or self.entities_missing or self.polarity_conflict or self.conditions_unbacked)

    @property
    def states_claim(self) -> bool:
        """The passage states the claim as far as deterministic checks can tell."""
        return self.coverage >= STATES_COVERAGE and not self.blocks_support

    @property
    def stance(self) -> str:
        """``contradicts``, ``supports`` or ``neutral`` by the checks alone."""
        if self.contradicts:
            return "contradicts"
        return "supports" if self.states_claim else "neutral"

    def conflict_notes(self) -> list[str]:
        """Only the findings that make the passage contradict the claim."""
        out = [f"claim states {c.text.strip()}, evidence states {s.text.strip()}"
               for c, s in self.numbers_conflict] if self.same_subject else []
        if self.polarity_conflict:
            out.append("evidence states the opposite direction or a negation")
        return out

    def notes(self) -> list[str]:
        """Human-readable findings, for the verdict's explanation."""
        out: list[str] = []
        for claimed, stated in self.numbers_conflict:
            out.append(f"claim states {claimed.text.strip()}, evidence states {stated.text.strip()}")
        if self.numbers_missing:
            out.append("evidence does not state " + ", ".join(q.text.strip() for q in self.numbers_missing))
        if self.entities_missing:
            out.append("evidence does not mention " + ", ".join(self.entities_missing))
        if self.polarity_conflict:
            out.append("evidence states the opposite direction or a negation")
        for condition in self.conditions_unbacked:
            out.append(f"evidence does not back \"{condition}\"")
        return out


def coverage(claim: ClaimAnalysis, passage: ClaimAnalysis) -> float:
    """Share of the claim's content terms that the passage contains."""
    if not claim.terms:
        return 0.0
    return len(claim.terms & passage.terms) / len(claim.terms)


def _polarity_conflict(claim: ClaimAnalysis, passage: ClaimAnalysis) -> bool:
    """A claim clause and the passage clause about the same thing go opposite ways. When the
    claim clause names tasks/models/benchmarks/languages, the passage clause must name one of
    them: "no gain on MNLI, SQuAD and HellaSwag" says nothing about TyDiQA and XNLI."""
    for clause in claim.clauses:
        if not clause.terms:
            continue
        match = _best_clause(clause, passage.clauses)
        if match is None or not clause.opposes(match):
            continue
        named = named_entities(clause.text)
        if named and not named & named_entities(match.text):
            continue
        return True
    return False


# A claim clause of at least this many content terms is a condition the evidence must back.
CONDITION_TERMS = 3


def _unbacked_conditions(claim: ClaimAnalysis, passage: ClaimAnalysis) -> tuple[str, ...]:
    """The claim's clauses ("X improves A, whereas B does not benefit") the passage does not
    cover: a claim with several conditions is supported only when each one is backed."""
    if len(claim.clauses) < 2:
        return ()
    return tuple(
        clause.text for clause in claim.clauses
        if len(clause.terms) >= CONDITION_TERMS
        and len(clause.terms & passage.terms) / len(clause.terms) < CLAUSE_MATCH
    )


def _best_clause(clause: Clause, candidates: tuple[Clause, ...]) -> Clause | None:
    best, best_share = None, 0.0
    for candidate in candidates:
        share = len(clause.terms & candidate.terms) / len(clause.terms)
        if share > best_share:
            best, best_share = candidate, share
    return best if best_share >= CLAUSE_MATCH else None


def _rival(quantity: Quantity, candidates: list[Quantity]) -> Quantity | None:
    """The evidence number most plausibly stating ``quantity``'s value differently."""
    comparable = [o for o in candidates if quantity.same_quantity(o)]
    if not comparable:
        return None

    def closeness(other: Quantity) -> tuple:
        return (other.kind == quantity.kind, bool(quantity.unit) and other.unit == quantity.unit,
                len(quantity.context & other.context))

    return max(comparable, key=closeness)


def check(claim: ClaimAnalysis | str, passage: ClaimAnalysis | str) -> CheckResult:
    """Run every deterministic check of ``claim`` against ``passage``."""
    claim = analyze(claim) if isinstance(claim, str) else claim
    passage = analyze(passage) if isinstance(passage, str) else passage
    evidence_numbers = passage.checked_quantities
    agree: list[Quantity] = []
    missing: list[Quantity] = []
    conflict: list[tuple[Quantity, Quantity]] = []
    other: list[tuple[Quantity, Quantity]] = []
    claimed = claim.checked_quantities
    # Evidence numbers that state one of the claim's values are taken; a conflicting claim
    # number is compared with the closest of the others (not a section number or a year).
    taken = {id(o) for o in evidence_numbers if any(q.same_value(o) for q in claimed)}
    for quantity in claimed:
        if any(quantity.same_value(other) for other in evidence_numbers):
            agree.append(quantity)
            continue
        rival = (_rival(quantity, [o for o in evidence_numbers if id(o) not in taken])
                 or _rival(quantity, list(evidence_numbers)))
        if rival is not None:
            conflict.append((quantity, rival))
        else:
            missing.append(quantity)
            loose = [o for o in evidence_numbers if quantity.comparable(o)]
            if loose:
                other.append((quantity, loose[0]))
    return CheckResult(
        coverage=coverage(claim, passage),
        numbers_agree=tuple(agree),
        numbers_missing=tuple(missing),
        numbers_conflict=tuple(conflict),
        entities_missing=tuple(sorted(claim.entity_names - passage.entity_names)),
        polarity_conflict=_polarity_conflict(claim, passage),
        shares_entity=not claim.entity_names or bool(claim.entity_names & passage.entity_names),
        conditions_unbacked=_unbacked_conditions(claim, passage),
        numbers_other=tuple(other),
    )
