"""Load benchmark: N concurrent clients against a real ``claimtrace serve`` on a seeded database.

The database is seeded in bulk SQL to ``--mentions`` claim mentions (100 per report, one claim in
ten shared between reports) with sources, citations, and verifications with evidence for about
two thirds of the mentions (some mentions verified twice). Then, in interleaved slices of the
same length and the same number of clients, it times three targets in turn:

- ``mixed``: our server under a mix of reads (claims pages at random depths and sorts, filters by
  verdict and by report, text search, claim detail, report audit) while ``--writers`` clients
  ingest reports of 100 claims over HTTP;
- ``list``: our server, claims pages only (random depths and sorts);
- ``bare``: a bare FastAPI endpoint serving one claims page's JSON from memory, same server
  stack (uvicorn), same concurrency.

It prints throughput, p50/p99 per route and errors, the slowest requests of each target with
when they started (one stall or a spread-out tail), the ratios of ``list`` to ``bare``, and the
bulk ingestion rate of ``claimtrace ingest`` beside the parse-only rate of the same files.

    .venv/bin/python bench/load.py --db sqlite --mentions 10000 --clients 16 --seconds 30
    .venv/bin/python bench/load.py --db postgresql --mentions 100000 --clients 16 --seconds 30

PostgreSQL: a fresh database is created on ``--postgres-url`` (default: the local socket as
the current role) and dropped afterwards. ``--keep DIR`` keeps (and on later runs reuses) the
seeded SQLite file or PostgreSQL database named after the size.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLAIMS_PER_REPORT = 100
SHARED_POOL = 200  # claims that many reports make
VERDICTS = ("supported", "contradicted", "not_enough_info")
MODELS = ("XLM-R Large", "mT5-XL", "mBERT", "InfoXLM", "RemBERT", "ByT5", "XLM-E", "VECO")
TASKS = ("XNLI", "PAWS-X", "MLQA", "TyDiQA-GoldP", "XQuAD", "BUCC", "Tatoeba", "UD-POS", "PANX")
VERBS = ("improves", "reduces", "matches", "outperforms", "trails", "lifts")
SETTINGS = ("zero-shot cross-lingual transfer", "translate-train", "few-shot transfer",
            "intermediate-task training", "multilingual fine-tuning")
SLOWEST = 8  # slowest requests listed per target (where a tail comes from: one stall, or spread out)
SEARCHES = ("XNLI", "tydiqa", "translate-train", "InfoXLM", "outperforms mbert", "case 7", "no such claim")
DEFAULT_PG = "postgresql+psycopg://root@/postgres?host=/var/run/postgresql"


def claim_text(seed: int) -> str:
    rng = random.Random(seed)
    return (f"{rng.choice(MODELS)} {rng.choice(VERBS)} {rng.choice(SETTINGS)} on {rng.choice(TASKS)} "
            f"by {rng.uniform(0.1, 9.9):.1f} points over {rng.choice(MODELS)} (case {seed}).")


def report_text(index: int, claims: int, rng: random.Random) -> str:
    """A report in the ingested format, with one claim in ten shared between reports."""
    rows = []
    for c in range(claims):
        seed = c % SHARED_POOL if c % 10 == 0 else 10_000_000 + index * claims + c
        rows.append(f"{claim_text(seed)}\t{'✓' if rng.random() < 0.7 else '✗'}\t{rng.random():.2f}")
    table = "\n".join(rows)
    return (f"Load report {index}\n\nBench Author\n\nJune 21, 2026\n\nAbstract\n\nText.\n\n"
            f"1 Introduction\n\nResearch question: does cross-lingual transfer on XNLI scale ({index})?\n\n"
            f"3 Results\n\n{claims} claims extracted; {claims} independently verified.\n\n"
            f"5 Extracted Claims\n\nClaim\tVerified\tConfidence\n{table}\n\n"
            f"References\n\n- <http://arxiv.org/abs/2005.13013v2>\n- <http://arxiv.org/abs/1911.02116v2>\n")


# --- seeding -------------------------------------------------------------------------------------

def seed(url: str, mentions: int, *, batch: int = 5_000) -> dict:
    """Fill a migrated, empty database in bulk; returns what the clients need to pick targets."""
    from sqlalchemy import func, insert, select

    from app.db import make_engine
    from app.models import Citation, Claim, ClaimMention, Evidence, Report, Source, Verification
    from verifier.reports import claim_group_key, claim_key

    engine = make_engine(url)
    rng = random.Random(14)
    now = datetime.now(timezone.utc)
    reports = max(1, mentions // CLAIMS_PER_REPORT)
    with engine.begin() as conn:
        if conn.scalar(select(func.count()).select_from(Report)):
            raise SystemExit(f"{url} already holds reports: pass an empty database or --keep")
        conn.execute(insert(Source), [dict(
            id=i, key=f"2005.{13000 + i:05d}v1", arxiv_id=f"2005.{13000 + i:05d}", version=1,
            title=f"Cross-lingual transfer study {i} on {TASKS[i % len(TASKS)]}", authors=["A. Author"],
            abstract="We study multilingual models.", categories=["cs.CL"], status="fetched",
            passage_count=0, files=[], warnings=[], created_at=now) for i in range(1, 51)])
        conn.execute(insert(Report), [dict(
            id=r, sha256=f"{r:064x}", title=f"Seeded report {r}", author="Bench",
            research_question=f"Does zero-shot transfer on {TASKS[r % len(TASKS)]} scale?",
            stated_claims_extracted=CLAIMS_PER_REPORT, stated_claims_verified=CLAIMS_PER_REPORT,
            warnings=[], raw_text="(seeded)", created_at=now) for r in range(1, reports + 1)])
        conn.execute(insert(Citation), [dict(
            report_id=r, position=p, raw=f"<http://arxiv.org/abs/2005.{13000 + s:05d}v1>", source_id=s)
            for r in range(1, reports + 1) for p, s in enumerate(rng.sample(range(1, 51), 3))])
        claim_ids: dict[int, int] = {}
        claim_rows, mention_rows = [], []
        for r in range(1, reports + 1):
            for position in range(CLAIMS_PER_REPORT):
                index = (r - 1) * CLAIMS_PER_REPORT + position
                seed_ = rng.randrange(SHARED_POOL) if position % 10 == 0 else 1_000_000 + index
                if seed_ not in claim_ids:
                    claim_ids[seed_] = cid = len(claim_ids) + 1
                    text = claim_text(seed_)
                    claim_rows.append(dict(id=cid, text=text, key=claim_key(text), truncated=False,
                                           group_key=claim_group_key(text), group_id=cid, created_at=now))
                mention_rows.append(dict(id=index + 1, report_id=r, claim_id=claim_ids[seed_],
                                         position=position, line=20 + position,
                                         stated_verified=rng.random() < 0.7,
                                         stated_confidence=round(rng.random(), 2)))
        for start in range(0, len(claim_rows), batch):
            conn.execute(insert(Claim), claim_rows[start:start + batch])
        for start in range(0, len(mention_rows), batch):
            conn.execute(insert(ClaimMention), mention_rows[start:start + batch])
        verification_id = 0
        runs, evidence = [], []
        for mention in mention_rows:
            if rng.random() > 0.65:
                continue
            for _ in range(2 if rng.random() < 0.15 else 1):
                verification_id += 1
                verdict = rng.choice(VERDICTS)
                runs.append(dict(
                    id=verification_id, mention_id=mention["id"], claim_id=mention["claim_id"], verdict=verdict,
                    confidence=round(rng.random(), 3),
                    probabilities={v: round(1 / 3, 3) for v in VERDICTS}, explanation="seeded run",
                    version_notes=[], verifier_version="bench", model_ids={}, created_at=now))
                for rank in range(2):
                    source = rng.randrange(1, 51)
                    evidence.append(dict(
                        verification_id=verification_id, rank=rank, source_id=source,
                        source_key=f"2005.{13000 + source:05d}v1", source_version=1, cited=True,
                        passage_index=rank, page=1, char_start=0, char_end=200,
                        text="A passage of the cited paper that the verifier relied on. " * 4,
                        retrieval_score=0.5, stance="support" if verdict == "supported" else "neutral",
                        stance_prob=0.8))
            if len(runs) >= batch:
                conn.execute(insert(Verification), runs)
                conn.execute(insert(Evidence), evidence)
                runs, evidence = [], []
        if runs:
            conn.execute(insert(Verification), runs)
            conn.execute(insert(Evidence), evidence)
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in ("sources", "reports", "citations", "claims", "claim_mentions", "verifications", "evidence"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return targets(url)


def targets(url: str) -> dict:
    """Ids and sort values the clients draw from (a sample of claim texts for deep text pages)."""
    from sqlalchemy import func, select

    from app.db import make_engine
    from app.models import Claim, ClaimMention, Report

    engine = make_engine(url)
    with engine.connect() as conn:
        out = {"max_claim": conn.scalar(select(func.max(Claim.id))),
               "max_report": conn.scalar(select(func.max(Report.id))),
               "report_ids": list(conn.scalars(select(Report.id))),  # ids may have gaps (rolled-back ingests)
               "mentions": conn.scalar(select(func.count()).select_from(ClaimMention)),
               "texts": [list(row) for row in conn.execute(
                   select(Claim.text, Claim.id).order_by(func.random()).limit(5000))]}
    engine.dispose()
    return out


def editor_token(url: str) -> str:
    from sqlalchemy.orm import Session

    from app.db import make_engine
    from app.security.tokens import create_token

    engine = make_engine(url)
    with Session(engine) as session:
        token = create_token(session, role="editor", name=f"load bench {uuid.uuid4().hex[:6]}").token
        session.commit()
    engine.dispose()
    return token


# --- servers -------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(base: str, path: str, proc: subprocess.Popen, log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(base + path, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server at {base} did not answer within 60 s:\n{log.read_text()[-2000:]}")


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("w") as handle:
        proc = subprocess.Popen(args, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def app_env(url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMTRACE_")}
    env.update(CLAIMTRACE_DATABASE_URL=url, CLAIMTRACE_DATA_DIR=str(data_dir))
    return env


def serve_bare(body_file: str, port: int) -> None:
    """The baseline: one claims page's JSON bytes from memory, FastAPI on uvicorn."""
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import Response

    body = Path(body_file).read_bytes()
    app = FastAPI()

    @app.get("/api/claims")
    def claims() -> Response:
        return Response(body, media_type="application/json")

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# --- clients -------------------------------------------------------------------------------------

