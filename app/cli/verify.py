"""`claimtrace verify`, `claimtrace eval-verifier` and `claimtrace verifier train`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli.errors import fail
from app.settings import get_settings

ClaimsFile = Annotated[Path, typer.Option("--claims", exists=True, dir_okay=False, help="SciFact claims JSONL")]
CorpusFile = Annotated[Path, typer.Option("--corpus", exists=True, dir_okay=False, help="SciFact corpus JSONL")]

verifier_app = typer.Typer(no_args_is_help=True, help="Train and inspect the claim verifier.")


def verify(
    report: Annotated[int | None, typer.Option("--report", help="verify this report's claims")] = None,
    claim: Annotated[int | None, typer.Option("--claim", help="verify this claim in every report")] = None,
    all_: Annotated[bool, typer.Option("--all", help="verify every claim of every report")] = False,
) -> None:
    """Verify claims against their reports' cited sources now; every run is stored."""
    from app.db import session_scope
    from app.errors import NotFoundError
    from app.services.verify import VerifyTarget, run_verification

    if sum(x is not None and x is not False for x in (report, claim, all_ or None)) != 1:
        fail("give exactly one of --report ID, --claim ID or --all")
    settings = get_settings()
    target = VerifyTarget(report_id=report, claim_id=claim)
    try:
        summary = run_verification(settings, lambda: session_scope(settings), target,
                                   progress=lambda f, phase: typer.echo(phase, err=True))
    except NotFoundError as exc:
        fail(str(exc))
    verdicts = ", ".join(f"{k} {v}" for k, v in sorted(summary["verdicts"].items())) or "none"
    stance = summary["model_ids"].get("stance")
    typer.echo(f"{summary['target']}: {summary['verified']} mentions verified ({verdicts}); stance: {stance}")
    if unchecked := summary.get("unchecked"):
        typer.echo(f"{unchecked['mentions']} mentions unchecked: {unchecked['reason']}", err=True)


def eval_verifier(
    claims: ClaimsFile,
    corpus: CorpusFile,
    as_json: Annotated[bool, typer.Option("--json", help="print the metrics as JSON")] = False,
    nli_model: Annotated[str | None, typer.Option("--nli-model", help="overrides CLAIMTRACE_NLI_MODEL")] = None,
) -> None:
    """Score the verifier core on SciFact-format data: abstract-level label-only P/R/F1,
    three-way accuracy and macro-F1, the confusion matrix and the calibration error (ECE)."""
    from verifier.evaluation import evaluate_verifier, format_report

    settings = get_settings()
    claim_rows, documents = _load_scifact(claims, corpus)
    models = _models(nli_model or settings.nli_model, settings.embedding_model)
    result = evaluate_verifier(claim_rows, documents, models)
    typer.echo(json.dumps(result, indent=2) if as_json else format_report(result))
    if models.confidence and models.confidence.fitted_on == _dataset_name(claims):
        typer.echo("note: the confidence calibration was fitted on these claims, so this ECE is in-sample; "
                   f"cross-validated: {models.confidence.metrics.get('ece_calibrated_cv', float('nan')):.4f}", err=True)


def _load_scifact(claims: Path, corpus: Path):
    from verifier.scifact import SciFactFormatError, load_claims, load_corpus

    try:
        return load_claims(claims), load_corpus(corpus)
    except SciFactFormatError as exc:
        fail(str(exc))


def _dataset_name(claims: Path) -> str:
    """How a calibration records the data it was fitted on: ``folder/file``."""
    return f"{claims.parent.name}/{claims.name}"


def _models(nli_model: str | None, embedding_model: str | None, *, calibrate: bool = True):
    from verifier.pipeline import VerifierModels, embedding_choice

    try:
        return VerifierModels.load(nli_model=nli_model, embedding_model=embedding_choice(embedding_model),
                                   calibrate_checks_only=calibrate)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))


@verifier_app.command("train")
def train(
    claims: ClaimsFile,
    corpus: CorpusFile,
    output: Annotated[Path, typer.Option("--output", "-o", help="model directory to write")],
    base_model: Annotated[str | None, typer.Option("--base-model", help="encoder to fine-tune (default: packaged all-MiniLM-L6-v2)")] = None,
    epochs: Annotated[int, typer.Option(min=1, help="training epochs")] = 6,
    learning_rate: Annotated[float, typer.Option(help="AdamW learning rate")] = 5e-5,
    calibration_share: Annotated[float, typer.Option(min=0.0, max=0.5, help="share of claims held back to calibrate")] = 0.2,
    seed: Annotated[int, typer.Option(help="random seed")] = 13,
    cv: Annotated[int, typer.Option(min=0, help="K>1: also report K-fold cross-validated eval-verifier metrics")] = 0,
) -> None:
    """Fine-tune an encoder into a three-way claim/evidence classifier (usable as CLAIMTRACE_NLI_MODEL)."""
    from verifier.evaluation import format_report
    from verifier.pipeline import embedding_choice
    from verifier.training import TrainConfig, cross_validate, train_verifier

    claim_rows, documents = _load_scifact(claims, corpus)
    config = TrainConfig(epochs=epochs, learning_rate=learning_rate,
                         calibration_share=calibration_share, seed=seed)
    embedding = embedding_choice(get_settings().embedding_model)
    if cv > 1:
        result = cross_validate(claim_rows, documents, output / "cv", folds=cv, base_model=base_model,
                                config=config, embedding_model=embedding, log=typer.echo)
        (output / "cv").mkdir(parents=True, exist_ok=True)
        (output / "cv" / "metrics.json").write_text(json.dumps(result, indent=2))
        typer.echo(f"{cv}-fold cross-validated metrics:\n{format_report(result)}")
    summary = train_verifier(claim_rows, documents, output, base_model=base_model, config=config,
                             embedding_model=embedding, log=typer.echo)
    typer.echo(f"model written to {output} (temperature {summary['temperature']:.3f}); "
               f"use it with CLAIMTRACE_NLI_MODEL={output}")


@verifier_app.command("calibrate")
def calibrate(
    claims: ClaimsFile,
    corpus: CorpusFile,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="calibration JSON (default: the packaged one)")] = None,
    folds: Annotated[int, typer.Option(min=2, help="folds for the cross-validated ECE")] = 5,
) -> None:
    """Calibrate checks-only verdict confidences on labelled claims (isotonic, per verdict label)."""
    from verifier.confidence import PACKAGED_CHECKS_ONLY
    from verifier.evaluation import fit_confidence_calibration

    claim_rows, documents = _load_scifact(claims, corpus)
    settings = get_settings()
    models = _models(None, settings.embedding_model, calibrate=False)
    calibrator, figures = fit_confidence_calibration(claim_rows, documents, models, folds=folds,
                                                     fitted_on=_dataset_name(claims))
    path = calibrator.save(output or PACKAGED_CHECKS_ONLY)
    typer.echo(f"{int(figures['n'])} claims, accuracy {figures['accuracy']:.4f}: ECE raw {figures['ece_raw']:.4f}, "
               f"calibrated ({folds}-fold cross-validated) {figures['ece_calibrated_cv']:.4f}")
    typer.echo(f"calibration written to {path}")
