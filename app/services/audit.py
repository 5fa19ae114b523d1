"""Report audit: what a report states about itself against what the verifier measured.

Stated vs measured (claims verified, mean confidence), claims no cited source supports, cited
sources no claim relies on, sources off the report's topic, and whether the research question
is addressed by any supported claim. Reads the latest verification of each mention.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.services.audit_input import AuditInput, MentionRecord, RunRecord, audit_input_of, load_audit_input
from app.services.verdicts import ReportRuns
from verifier.claims import analyze, content_terms, named_entities
from verifier.verdict import UNCHECKED, unchecked_reason

# A cited source is off topic when this small a share of its title terms occurs in the report
# (title, research question, claims) and it names none of the report's field entities.
OFF_TOPIC_SHARE = 0.25
# A supported claim addresses the question when it covers this share of the question's terms
# and every benchmark/model the question names.
QUESTION_COVERAGE = 0.3


@dataclass(slots=True)
class ClaimFinding:
    claim_id: int
    mention_id: int
    position: int
    text: str
    stated_verified: bool
    stated_confidence: float
    verdict: str | None
    confidence: float | None


@dataclass(slots=True)
class SourceFinding:
    source_id: int
    key: str
    title: str | None
    status: str
    reason: str


@dataclass(slots=True)
class QuestionFinding:
    question: str | None
    addressed: bool
    supported_claims: list[int] = field(default_factory=list)
    missing_entities: list[str] = field(default_factory=list)
    explanation: str = ""


@dataclass(slots=True)
class Audit:
    report_id: int
    title: str
    stated: dict
    measured: dict
    unsupported_claims: list[ClaimFinding]
    unused_sources: list[SourceFinding]
    off_topic_sources: list[SourceFinding]
    research_question: QuestionFinding


def _finding(mention: MentionRecord, run: RunRecord | None) -> ClaimFinding:
    return ClaimFinding(mention.claim_id, mention.id, mention.position, mention.text,
                        mention.stated_verified, mention.stated_confidence,
                        run.verdict if run else None, run.confidence if run else None)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def audit_report(session: Session, report_id: int, loaded: ReportRuns | None = None) -> Audit:
    """The audit of one report (``NotFoundError`` if it does not exist); ``loaded``: the report
    and its latest verifications when the caller has read them already."""
    return audit_of(audit_input_of(loaded) if loaded else load_audit_input(session, report_id))


def audit_of(data: AuditInput) -> Audit:
    """The audit of a report from what it reads."""
    mentions, runs = data.mentions, data.runs
    findings = [_finding(m, runs.get(m.id)) for m in mentions]
    verified = [f for f in findings if f.verdict not in (None, UNCHECKED)]
    stated = {
        "claims_extracted": data.stated_claims_extracted,
        "claims_verified": data.stated_claims_verified,
        "claims_marked_verified": sum(m.stated_verified for m in mentions),
        "mean_confidence": _mean([m.stated_confidence for m in mentions]),
        "quality_score": data.stated_quality_score,
    }
    measured = {
        "claims": len(mentions),
        "claims_checked": len(verified),
        "claims_supported": sum(f.verdict == "supported" for f in verified),
        "claims_contradicted": sum(f.verdict == "contradicted" for f in verified),
        "claims_not_enough_info": sum(f.verdict == "not_enough_info" for f in verified),
        "claims_unchecked": sum(f.verdict == UNCHECKED for f in findings),
        "mean_confidence": _mean([f.confidence for f in verified if f.confidence is not None]),
        "mean_confidence_supported": _mean([f.confidence for f in verified if f.verdict == "supported"]),
        # Comparable with the stated confidence (that a claim is verified): P(supported).
        "mean_probability_supported": _mean([runs[m.id].probabilities.get("supported", 0.0)
                                             for m in mentions
                                             if m.id in runs and runs[m.id].verdict != UNCHECKED]),
    }
    relied = {source_id for run in runs.values() if run.verdict != "not_enough_info" for source_id in run.relied_on}
    unused = [SourceFinding(s.id, s.key, s.title, s.status, "no claim's verdict relies on this source")
              for s in data.sources if s.id not in relied]
    return Audit(
        report_id=data.report_id,
        title=data.title,
        stated=stated,
        measured=measured,
        unsupported_claims=[f for f in findings if f.verdict != "supported"],
        unused_sources=unused,
        off_topic_sources=_off_topic(data),
        research_question=_question(data.research_question, findings, _unchecked_note(data, findings)),
    )


def _unchecked_note(data: AuditInput, findings: list[ClaimFinding]) -> str:
    """Why claims are unchecked ("0 of 8 cited sources have text: run ..."), or ""."""
    unchecked = sum(f.verdict == UNCHECKED for f in findings)
    if not unchecked:
        return ""
    unread = sum(1 for s in data.sources if not s.passage_count)
    return f"{unchecked} of {len(findings)} claims unchecked: {unchecked_reason(len(data.sources), unread)}"


def _report_topic(data: AuditInput) -> str:
    return " ".join([data.title or "", data.research_question or "", *(m.text for m in data.mentions)])


def _off_topic(data: AuditInput) -> list[SourceFinding]:
    topic = _report_topic(data)
    topic_terms, topic_entities = content_terms(topic), named_entities(topic)
    out = []
    for source in data.sources:
        if not source.title:
            continue  # no metadata yet: nothing to judge
        terms = content_terms(source.title)
        share = len(terms & topic_terms) / len(terms) if terms else 0.0
        entities = named_entities(f"{source.title}. {source.abstract or ''}")
        if share < OFF_TOPIC_SHARE and not (entities & topic_entities):
            out.append(SourceFinding(source.id, source.key, source.title, source.status,
                                     f"only {share:.0%} of its title terms occur in the report"))
    return out


def _question(question: str | None, findings: list[ClaimFinding], unchecked_note: str = "") -> QuestionFinding:
    if not question:
        return QuestionFinding(None, False, explanation="the report states no research question")
    asked = analyze(question)
    named = {e.name for e in asked.entities if e.kind in {"benchmark", "model", "task"}}
    supported = [f for f in findings if f.verdict == "supported"]
    addressing, missing_all = [], set(named)
    for finding in supported:
        terms, entities = content_terms(finding.text), named_entities(finding.text)
        coverage = len(asked.terms & terms) / len(asked.terms) if asked.terms else 0.0
        missing = named - entities
        missing_all &= missing
        if coverage >= QUESTION_COVERAGE and not missing:
            addressing.append(finding.claim_id)
    if addressing:
        explanation = f"{len(addressing)} supported claim(s) address the question"
    elif not supported and unchecked_note and not any(
            f.verdict not in (None, UNCHECKED) for f in findings):
        explanation = f"not checked: {unchecked_note}"
    elif not supported:
        explanation = "no claim of the report is supported by its cited sources"
    else:
        explanation = ("no supported claim addresses the question"
                       + (f"; none mentions {', '.join(sorted(missing_all))}" if missing_all else ""))
    if unchecked_note and not explanation.startswith("not checked"):
        explanation += f"; {unchecked_note}"
    return QuestionFinding(question, bool(addressing), addressing, sorted(missing_all), explanation)