@dataclass
class Tally:
    """Latencies (ms) and errors per route, and completed requests, of one target."""

    ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    seconds: float = 0.0
    origin: float = field(default_factory=time.perf_counter)  # the run's start, for `slowest`
    # The slowest requests as (ms, seconds after the run's start, route, path): a min-heap.
    slowest: list[tuple[float, float, str, str]] = field(default_factory=list)

    def add(self, route: str, ms: float, ok: bool, detail: str = "", *, path: str = "",
            started: float | None = None) -> None:
        at = (started if started is not None else time.perf_counter()) - self.origin
        entry = (ms, at, route, path)
        if len(self.slowest) < SLOWEST:
            heapq.heappush(self.slowest, entry)
        elif ms > self.slowest[0][0]:
            heapq.heapreplace(self.slowest, entry)
        if ok:
            self.ms[route].append(ms)
        else:
            self.errors[route] += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{route}: {detail}")


class Requests:
    """Random requests of each route over the seeded ids."""

    def __init__(self, seeded: dict, rng: random.Random) -> None:
        from app.services.pagination import encode_cursor

        self.seeded, self.rng, self.encode = seeded, rng, encode_cursor

    def page(self) -> tuple[str, str]:
        rng, params = self.rng, {"limit": "50"}
        sort = rng.choice(("id", "-id", "text", "-text"))
        params["sort"] = sort
        if rng.random() < 0.85:  # a random depth (keyset cursor as the API writes it)
            if "text" in sort:
                text, cid = rng.choice(self.seeded["texts"])
                params["cursor"] = self.encode(text, cid)
            else:
                cid = rng.randint(1, self.seeded["max_claim"])
                params["cursor"] = self.encode(cid, cid)
        return "claims page", "/api/claims?" + "&".join(f"{k}={v}" for k, v in params.items())

    def pick(self) -> tuple[str, str]:
        rng, roll = self.rng, self.rng.random()
        if roll < 0.35:
            return self.page()
        if roll < 0.50:
            cid = rng.randint(1, self.seeded["max_claim"])
            cursor = f"&cursor={self.encode(cid, cid)}" if rng.random() < 0.5 else ""
            return "claims by verdict", f"/api/claims?limit=50&verdict={rng.choice(VERDICTS)}{cursor}"
        if roll < 0.60:
            return "claims by report", f"/api/claims?limit=50&report={rng.choice(self.seeded['report_ids'])}"
        if roll < 0.75:
            from urllib.parse import quote

            return "text search", f"/api/claims?limit=50&q={quote(rng.choice(SEARCHES))}"
        if roll < 0.90:
            return "claim detail", f"/api/claims/{rng.choice(self.seeded['texts'])[1]}"  # ids may have gaps
        return "report audit", f"/api/reports/{rng.choice(self.seeded['report_ids'])}/audit"


