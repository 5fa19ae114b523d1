"""`claimtrace xtreme-score`: the official XTREME / XTREME-R scores of a prediction folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:6.2f}"


def render_table(result: dict[str, Any], benchmark: str) -> str:
    """A readable summary: per-task averages, then category and overall scores."""
    from replication.tasks import get_benchmark

    bench = get_benchmark(benchmark)
    lines = [f"{bench.name} scores (percent)", ""]
    lines.append(f"{'task':<10} {'category':<15} {'metric':>7}  averages")
    for task in bench.tasks:
        scores = result["tasks"].get(task.name)
        if scores is None:
            lines.append(f"{task.name:<10} {task.category:<15} {'—':>7}  missing: no prediction folder")
            continue
        parts = ", ".join(
            f"{key[4:]}={value:.2f}"
            for key, value in scores.items()
            if key.startswith("avg_") and key != "avg_metric"
        )
        lines.append(f"{task.name:<10} {task.category:<15} {_fmt(scores['avg_metric']):>7}  {parts}")
    lines.append("")
    for key, value in result["overall"].items():
        label = "overall" if key == "all_task" else key
        lines.append(f"{label:<26} {_fmt(value):>7}")
    if result["missing_tasks"]:
        lines.append("")
        lines.append(
            "missing tasks: " + ", ".join(result["missing_tasks"])
            + " (overall and their categories are not computed)"
        )
    return "\n".join(lines)


def xtreme_score(
    predictions: Annotated[
        Path, typer.Option("--predictions", help="folder with TASK/test-LANG.tsv|json prediction files")
    ],
    labels: Annotated[Path, typer.Option("--labels", help="folder with the gold files, same layout")],
    benchmark: Annotated[str, typer.Option("--benchmark", help="xtreme | xtreme-r")] = "xtreme",
    as_json: Annotated[bool, typer.Option("--json", help="print the scores as JSON")] = False,
) -> None:
    """Score predictions with the official XTREME metrics (per language, task, category, overall)."""
    from replication.scoring import ScoringError, score_folders
    from replication.tasks import UnknownTaskError

    try:
        result = score_folders(predictions, labels, benchmark=benchmark)
    except (ScoringError, UnknownTaskError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False))
    else:
        typer.echo(render_table(result, benchmark))
    if not result["tasks"]:
        typer.echo(f"error: no task could be scored: {predictions} has no TASK/ folder of predictions "
                   "(expected e.g. xnli/test-de.tsv)", err=True)
        raise typer.Exit(1)


xtreme_app = typer.Typer(help="The XTREME data on this machine.", no_args_is_help=True)


@xtreme_app.command("check")
def check(
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="data folder (default: setting "
                                                                     "CLAIMTRACE_XTREME_DATA_DIR)")] = None,
    split: Annotated[str, typer.Option("--split", help="evaluation split to look for: test | dev")] = "test",
) -> None:
    """List the XTREME tasks and languages present in the official layout and, for each
    missing one, the exact path expected. Exits 1 when anything is missing."""
    from app.settings import get_settings
    from replication.availability import survey

    if split not in ("test", "dev"):
        typer.echo("error: --split is test or dev", err=True)
        raise typer.Exit(2)
    root = data_dir or get_settings().xtreme_data_dir
    typer.echo(f"XTREME data in {root} ({split} split)")
    if not root.is_dir():
        typer.echo("  the folder does not exist; create it with the XTREME download scripts, or point "
                   "--data-dir / CLAIMTRACE_XTREME_DATA_DIR at it")
    complete = True
    for entry in survey(root, split):
        present = ", ".join(entry.present) or "none"
        typer.echo(f"{entry.task:<10} present: {present}")
        for lang, paths in entry.missing.items():
            complete = False
            what = "training data" if lang == "train" else lang
            typer.echo(f"  missing {what}: " + ", ".join(str(p) for p in paths))
    if not complete:
        typer.echo("some tasks or languages are missing: a replication can run on the present ones "
                   "(list them under targets in a spec)", err=True)
        raise typer.Exit(1)
