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
    typer.echo(summary_line(summary))
    if unchecked := summary.get("unchecked"):
        typer.echo(f"{unchecked['mentions']} mentions unchecked: {unchecked['reason']}", err=True)


def summary_line(summary: dict) -> str:
    """One line: how many mentions were judged against source text, by verdict, and how many
    could not be (``unchecked`` is not a verdict about the claim)."""
    counts = dict(summary["verdicts"])
    unchecked = counts.pop("unchecked", 0)
    judged = sum(counts.values())
    verdicts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    line = f"{summary['target']}: {judged} of {summary['verified']} mentions judged against source text"
    line += f" ({verdicts})" if verdicts else ""
    line += f"; unchecked {unchecked} (no source text)" if unchecked else ""
    return f"{line}; stance: {summary['model_ids'].get('stance')}"


def eval_verifier(
    claims: ClaimsFile,
    corpus: CorpusFile,
    as_json: Annotated[bool, typer.Option("--json", help="print the metrics (and warnings) as JSON")] = False,
    nli_model: Annotated[str | None, typer.Option("--nli-model", help="overrides CLAIMTRACE_NLI_MODEL")] = None,
    include_seen: Annotated[bool, typer.Option(
        "--include-seen", help="also score claims the model or calibration was fitted on (in-sample)")] = False,
) -> None:
    """Score the verifier core on SciFact-format data: abstract-level label-only P/R/F1,
    three-way accuracy and macro-F1, the confusion matrix, ECE and the AUROC of confidence.

    Claims the stance model was trained on are excluded, and a calibration fitted on these
    claims is switched off, unless --include-seen (the result then says it is in-sample)."""
    from verifier.evaluation import evaluate_verifier, format_report

    settings = get_settings()
    claim_rows, documents = _load_scifact(claims, corpus)
    models = _models(nli_model or settings.nli_model, settings.embedding_model, data_dir=settings.data_dir)
    try:
        result = evaluate_verifier(claim_rows, documents, models, include_seen=include_seen, progress=True)
    except ValueError as exc:
        fail(str(exc))
    typer.echo(json.dumps(result, indent=2) if as_json else format_report(result))
    for warning in result["warnings"]:
        typer.echo(f"warning: {warning}", err=True)


def _load_scifact(claims: Path, corpus: Path):
    from verifier.scifact import SciFactFormatError, load_claims, load_corpus

    try:
        return load_claims(claims), load_corpus(corpus)
    except SciFactFormatError as exc:
        fail(str(exc))


def _dataset_name(claims: Path) -> str:
    """How a calibration records the data it was fitted on: ``folder/file``."""
    return f"{claims.parent.name}/{claims.name}"


def _models(nli_model: str | None, embedding_model: str | None, *, calibrate: bool = True,
            data_dir: Path | None = None):
    from verifier.pipeline import VerifierModels, embedding_choice

    try:
        return VerifierModels.load(nli_model=nli_model, embedding_model=embedding_choice(embedding_model),
                                   calibrate_checks_only=calibrate, data_dir=data_dir)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))


@verifier_app.command("train")
def train(
    claims: ClaimsFile,
    corpus: CorpusFile,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="model folder to write (default: DATA_DIR/models/verifier-stance)")] = None,
    base_model: Annotated[str | None, typer.Option("--base-model", help="encoder to fine-tune (default: packaged all-MiniLM-L6-v2)")] = None,
    epochs: Annotated[int, typer.Option(min=1, help="training epochs")] = 6,
    learning_rate: Annotated[float, typer.Option(help="AdamW learning rate")] = 8e-5,
    calibration_share: Annotated[float, typer.Option(min=0.0, max=0.5, help="share of claims held back (whole abstract groups) to calibrate")] = 0.2,
    seed: Annotated[int, typer.Option(help="random seed")] = 13,
    perturbations: Annotated[bool, typer.Option(help="add changed-number/negated/swapped (contradicts) and rationale-removed (neutral) examples")] = True,
    cv: Annotated[int, typer.Option(min=0, help="K>1: first score K grouped folds (a fresh model each) beside checks-only")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="print the manifest (with any CV figures) as JSON")] = False,
) -> None:
    """Fine-tune a cross-encoder (claim, evidence) -> supports/contradicts/neutral, with its
    calibration and manifest. The model in the data dir is used by default only when its
    grouped cross-validation (--cv) beat checks-only; elsewhere use CLAIMTRACE_NLI_MODEL=DIR."""
    from verifier.evaluation import format_report
    from verifier.manifest import default_model_dir
    from verifier.pipeline import embedding_choice
    from verifier.training import TrainConfig, cross_validate, train_verifier

    settings = get_settings()
    output = output or default_model_dir(settings.data_dir)
    claim_rows, documents = _load_scifact(claims, corpus)
    config = TrainConfig(epochs=epochs, learning_rate=learning_rate, calibration_share=calibration_share,
                         seed=seed, perturbations=perturbations)
    embedding = embedding_choice(settings.embedding_model)
    log = lambda line: typer.echo(line, err=True)  # noqa: E731 - progress lines on stderr
    result = None
    if cv > 1:
        try:
            result = cross_validate(claim_rows, documents, output / "cv", folds=cv, base_model=base_model,
                                    config=config, embedding_model=embedding, progress=True, log=log)
        except ValueError as exc:
            fail(str(exc))
        (output / "cv" / "metrics.json").write_text(json.dumps(result, indent=2))
        log(f"{cv}-fold grouped cross-validation, learned path:\n{format_report(result['learned'])}")
        log(f"checks-only on the same folds:\n{format_report(result['checks_only'])}")
    manifest = train_verifier(claim_rows, documents, output, base_model=base_model, config=config,
                              embedding_model=embedding, dataset=_dataset_name(claims), cv=result,
                              progress=True, log=log)
    if as_json:
        typer.echo(json.dumps(manifest, indent=2))
        return
    typer.echo(f"model written to {output} ({manifest['calibration']}); use it with CLAIMTRACE_NLI_MODEL={output}")
    if result is not None and not result["beats_checks_only"]:
        typer.echo("note: on held-out folds it did not beat checks-only, so it is not used unless asked for", err=True)