async def reader(session, base: str, pick, tally: Tally, until: float) -> None:
    while (now := time.perf_counter()) < until:
        route, path = pick()
        try:
            async with session.get(base + path) as response:
                await response.read()
                ok = response.status == 200
                detail = f"HTTP {response.status}"
        except Exception as exc:  # noqa: BLE001 - every failure is counted as an error
            ok, detail = False, repr(exc)
        tally.add(route, (time.perf_counter() - now) * 1000, ok, detail, path=path, started=now)


async def writer(session, base: str, token: str, bodies: Iterator[bytes], tally: Tally, until: float) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "text/plain; charset=utf-8"}
    while (now := time.perf_counter()) < until:
        try:
            async with session.post(base + "/api/reports", data=next(bodies), headers=headers) as response:
                await response.read()
                ok, detail = response.status == 201, f"HTTP {response.status}"
        except Exception as exc:  # noqa: BLE001
            ok, detail = False, repr(exc)
        tally.add("ingest (POST report)", (time.perf_counter() - now) * 1000, ok, detail, path="/api/reports",
                  started=now)


async def run_slices(args, ours: str, bare: str, seeded: dict, token: str) -> dict[str, Tally]:
    import aiohttp

    rng = random.Random(1)
    requests = Requests(seeded, rng)
    origin = time.perf_counter()
    tallies = {"mixed": Tally(origin=origin), "list": Tally(origin=origin), "bare": Tally(origin=origin)}
    report_rng = random.Random(uuid.uuid4().int)  # new reports on every run, also on a kept database
    bodies = (report_text(i, CLAIMS_PER_REPORT, report_rng).encode()
              for i in iter(lambda: report_rng.randrange(10**12), None))
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        rounds = max(1, round(args.seconds / (3 * args.slice)))
        for _ in range(rounds):
            for name in ("mixed", "list", "bare"):
                start = time.perf_counter()
                until = start + args.slice
                tally = tallies[name]
                if name == "mixed":
                    tasks = [reader(session, ours, requests.pick, tally, until) for _ in range(args.clients)]
                    tasks += [writer(session, ours, token, bodies, tally, until) for _ in range(args.writers)]
                elif name == "list":
                    tasks = [reader(session, ours, requests.page, tally, until) for _ in range(args.clients)]
                else:
                    tasks = [reader(session, bare, lambda: ("claims page", "/api/claims"), tally, until)
                             for _ in range(args.clients)]
                await asyncio.gather(*tasks)
                tally.seconds += time.perf_counter() - start
    return tallies


