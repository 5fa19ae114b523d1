"""Verify one claim against the passages of a set of source versions.

Per source version: retrieve the top passages (BM25 + dense), run the deterministic checks on
each, judge the claim against a window of the best passages (NLI when a model is configured,
the checks alone otherwise), then let the checks override what no model may decide (a missing
or different number is never support). Sources are aggregated by :mod:`verifier.verdict`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from verifier.calibration import TemperatureCalibrator
from verifier.confidence import PACKAGED_CHECKS_ONLY, ConfidenceCalibrator
from verifier.checks import CheckResult, check
from verifier.claims import ClaimAnalysis, analyze, complete_claim
from verifier.contrast import direction_contrast, flipped_claim
from verifier.correctness import CORRECTNESS_FILE, CorrectnessModel, confidence_features
from verifier.nli import NLIModel
from verifier.passages import Passage, is_heading
from verifier.retrieval import Embedder, Hit, IndexCache
from verifier.stance_head import (
    HEAD_CONFIDENCE_FILE, StanceHead, head_is_folder, settled_by_checks, source_features,
)
from verifier.verdict import (
    LABELS, UNCHECKED, EvidenceItem, SourceJudgement, Verdict, aggregate_sources, combine, label_of,
    unchecked_reason, version_notes,
)

VERIFIER_VERSION = "claimtrace-verifier/1.0"
TOP_K = 5  # passages kept as evidence per source
WINDOW = 3  # best passages the stance is judged on
# A stance model's vote is blended with the checks-only stance, not substituted for it.
MODEL_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class SourcePassages:
    """One source version's passages. ``key`` names the version ("2005.13013v2"); ``paper``
    the work it is a version of ("2005.13013"); ``cited`` whether the report cites it."""

    key: str
    passages: Sequence[Passage]
    source_id: int | str | None = None
    paper: str | None = None
    version: int | None = None
    cited: bool = True
    title: str | None = None  # the paper's known title: a passage that is only the title is no evidence


DISABLED_EMBEDDING = frozenset({"none", "off", "bm25"})


def embedding_choice(setting: str | None) -> str | None:
    """The ``embedding_model`` argument of :meth:`VerifierModels.load` for a setting value:
    unset → the packaged MiniLM ("default"), "none"/"off"/"bm25" → no dense retrieval."""
    value = setting or "default"
    return None if value.lower() in DISABLED_EMBEDDING else value


@dataclass(slots=True)
class VerifierModels:
    """The retrieval indexes, the optional NLI model and its calibration."""

    indexes: IndexCache
    nli: NLIModel | None = None
    calibrator: TemperatureCalibrator | None = None
    confidence: ConfidenceCalibrator | None = None
    extra_ids: dict[str, str] = field(default_factory=dict)
    head: StanceHead | None = None
    # Fingerprints of the claims the stance model was trained on (its manifest) and those the
    # calibration was fitted on: evaluation keeps them out of its figures.
    seen_by_model: frozenset[str] = frozenset()
    # With the stance head: the verdict confidence as a learned P(right) (instead of ``confidence``).
    correctness: CorrectnessModel | None = None

    @property
    def seen_by_calibration(self) -> frozenset[str]:
        fitted = self.calibrator.claims if self.calibrator and self.nli else ()
        checks = self.confidence.claims if self.confidence else ()
        stacked = self.correctness.claims if self.correctness else ()
        return frozenset(fitted) | frozenset(checks) | frozenset(stacked)

    @classmethod
    def load(cls, *, cache_dir: Path | None = None, nli_model: str | None = None,
             embedding_model: str | None = "default", calibrate_checks_only: bool = True,
             data_dir: Path | None = None) -> "VerifierModels":
        """Build from settings: ``embedding_model`` "default" is the packaged MiniLM, ``None``
        disables dense retrieval. ``nli_model`` ``None`` means the stance model trained into
        ``data_dir`` (the stance head of ``verifier train-head`` first) when its manifest shows it
        beat checks-only on held-out folds, else checks
        + retrieval only, whose confidences are calibrated by ``<data_dir>/calibration/``
        (``verifier calibrate``) or the packaged calibration."""
        from verifier.manifest import default_head_dir, default_model_dir, load_manifest, usable_by_default

        embedder = None
        if embedding_model == "default":
            embedder = Embedder.default()
        elif embedding_model:
            embedder = Embedder(embedding_model)
        if nli_model is None and data_dir is not None:
            nli_model = next((str(folder) for folder in (default_head_dir(data_dir), default_model_dir(data_dir))
                              if usable_by_default(folder)), None)
        indexes = IndexCache(cache_dir, embedder)
        if nli_model and head_is_folder(nli_model):  # the learned stance head and its calibration
            folder = Path(nli_model)
            head = StanceHead.load(folder)
            correctness = CorrectnessModel.load(folder / CORRECTNESS_FILE) \
                if (folder / CORRECTNESS_FILE).is_file() else None
            confidence = ConfidenceCalibrator.load(folder / HEAD_CONFIDENCE_FILE) \
                if correctness is None and (folder / HEAD_CONFIDENCE_FILE).is_file() else None
            return cls(indexes, None, None, confidence, head=head, seen_by_model=frozenset(head.claims),
                       correctness=correctness)
        nli = NLIModel(nli_model) if nli_model else None
        calibrator, seen = None, frozenset()
        if nli_model and Path(nli_model).is_dir():
            calibrator = TemperatureCalibrator.load(Path(nli_model))
            manifest = load_manifest(Path(nli_model))
            seen = frozenset(manifest.get("claims", {}).get("train", ())) if manifest else frozenset()
        confidence = None
        if nli is None and calibrate_checks_only:
            path = checks_only_calibration_path(data_dir)
            confidence = ConfidenceCalibrator.load(path) if path else None
        return cls(indexes, nli, calibrator, confidence, seen_by_model=seen)

    def model_ids(self) -> dict[str, str | None]:
        """What a stored verification records about the models that produced it."""
        embedder = self.indexes.embedder
        return {
            "verifier": VERIFIER_VERSION,
            "nli": self.nli.model_id if self.nli else None,
            "embedding": embedder.model_id if embedder else None,
            "retrieval": "bm25s+dense-rrf" if embedder else "bm25s",
            "calibration": (self.calibrator.model_id if self.calibrator and self.nli
                            else self.correctness.model_id if self.correctness
                            else self.confidence.model_id if self.confidence else None),
            "stance": "nli+checks" if self.nli else "head+checks" if self.head else "checks-only",
            **({"head": self.head.model_id} if self.head else {}),
            **self.extra_ids,
        }


def checks_only_calibration_path(data_dir: Path | None) -> Path | None:
    """The checks-only calibration in use: the data dir's (``verifier calibrate``), else the
    packaged one."""
    if data_dir is not None and (Path(data_dir) / "calibration" / "checks_only.json").is_file():
        return Path(data_dir) / "calibration" / "checks_only.json"
    return PACKAGED_CHECKS_ONLY if PACKAGED_CHECKS_ONLY.is_file() else None


def _checks_only_probs(window: CheckResult, passages: Sequence[CheckResult]) -> np.ndarray:
    """Stance without a model: a fully stated claim supports, a conflicting one contradicts."""
    contra = max((c.coverage for c in passages if c.contradicts), default=0.0)
    support = max((c.coverage for c in passages if c.states_claim), default=0.0)
    if not support and window.states_claim:
        support = window.coverage * 0.9
    if not support and not contra:
        # Unsettled: the more of the claim the passages cover, the less sure "not enough info" is.
        near = max((c.coverage for c in passages), default=0.0)
        return np.array([0.3 * near, 0.2 * near, 1.0 - 0.5 * near])
    if support and contra <= support:
        contra *= 0.3  # a passage stating the claim outweighs a looser conflicting one
    return combine(0.35 + 0.6 * support if support else 0.0,
                   0.35 + 0.6 * contra if contra else 0.0)


@dataclass(frozen=True, slots=True)
class _Assessment:
    """What retrieval and the checks found for one claim in one source version."""

    hits: list[Hit]
    passage_checks: list[CheckResult]
    body: list[Hit]
    window_hits: list[Hit]
    window_text: str
    window_check: CheckResult | None
    checks_probs: np.ndarray
    contrast: float = 0.0  # best passage similarity to the claim minus to its flipped direction


def _assess(claim: ClaimAnalysis, source: SourcePassages, models: VerifierModels,
            query_vector: np.ndarray | None, top_k: int,
            flipped_vector: np.ndarray | None = None) -> _Assessment:
    index = models.indexes.get(source.key, source.passages)
    hits: list[Hit] = index.search(claim.text, k=top_k, query_vector=query_vector)
    headings = [is_heading(h.passage.text, source.title) for h in hits]
    passage_checks = [replace(check(claim, h.passage.text), heading=True) if heading
                      else check(claim, h.passage.text) for h, heading in zip(hits, headings)]
    body = [h for h, heading in zip(hits, headings) if not heading]
    if not body:
        return _Assessment(hits, passage_checks, body, [], "", None, np.array([0.0, 0.0, 1.0]))
    window_hits = sorted(body[:WINDOW], key=lambda h: h.passage.index)
    window_text = " ".join(h.passage.text for h in window_hits)
    window_check = check(claim, window_text)
    return _Assessment(hits, passage_checks, body, window_hits, window_text, window_check,
                       _checks_only_probs(window_check, passage_checks),
                       direction_contrast(index.embeddings, query_vector, flipped_vector))


def _features(claim: ClaimAnalysis, found: _Assessment) -> np.ndarray:
    body_checks = [c for c in found.passage_checks if not c.heading]
    return source_features(claim, [h.dense for h in found.body], [h.bm25 for h in found.body],
                           body_checks, found.window_text, found.window_check, found.checks_probs)


def stance_features(claim_text: str, source: SourcePassages, models: VerifierModels,
                    *, top_k: int = TOP_K) -> tuple[np.ndarray, bool] | None:
    """The stance head's feature row for ``claim_text`` against ``source`` and whether the
    checks settle it themselves; ``None`` when nothing but titles or headings match."""
    claim = analyze(claim_text.strip())
    query_vector, flipped_vector = query_vectors(models, claim.text)
    found = _assess(claim, source, models, query_vector, top_k, flipped_vector)
    if found.window_check is None:
        return None
    return _features(claim, found), settled_by_checks(found.window_check, found.passage_checks)


def query_vectors(models: VerifierModels, claim_text: str) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The embeddings of ``claim_text`` and, on the stance-head path (whose confidence uses the
    direction contrast), of the claim with its direction flipped; ``None`` for what is not
    needed or without an embedding model."""
    embedder = models.indexes.embedder
    if embedder is None:
        return None, None
    if models.head is None:
        return embedder.encode([claim_text])[0], None
    vectors = embedder.encode([claim_text, flipped_claim(claim_text)])
    return vectors[0], vectors[1]


