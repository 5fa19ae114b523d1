"""`claimtrace replicate`: run a replication experiment from a spec file or a stored claim."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.errors import fail


def _claim_text(claim_id: int) -> str:
    """The claim's text from the database (its completed text when a truncated one was recovered)."""
    from app.db import session_scope
    from app.models import Claim

    with session_scope() as session:
        claim = session.get(Claim, claim_id)
        if claim is None:
            fail(f"no claim with id {claim_id}")
        return claim.completed_text or claim.text


def _progress(phase: str, fraction: float, info: dict) -> None:
    loss = f" loss {info['loss']:.4f}" if isinstance(info.get("loss"), float) else ""
    typer.echo(f"[{fraction:6.1%}] {phase}{loss}", err=True)


def replicate(
    spec: Annotated[Path | None, typer.Option("--spec", help="ReplicationSpec file (.yaml or .json)")] = None,
    claim: Annotated[int | None, typer.Option("--claim", help="id of a stored claim to derive the spec from")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="output folder (default: DATA_DIR/runs/<spec name>)")] = None,
    preset: Annotated[str | None, typer.Option("--preset", help="with --claim: published | cpu (default: setting "
                                                               "CLAIMTRACE_REPLICATION_PRESET)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress lines on stderr")] = False,
) -> None:
    """Re-train baseline and intermediate-task treatment over the spec's seeds, score them with the
    official XTREME metrics and compare the measured delta with the claimed one (writes result.json)."""
    from app.settings import get_settings
    from replication.claims import derive_spec
    from replication.presets import apply_preset
    from replication.spec import NotReplicableError, ReplicationSpec, SpecError

    if (spec is None) == (claim is None):
        fail("give exactly one of --spec FILE or --claim ID")
    try:
        if spec is not None:
            replication_spec = ReplicationSpec.load(spec)
        else:
            derived = derive_spec(_claim_text(claim), data_dir=get_settings().xtreme_data_dir)  # type: ignore[arg-type]
            replication_spec = apply_preset(derived, preset or get_settings().replication_preset)
    except SpecError as exc:
        fail(str(exc))
    except NotReplicableError as exc:
        fail(f"claim {claim} is not replicable: {exc.reason}")
    except ValueError as exc:  # an unknown preset
        fail(f"{exc}; use --preset published or --preset cpu")

    from replication.data import DataFormatError
    from replication.inputs import PipelineError, load_inputs

    out_dir = out or get_settings().data_dir / "runs" / replication_spec.name
    for note in replication_spec.notes:
        typer.echo(f"note: {note}", err=True)
    if claim is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        typer.echo(f"derived spec: {replication_spec.save(out_dir / 'spec.yaml')} (edit it and re-run with --spec)", err=True)
    try:
        inputs = load_inputs(replication_spec)  # checks every data file before the model is loaded

        from transformers.utils import logging as hf_logging

        from replication.pipeline import run_experiment

        hf_logging.disable_progress_bar()
        result = run_experiment(replication_spec, out_dir, progress=None if quiet else _progress, inputs=inputs)
    except (PipelineError, DataFormatError, OSError) as exc:
        fail(str(exc))

    effect = result.effect
    typer.echo(f"{result.name}: {result.verdict} — {result.verdict_reason}")
    if effect is not None:
        interval = "" if effect.ci_low is None else f" [{effect.ci_low:+.2f}, {effect.ci_high:+.2f}]"
        typer.echo(f"{effect.metric}: measured {effect.mean:+.2f}{interval} over {effect.n_seeds} seed(s); claimed {effect.claimed_delta:+.2f}")
    for task, base in result.scores.get("baseline", {}).items():
        treated = result.scores.get("treatment", {}).get(task)
        line = f"  {task:<10} baseline {base['avg_metric']:6.2f}"
        if treated is not None:
            line += f"  treatment {treated['avg_metric']:6.2f}  delta {treated['avg_metric'] - base['avg_metric']:+6.2f}"
        left_out = "  LEFT OUT (degenerate)" if task in result.excluded_tasks else ""
        typer.echo(line + f"  (avg_metric, mean of {len(result.seeds)} seed(s)){left_out}")
    for caveat in result.caveats:
        typer.echo(f"caveat: {caveat}")
    typer.echo(f"rule: {result.verdict_rule}")
    typer.echo(f"result: {out_dir / 'result.json'} ({result.duration_s:.1f} s)")