# --- bulk CLI ingestion ----------------------------------------------------------------------------

def cli_ingest(url: str, data_dir: Path, count: int, workdir: Path) -> tuple[float, float]:
    """(reports/s of ``claimtrace ingest`` of ``count`` fresh files, reports/s of parsing them only)."""
    from app.settings import Settings
    from verifier.reports import parse_report

    folder = workdir / "reports"
    folder.mkdir(exist_ok=True)
    rng = random.Random(uuid.uuid4().int)  # fresh reports, also on a kept database
    texts = [report_text(rng.randrange(10**12), CLAIMS_PER_REPORT, rng) for _ in range(count)]
    for i, text in enumerate(texts):
        (folder / f"r{i:05d}.txt").write_text(text, encoding="utf-8")
    settings = Settings(database_url=url, data_dir=data_dir)
    start = time.perf_counter()
    for text in texts:
        parse_report(text, max_bytes=settings.max_report_bytes, max_claims=settings.max_report_claims)
    parse_rate = count / (time.perf_counter() - start)
    start = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "claimtrace"), "ingest", str(folder)],
                          env=app_env(url, data_dir), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"claimtrace ingest failed:\n{done.stderr[-2000:]}")
    return count / elapsed, parse_rate


# --- output --------------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if q < 100 else max(values)


