"""Report audit: what a report states about itself against what the verifier measured.

Stated vs measured (claims verified, mean confidence), claims no cited source supports, cited
sources no claim relies on, sources off the report's topic, and whether the research question
is addressed by any supported claim. Reads the latest verification of each mention.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.models import Citation, ClaimMention, Report, Verification
from app.services.verdicts import ReportRuns, load_report_runs
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


def _finding(mention: ClaimMention, run: Verification | None) -> ClaimFinding:
    return ClaimFinding(mention.claim_id, mention.id, mention.position, mention.claim.text,
                        mention.stated_verified, mention.stated_confidence,
                        run.verdict if run else None, run.confidence if run else None)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def audit_report(session: Session, report_id: int, loaded: ReportRuns | None = None) -> Audit:
    """The audit of one report (``NotFoundError`` if it does not exist); ``loaded``: the report
    and its latest verifications when the caller has read them already."""
    report, runs = loaded or load_report_runs(session, report_id)
    mentions = report.mentions
    findings = [_finding(m, runs.get(m.id)) for m in mentions]
    verified = [f for f in findings if f.verdict not in (None, UNCHECKED)]
    stated = {
        "claims_extracted": report.stated_claims_extracted,
        "claims_verified": report.stated_claims_verified,
        "claims_marked_verified": sum(m.stated_verified for m in mentions),
        "mean_confidence": _mean([m.stated_confidence for m in mentions]),
        "quality_score": report.stated_quality_score,
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
    citations = [c for c in report.citations if c.source is not None]
    relied = {e.source_id for run in runs.values() if run.verdict != "not_enough_info"
              for e in run.evidence if e.stance != "neutral" and e.source_id is not None}
    unused = [SourceFinding(c.source.id, c.source.key, c.source.title, c.source.status,
                            "no claim's verdict relies on this source")
              for c in citations if c.source.id not in relied]
    return Audit(
        report_id=report.id,
        title=report.title,
        stated=stated,
        measured=measured,
        unsupported_claims=[f for f in findings if f.verdict != "supported"],
        unused_sources=unused,
        off_topic_sources=_off_topic(report, mentions, citations),
        research_question=_question(report, findings, _unchecked_note(report, findings)),
    )


def _unchecked_note(report: Report, findings: list[ClaimFinding]) -> str:
    """Why claims are unchecked ("0 of 8 cited sources have text: run ..."), or ""."""
    unchecked = sum(f.verdict == UNCHECKED for f in findings)
    if not unchecked:
        return ""
    sources = [c.source for c in report.citations if c.source is not None]
    unread = sum(1 for s in sources if not s.passage_count)
    return f"{unchecked} of {len(findings)} claims unchecked: {unchecked_reason(len(sources), unread)}"


def _report_topic(report: Report, mentions: list[ClaimMention]) -> str:
    return " ".join([report.title or "", report.research_question or "",
                     *(m.claim.text for m in mentions)])


def _off_topic(report: Report, mentions: list[ClaimMention], citations: list[Citation]) -> list[SourceFinding]:
    topic = _report_topic(report, mentions)
    topic_terms, topic_entities = content_terms(topic), named_entities(topic)
    out = []
    for citation in citations:
        source = citation.source
        if not source.title:
            continue  # no metadata yet: nothing to judge
        terms = content_terms(source.title)
        share = len(terms & topic_terms) / len(terms) if terms else 0.0
        entities = named_entities(f"{source.title}. {source.abstract or ''}")
        if share < OFF_TOPIC_SHARE and not (entities & topic_entities):
            out.append(SourceFinding(source.id, source.key, source.title, source.status,
                                     f"only {share:.0%} of its title terms occur in the report"))
    return out


def _question(report: Report, findings: list[ClaimFinding], unchecked_note: str = "") -> QuestionFinding:
    question = report.research_question
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