def judge_source(claim: ClaimAnalysis, source: SourcePassages, models: VerifierModels,
                 query_vector: np.ndarray | None, *, top_k: int = TOP_K,
                 flipped_vector: np.ndarray | None = None) -> SourceJudgement:
    """The verdict of one source version on ``claim`` (``flipped_vector``: the embedding of the
    claim with its direction flipped, see :mod:`verifier.contrast`)."""
    found = _assess(claim, source, models, query_vector, top_k, flipped_vector)
    hits, passage_checks = found.hits, found.passage_checks
    if not hits:
        return SourceJudgement(source.key, source.source_id, source.paper, source.version,
                               source.cited, LABELS[2], (0.0, 0.0, 1.0), (),
                               ("no passages: the source has no extracted text",))
    if found.window_check is None:  # only titles or headings match: nothing states anything about the claim
        evidence = tuple(_evidence(source, h, c, LABELS[2], np.array([0.0, 0.0, 1.0]), in_window=False)
                         for h, c in zip(hits, passage_checks))
        return SourceJudgement(source.key, source.source_id, source.paper, source.version,
                               source.cited, LABELS[2], (0.0, 0.0, 1.0), evidence,
                               ("only titles or headings match the claim",))
    window_hits, window_text, window_check = found.window_hits, found.window_text, found.window_check
    probs = found.checks_probs
    learned = None
    if models.nli is not None:
        model = models.nli.predict([(window_text, claim.text)])[0]
        learned = MODEL_WEIGHT * model + (1.0 - MODEL_WEIGHT) * probs
    if models.head is not None:
        learned = models.head.predict(_features(claim, found))[0]
    if learned is not None:  # a learned stance decides only what the checks leave open
        if settled_by_checks(window_check, passage_checks):  # the checks' label, the model's confidence
            probs = _with_label(learned, label_of(_apply_checks(probs, window_check, passage_checks)))
        else:
            probs = _gate_model(learned, window_check)
    probs = _apply_checks(probs, window_check, passage_checks)
    label = label_of(probs)
    evidence = tuple(
        _evidence(source, hit, result, label, probs, in_window=hit in window_hits)
        for hit, result in zip(hits, passage_checks)
    )
    notes = _notes(label, window_check, passage_checks)
    return SourceJudgement(source.key, source.source_id, source.paper, source.version,
                           source.cited, label, tuple(float(p) for p in probs), evidence, notes,
                           found.contrast)