@verifier_app.command("calibrate")
def calibrate(
    claims: ClaimsFile,
    corpus: CorpusFile,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="calibration JSON (default: DATA_DIR/calibration/checks_only.json)")] = None,
    folds: Annotated[int, typer.Option(min=2, help="folds (grouped by shared abstract) for the cross-validated ECE")] = 5,
) -> None:
    """Calibrate checks-only verdict confidences on labelled claims (isotonic, per verdict label)."""
    from verifier.evaluation import fit_confidence_calibration

    claim_rows, documents = _load_scifact(claims, corpus)
    settings = get_settings()
    models = _models(None, settings.embedding_model, calibrate=False)
    calibrator, figures = fit_confidence_calibration(claim_rows, documents, models, folds=folds,
                                                     fitted_on=_dataset_name(claims), progress=True)
    path = calibrator.save(output or settings.data_dir / "calibration" / "checks_only.json")
    auroc = figures.get("auroc_calibrated_cv")
    typer.echo(f"{int(figures['n'])} claims, accuracy {figures['accuracy']:.4f}: ECE raw {figures['ece_raw']:.4f}, "
               f"calibrated ({folds}-fold cross-validated) {figures['ece_calibrated_cv']:.4f}, "
               f"AUROC {'n/a' if auroc is None else f'{auroc:.4f}'}")
    typer.echo(f"calibration written to {path}")


@verifier_app.command("train-head")
def train_head(
    claims: ClaimsFile,
    corpus: CorpusFile,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="head folder to write (default: DATA_DIR/models/verifier-head)")] = None,
    regularisation: Annotated[float, typer.Option(min=1e-4, help="inverse L2 strength of the logistic regression")] = 0.1,
    calibration: Annotated[str, typer.Option(help="verdict confidence: stacked (a correctness model), or logistic / isotonic calibration per label")] = "stacked",
    seed: Annotated[int, typer.Option(help="random seed of the grouped folds")] = 13,
    cv: Annotated[int, typer.Option(min=0, help="K>1: first score K grouped folds (a fresh head each) beside checks-only")] = 5,
    cv_repeats: Annotated[int, typer.Option(min=1, max=20, help="shuffles of the grouped folds to score (seeds SEED, SEED+1, …): their spread, and the head beats checks-only only if it does on each")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="print the manifest (with any CV figures) as JSON")] = False,
) -> None:
    """Fit the stance head (a logistic regression over retrieval and check features, gated by
    the checks) and its out-of-fold confidence calibration. The head in the data dir is used by
    default only when its grouped cross-validation beat checks-only; elsewhere use
    CLAIMTRACE_NLI_MODEL=DIR. About 9 minutes on 2 CPU cores for 188 claims with the default
    three shuffles of 5 folds (2–3 minutes a shuffle)."""
    from verifier.evaluation import format_report
    from verifier.head_training import HeadConfig, feature_rows, format_spread, repeated_cross_validation
    from verifier.head_training import train_head as fit_and_save
    from verifier.manifest import default_head_dir

    if calibration not in ("stacked", "logistic", "isotonic"):
        fail(f"--calibration must be stacked, logistic or isotonic, not {calibration!r}")
    settings = get_settings()
    output = output or default_head_dir(settings.data_dir)
    claim_rows, documents = _load_scifact(claims, corpus)
    config = HeadConfig(regularisation=regularisation, calibration=calibration, seed=seed)
    models = _models(None, settings.embedding_model, calibrate=False)
    log = lambda line: typer.echo(line, err=True)  # noqa: E731 - progress lines on stderr
    result = None
    try:
        rows = feature_rows(claim_rows, documents, models, progress=True)  # once, for the CV and the final fit
        if cv > 1:
            result = repeated_cross_validation(claim_rows, documents, models, folds=cv, repeats=cv_repeats,
                                               config=config, progress=True, log=log, rows=rows)
            log(f"{cv}-fold grouped cross-validation (seed {seed}), stance head:\n{format_report(result['learned'])}")
            log(f"checks-only on the same folds:\n{format_report(result['checks_only'])}")
            if cv_repeats > 1:
                log(format_spread(result))
        manifest = fit_and_save(claim_rows, documents, output, models=models, config=config,
                                dataset=_dataset_name(claims), cv=result, progress=True, log=log, rows=rows)
    except ValueError as exc:
        fail(str(exc))
    if result is not None:
        (output / "cv").mkdir(parents=True, exist_ok=True)
        (output / "cv" / "metrics.json").write_text(json.dumps(result, indent=2))
    if as_json:
        typer.echo(json.dumps(manifest, indent=2))
        return
    used = ("used by default from the data dir" if manifest["beats_checks_only"]
            else "not used unless asked for (no cross-validation showed it beats checks-only)")
    typer.echo(f"stance head written to {output} ({manifest['head']}); {used}; "
               f"CLAIMTRACE_NLI_MODEL={output} selects it")
