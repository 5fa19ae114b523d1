"""`claimtrace serve`, `worker` and `up`: the API and the worker processes that run jobs."""

from __future__ import annotations

from typing import Annotated

import typer

from app.settings import get_settings

WorkersOption = Annotated[int | None, typer.Option(
    "--workers", min=0, max=32, help="worker processes to start beside the API (default: setting WORKERS)")]


def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to bind")] = 8000,
    worker: Annotated[bool, typer.Option(help="start worker processes beside the API")] = True,
    workers: WorkersOption = None,
) -> None:
    """Serve the API and (by default) worker processes that run jobs; logs are JSON lines on stderr."""
    import gc

    import uvicorn

    from app.jobs.pool import WorkerPool
    from app.logs import configure_logging
    from app.main import create_app
    from app.security.binding import settings_for_bind
    from app.warmup import warm_up

    settings, warnings = settings_for_bind(get_settings(), host)
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    configure_logging()
    count = (settings.workers if workers is None else workers) if worker else 0
    pool = WorkerPool(settings, count)
    if count:
        typer.echo(f"starting {count} worker process(es): slots per worker fetch={settings.worker_slots_fetch} "
                   f"verify={settings.worker_slots_verify} replicate={settings.worker_slots_replicate}, "
                   f"executor {settings.executor}", err=True)
        pool.start()
    api = create_app(settings)
    api.state.shutdown_hooks.append(pool.stop)  # the workers stop with the server (SIGTERM, Ctrl-C)
    warm_up(settings)  # the read routes' first-request costs, paid before listening
    api.state.ingestor.start()  # and the first report's: the ingestion process's start
    # Everything built at start-up (modules, models, compiled queries) lives as long as the
    # server: out of the collector's full scans, which otherwise stall a request every so often
    # (under 16 clients: read p99 about 190 ms -> 105 ms, throughput +10 %).
    gc.collect()
    gc.freeze()
    try:
        uvicorn.run(api, host=host, port=port, log_config=None, access_log=False)
    finally:
        pool.stop()  # when uvicorn returns instead (it could not bind, say): the lifespan never ran


def worker(
    drain: Annotated[bool, typer.Option("--drain", help="run what is queued, then exit")] = False,
) -> None:
    """Run queued jobs (fetch, verify, replicate), each attempt in its own process, until stopped.

    Several workers may share one database; SIGTERM stops the worker and queues what it ran again.
    """
    import signal
    import threading

    from app.jobs.worker import run_worker
    from app.logs import configure_logging

    configure_logging()
    settings = get_settings()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    started = run_worker(settings, stop, drain_queue=drain)
    if drain:
        typer.echo(f"{started} jobs run")


def up(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to bind")] = 8000,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve", help="start the API afterwards")] = True,
    workers: WorkersOption = None,
) -> None:
    """Migrate the database, ingest examples/reports/, print your API token, then serve the API
    and worker processes."""
    from app.cli import EXAMPLE_REPORTS
    from app.cli.bulk_ingest import ingest_files
    from app.migrate import upgrade
    from app.security.local import LOCAL_ROLE, LOCAL_TOKEN_FILE, ensure_local_token

    settings = get_settings()
    upgrade(settings)
    typer.echo(f"database ready: {settings.sqlalchemy_url}")
    if EXAMPLE_REPORTS.is_dir() and ingest_files([EXAMPLE_REPORTS]):
        raise typer.Exit(1)
    token, created = ensure_local_token(settings)
    typer.echo(f"your {LOCAL_ROLE} API token ({'new' if created else 'kept'} in "
               f"{settings.data_dir / LOCAL_TOKEN_FILE}, mode 0600): {token}")
    typer.echo("  use it as 'Authorization: Bearer <token>', or sign in with it on the web pages")
    if serve_api:
        typer.echo(f"serving on http://{host}:{port} (web view at /, API docs at /docs)")
        serve(host=host, port=port, worker=True, workers=workers)
