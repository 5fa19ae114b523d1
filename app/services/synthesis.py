"""Synthesis export of a report: its supported findings with their evidence (Markdown or JSON)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.services.verdicts import ReportRuns, load_report_runs

MAX_EVIDENCE = 3


def synthesis(session: Session, report_id: int, loaded: ReportRuns | None = None) -> dict:
    """Supported findings of a report (latest verdicts), each with its supporting passages;
    ``loaded`` as for `audit_report`."""
    report, runs = loaded or load_report_runs(session, report_id)
    findings, left_out = [], {"contradicted": 0, "not_enough_info": 0, "unchecked": 0, "unverified": 0}
    for mention in report.mentions:
        run = runs.get(mention.id)
        if run is None or run.verdict != "supported":
            left_out["unverified" if run is None else run.verdict] += 1
            continue
        evidence = [e for e in run.evidence if e.stance == "supports" and e.cited][:MAX_EVIDENCE]
        findings.append({
            "claim_id": mention.claim_id,
            "text": mention.claim.completed_text or mention.claim.text,
            "completed_from_source": bool(mention.claim.completed_text),
            "confidence": run.confidence,
            "verification_id": run.id,
            "version_notes": run.version_notes,
            "evidence": [{"source_id": e.source_id, "source": e.source_key, "version": e.source_version,
                          "page": e.page, "char_start": e.char_start, "char_end": e.char_end,
                          "text": e.text} for e in evidence],
        })
    return {"report_id": report.id, "title": report.title,
            "research_question": report.research_question,
            "findings": findings, "left_out": left_out}


def to_markdown(data: dict) -> str:
    """The synthesis as a Markdown document."""
    lines = [f"# Synthesis: {data['title']}", ""]
    if data.get("research_question"):
        lines += [f"**Research question.** {data['research_question']}", ""]
    lines += ["## Supported findings", ""]
    if not data["findings"]:
        lines += ["No claim of this report is supported by its cited sources.", ""]
    for number, finding in enumerate(data["findings"], 1):
        completed = " (truncated in the report; completed from the source)" if finding.get("completed_from_source") else ""
        lines.append(f"{number}. {finding['text']} (confidence {finding['confidence']:.2f}){completed}")
        for item in finding["evidence"]:
            where = f"arXiv {item['source']}" + (f", p. {item['page']}" if item["page"] else "")
            quote = " ".join(item["text"].split())  # one line: a table passage must stay quoted
            lines.append(f"   > {quote} — {where}")
        for note in finding["version_notes"]:
            lines.append(f"   - version note: {note}")
    left = data["left_out"]
    lines += ["", f"Left out: {left['contradicted']} contradicted, {left['not_enough_info']} "
              f"not settled by the cited sources, {left.get('unchecked', 0)} unchecked (no cited source "
              f"has text), {left['unverified']} not yet verified.", ""]
    return "\n".join(lines)