def summary(tallies: dict[str, Tally]) -> dict:
    out = {}
    for name, tally in tallies.items():
        routes = {}
        for route in sorted(set(tally.ms) | set(tally.errors)):
            ms = tally.ms.get(route, [])
            routes[route] = {"count": len(ms), "per_s": len(ms) / tally.seconds if tally.seconds else 0.0,
                             "p50_ms": statistics.median(ms) if ms else float("nan"),
                             "p99_ms": pct(ms, 99), "errors": tally.errors.get(route, 0)}
        done = sum(len(v) for v in tally.ms.values())
        slowest = [{"ms": ms, "at_s": at, "route": route, "path": path}
                   for ms, at, route, path in sorted(tally.slowest, reverse=True)]
        out[name] = {"seconds": tally.seconds, "requests_per_s": done / tally.seconds if tally.seconds else 0.0,
                     "errors": sum(tally.errors.values()), "error_samples": tally.error_samples, "routes": routes,
                     "slowest": slowest}
    return out


def print_summary(args, seeded: dict, result: dict, ingest: tuple[float, float] | None, body_size: int) -> None:
    print(f"database: {args.db}, {seeded['mentions']:,} mentions at start, {seeded['max_claim']:,} claims, "
          f"{seeded['max_report']:,} reports; {args.clients} clients (+{args.writers} writers in 'mixed'), "
          f"{result['mixed']['seconds']:.0f}+{result['list']['seconds']:.0f}+{result['bare']['seconds']:.0f} s "
          f"interleaved in slices of {args.slice:g} s")
    for name in ("mixed", "list", "bare"):
        part = result[name]
        print(f"\n[{name}] {part['requests_per_s']:.1f} requests/s, {part['errors']} errors")
        print(f"  {'route':24s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'errors':>7s}")
        for route, r in part["routes"].items():
            print(f"  {route:24s} {r['per_s']:8.1f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['errors']:7d}")
        for sample in part["error_samples"]:
            print(f"  error: {sample}")
        slow = part["slowest"][:4]
        if slow:
            print("  slowest: " + "; ".join(f"{r['ms']:.0f} ms at {r['at_s']:.2f} s ({r['route']})" for r in slow))
    ours, bare = result["list"]["routes"].get("claims page"), result["bare"]["routes"].get("claims page")
    if ours and bare and bare["per_s"]:
        print(f"\nclaims listing vs bare endpoint ({body_size:,}-byte page), same clients, same run: "
              f"throughput x{ours['per_s'] / bare['per_s']:.2f}, p50 x{ours['p50_ms'] / bare['p50_ms']:.2f}, "
              f"p99 x{ours['p99_ms'] / bare['p99_ms']:.2f}")
    ingest_route = result["mixed"]["routes"].get("ingest (POST report)")
    if ingest_route:
        print(f"HTTP ingestion with {args.writers} writers during 'mixed': {ingest_route['per_s']:.1f} reports/s "
              f"of {CLAIMS_PER_REPORT} claims")
    if ingest:
        print(f"claimtrace ingest of {args.cli_reports} files: {ingest[0]:.1f} reports/s "
              f"(parsing alone: {ingest[1]:.1f} reports/s, x{ingest[0] / ingest[1]:.2f})")