def _gate_model(probs: np.ndarray, window: CheckResult) -> np.ndarray:
    """What a learned stance may not decide alone: a contradiction needs the evidence on the claim's
    subject (its terms and a named entity in common), every named entity and every condition
    of the claim covered, and a claim without numbers (whether a number conflicts is the
    quantity checks' call: another comparison is neutral, never a conflict)."""
    probs = np.array(probs, dtype=np.float64)
    states_numbers = bool(window.numbers_agree or window.numbers_missing or window.numbers_conflict)
    if not window.on_topic or not window.shares_entity or window.entities_missing or window.numbers_other \
            or states_numbers or window.conditions_unbacked:
        probs[1] = 0.0  # the head's odds of support against not enough info stand
    total = probs.sum()
    return probs / total if total > 0 else np.array([0.0, 0.0, 1.0])


def _with_label(probs: np.ndarray, label: str) -> np.ndarray:
    """``probs`` made to choose ``label``: when the model prefers another label, ``label`` gets
    just the top probability (a disagreement of the model and the checks is a low confidence)."""
    probs = np.array(probs, dtype=np.float64)
    chosen = LABELS.index(label)
    if int(np.argmax(probs)) != chosen:
        probs[chosen] = probs.max() + 1e-3
    return probs / probs.sum()