# --- main ----------------------------------------------------------------------------------------

@contextmanager
def database(args, workdir: Path) -> Iterator[tuple[str, bool]]:
    """(SQLAlchemy URL, whether it still needs seeding) for the run."""
    keep = Path(args.keep) if args.keep else None
    if args.db == "sqlite":
        folder = keep or workdir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"load-{args.mentions}.db"
        yield f"sqlite:///{path}", not path.exists()
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    name = f"claimtrace_load_{args.mentions}" if keep else f"claimtrace_load_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url, not exists
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--mentions", type=int, default=10_000, help="claim mentions to seed (100 per report)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent reading clients")
    parser.add_argument("--writers", type=int, default=4, help="clients ingesting reports during 'mixed'")
    parser.add_argument("--seconds", type=float, default=30.0, help="total timed seconds (all three targets)")
    parser.add_argument("--slice", type=float, default=2.0, help="seconds per target before switching")
    parser.add_argument("--cli-reports", type=int, default=200, help="files for 'claimtrace ingest' (0: skip)")
    parser.add_argument("--postgres-url", default=os.environ.get("CLAIMTRACE_TEST_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--keep", default=None, help="folder to keep and reuse the seeded database in")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--serve-bare", nargs=2, metavar=("BODY_FILE", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare[0], int(args.serve_bare[1]))
        return
    import httpx

    from app.migrate import upgrade
    from app.settings import Settings

    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="claimtrace-load-")))
        url, fresh = stack.enter_context(database(args, workdir))
        data_dir = workdir / "data"
        if fresh:
            upgrade(Settings(database_url=url, data_dir=data_dir))
            start = time.perf_counter()
            seeded = seed(url, args.mentions)
            print(f"seeded {seeded['mentions']:,} mentions in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        else:
            upgrade(Settings(database_url=url, data_dir=data_dir))
            seeded = targets(url)
        token = editor_token(url)
        ours_port, bare_port = free_port(), free_port()
        ours, bare = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{bare_port}"
        server = stack.enter_context(process(
            [str(Path(sys.executable).parent / "claimtrace"), "serve", "--host", "127.0.0.1",
             "--port", str(ours_port), "--no-worker"], app_env(url, data_dir), workdir / "serve.log"))
        wait_ready(ours, "/api/healthz", server, workdir / "serve.log")
        body = httpx.get(ours + "/api/claims?limit=50", timeout=30).content
        (workdir / "page.json").write_bytes(body)
        bare_proc = stack.enter_context(process(
            [sys.executable, __file__, "--serve-bare", str(workdir / "page.json"), str(bare_port)],
            dict(os.environ), workdir / "bare.log"))
        wait_ready(bare, "/api/claims", bare_proc, workdir / "bare.log")
        result = summary(asyncio.run(run_slices(args, ours, bare, seeded, token)))
        ingest = cli_ingest(url, data_dir, args.cli_reports, workdir) if args.cli_reports else None
        print_summary(args, seeded, result, ingest, len(body))
        if args.json:
            print(json.dumps({"db": args.db, "mentions": seeded["mentions"], "clients": args.clients,
                              "writers": args.writers, "targets": result,
                              "cli_ingest_reports_per_s": ingest[0] if ingest else None}))
        if args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