def _notes(label: str, window: CheckResult, passages: Sequence[CheckResult]) -> tuple[str, ...]:
    """The findings behind ``label``: conflicts for a contradiction, gaps for no support."""
    if label == "supported":
        return ()
    if label == "contradicted":
        conflicts = [n for c in passages if c.contradicts for n in c.conflict_notes()]
        return tuple(dict.fromkeys(conflicts or window.notes()))
    return tuple(dict.fromkeys(window.notes()))


def _apply_checks(probs: np.ndarray, window: CheckResult, passages: Sequence[CheckResult]) -> np.ndarray:
    """The rules no model overrides: conflict → contradiction; anything unbacked → no support."""
    probs = np.array(probs, dtype=np.float64)
    if any(c.contradicts for c in passages) and not any(c.states_claim for c in passages):
        probs[1] += probs[0]
        probs[0] = 0.0
    elif window.blocks_support and not any(c.states_claim for c in passages):
        probs[2] += probs[0]
        probs[0] = 0.0
    return probs / probs.sum()


def _evidence(source: SourcePassages, hit: Hit, result: CheckResult, label: str,
              probs: np.ndarray, *, in_window: bool) -> EvidenceItem:
    if result.heading:
        stance = "neutral"  # a title or heading is never support or contradiction on its own
    elif result.contradicts:
        stance = "contradicts"
    elif result.states_claim or (in_window and label == "supported" and result.on_topic
                                 and not result.numbers_conflict and not result.numbers_other
                                 and not result.polarity_conflict):
        stance = "supports"  # a passage stating another value or the opposite never supports
    elif in_window and label == "contradicted" and result.on_topic:
        stance = "contradicts"
    else:
        stance = "neutral"
    stance_prob = float(probs[{"supports": 0, "contradicts": 1, "neutral": 2}[stance]])
    p = hit.passage
    return EvidenceItem(source.key, source.source_id, source.version, p.index, p.page, p.start,
                        p.end, p.text, hit.score, stance, stance_prob, tuple(result.notes()))


def verify_claim(claim_text: str, sources: Sequence[SourcePassages], models: VerifierModels,
                 *, top_k: int = TOP_K) -> Verdict:
    """Verify ``claim_text`` against ``sources`` (cited versions and other known versions)."""
    claim = analyze(claim_text.strip())
    unreadable = [s.key for s in sources if s.cited and not s.passages]
    n_cited = sum(s.cited for s in sources)
    if len(unreadable) == n_cited:  # no cited source has text: nothing was checked
        return _unchecked(unreadable, n_cited, models)
    sources = [s for s in sources if s.passages]  # a source without text settles nothing
    query_vector, flipped_vector = query_vectors(models, claim.text) if sources else (None, None)
    judgements = [judge_source(claim, s, models, query_vector, top_k=top_k, flipped_vector=flipped_vector)
                  for s in sources]
    probs = aggregate_sources(judgements)
    label = label_of(probs)  # the stance decides the verdict; a calibration only its confidence
    if models.calibrator is not None and models.nli is not None:
        probs = models.calibrator.apply(probs)[0]
    raw = _raw_confidence(models, label, probs)
    if models.correctness is not None:  # a learned P(right) from the verdict's raw probabilities
        features = confidence_features(label, agreeing(probs, label, raw), raw, judgements)
        confidence = models.correctness.probability(features)
    else:
        confidence = _calibrated(models, label, raw)
    probs = agreeing(probs, label, confidence)
    cited = [j for j in judgements if j.cited]
    evidence = sorted((e for j in cited for e in j.evidence), key=_evidence_rank(label))
    others = [e for j in judgements if not j.cited for e in j.evidence[:2]]
    completed = _complete(claim, cited) if claim.truncated else None
    return Verdict(
        label=label,
        confidence=confidence,
        probs=tuple(float(p) for p in probs),
        evidence=evidence + others,
        explanation=_explain(label, claim, cited, models, unreadable),
        version_notes=version_notes(judgements),
        sources=judgements,
        completed_text=completed,
        model_ids=models.model_ids(),
        unread_sources=unreadable,
        cited_sources=n_cited,
    )


def _unchecked(unread: Sequence[str], n_cited: int, models: VerifierModels) -> Verdict:
    """The state of a claim none of whose cited sources has text: no verdict, no confidence."""
    reason = unchecked_reason(n_cited, len(unread))
    listed = f" Sources without text: {', '.join(unread)}." if unread else ""
    return Verdict(label=UNCHECKED, confidence=None, probs=(), evidence=[],
                   explanation=f"unchecked: {reason}.{listed}", model_ids=models.model_ids(),
                   unread_sources=list(unread), cited_sources=n_cited)


def agreeing(probs: np.ndarray, label: str, confidence: float) -> np.ndarray:
    """``probs`` with the verdict's probability set to its calibrated confidence and the rest
    shared in proportion, so the stored probabilities and the confidence agree."""
    probs = np.asarray(probs, dtype=np.float64)
    chosen = LABELS.index(label)
    rest = probs.sum() - probs[chosen]
    out = np.full(3, (1.0 - confidence) / 2) if rest <= 0 else probs / rest * (1.0 - confidence)
    out[chosen] = confidence
    return out


def _raw_confidence(models: VerifierModels, label: str, probs: np.ndarray) -> float:
    """The score that is calibrated into the verdict's confidence: the verdict's probability, or
    with the stance head, for supported/contradicted, how settled the evidence is (1 − P(not
    enough info)), which ranks right against wrong verdicts better than the head's split between
    support and contradiction."""
    if models.head is not None and label != LABELS[2]:
        return float(1.0 - probs[2])
    return float(probs[LABELS.index(label)])


def _calibrated(models: VerifierModels, label: str, confidence: float) -> float:
    """The probability that the verdict is right, where a calibration is known."""
    return models.confidence.apply(label, confidence) if models.confidence else confidence


def _evidence_rank(label: str):
    wanted = {"supported": "supports", "contradicted": "contradicts"}.get(label)
    return lambda e: (e.stance != wanted, -e.stance_prob if e.stance == wanted else 0.0, -e.retrieval_score)


def _complete(claim: ClaimAnalysis, judgements: Sequence[SourceJudgement]) -> str | None:
    ranked = sorted((e for j in judgements for e in j.evidence), key=lambda e: -e.retrieval_score)
    for item in ranked:
        completed = complete_claim(claim.text, item.text)
        if completed:
            return completed
    return None


def _explain(label: str, claim: ClaimAnalysis, cited: Sequence[SourceJudgement],
             models: VerifierModels, unreadable: Sequence[str] = ()) -> str:
    how = (f"stance by NLI model {models.nli.model_id} with deterministic checks" if models.nli
           else f"stance by the learned stance head {models.head.model_id}, gated by the deterministic checks"
           if models.head else "no NLI model configured: stance from deterministic checks and retrieval only")
    missing = (f" Not checked, no text (fetch or attach them): {', '.join(unreadable)}."
               if unreadable else "")
    if label == "not_enough_info":  # the closest any cited source came to settling it
        deciding = max(cited, key=lambda j: (max(j.probs[0], j.probs[1]),
                                             max((e.retrieval_score for e in j.evidence), default=0.0)))
    else:
        deciding = max(cited, key=lambda j: j.probs[LABELS.index(label)])
    findings = "; ".join(deciding.notes[:3])
    text = f"{label.replace('_', ' ')} by {deciding.source_key}"
    if findings:
        text += f" ({findings})"
    if claim.truncated:
        text += "; the claim is truncated, only its visible part was checked"
    return f"{text}. {how}.{missing}"
