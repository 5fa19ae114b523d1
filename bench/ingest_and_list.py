"""Benchmark: ingest generated reports over HTTP, then list claims over ~100k claims.

Prints reports/s and claim-listing latency percentiles next to a bare FastAPI endpoint that
returns a JSON body of the same size, both served by uvicorn in this process, in the same run.

    .venv/bin/python bench/ingest_and_list.py [--reports 1000] [--claims-per-report 100]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import Response

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _http import latencies, percentiles, serve  # noqa: E402

from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.settings import Settings  # noqa: E402

WORDS = ("intermediate task training improves zero-shot cross-lingual transfer on XTREME XNLI PAWS-X "
         "MLQA TyDiQA BUCC Tatoeba with XLM-R Large by points over the baseline model when fine-tuned").split()


def make_report(index: int, claims: int, rng: random.Random) -> str:
    rows = []
    for c in range(claims):
        # Every tenth claim is shared across reports, as in real syntheses.
        seed = c if c % 10 == 0 else index * claims + c
        words = random.Random(seed).choices(WORDS, k=16)
        rows.append(f"Claim {seed}: {' '.join(words)} {seed % 97}.{seed % 10} points.\t✓\t{rng.random():.2f}")
    table = "\n".join(rows)
    return (f"Generated report {index}\n\nBench Author\n\nJune 21, 2026\n\nAbstract\n\nText.\n\n"
            f"1 Introduction\n\nResearch question: does it scale {index}?.\n\n3 Results\n\n"
            f"{claims} claims extracted; {claims} independently verified.\n\n5 Extracted Claims\n\n"
            f"Claim\tVerified\tConfidence\n{table}\n\nReferences\n\n- <http://arxiv.org/abs/2005.13013v2>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--claims-per-report", type=int, default=100)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    args = parser.parse_args()

    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=args.database_url)
        upgrade(settings)
        reports = [make_report(i, args.claims_per_report, rng).encode() for i in range(args.reports)]
        with serve(create_app(settings)) as base, httpx.Client(base_url=base, timeout=60) as client:
            start = time.perf_counter()
            for body in reports:
                client.post("/api/reports", content=body, headers={"content-type": "text/plain"}).raise_for_status()
            ingest_s = time.perf_counter() - start
            first = client.get("/api/claims", params={"limit": 50})
            cursors = [None]
            while len(cursors) < 50 and (cursor := client.get(
                    "/api/claims", params={"limit": 50, **({"cursor": cursors[-1]} if cursors[-1] else {})}
            ).json()["next_cursor"]):
                cursors.append(cursor)
            page_paths = ["/api/claims?limit=50" + (f"&cursor={c}" if c else "") for c in cursors]
            claims_total = args.reports * args.claims_per_report
            app_ms = latencies(client, lambda i: page_paths[i % len(page_paths)], args.requests)
            search_ms = latencies(client, lambda i: "/api/claims?limit=50&q=XTREME%20XNLI&sort=text", args.requests // 3)
        body = first.content
        bare = FastAPI()
        bare.get("/claims")(lambda: Response(body, media_type="application/json"))
        with serve(bare) as base, httpx.Client(base_url=base, timeout=60) as client:
            bare_ms = latencies(client, lambda i: "/claims", args.requests)

    app_p, bare_p, search_p = percentiles(app_ms), percentiles(bare_ms), percentiles(search_ms)
    print(f"ingest: {args.reports} reports ({claims_total:,} claim mentions) in {ingest_s:.1f}s "
          f"= {args.reports / ingest_s:.1f} reports/s")
    print(f"list claims page of 50 ({len(body):,} bytes), {args.requests} requests:")
    for name, p in (("GET /api/claims", app_p), ("GET /api/claims?q=..&sort=text", search_p), ("bare FastAPI", bare_p)):
        print(f"  {name:32s} p50 {p['p50']:6.2f} ms  p95 {p['p95']:6.2f} ms  p99 {p['p99']:6.2f} ms")
    print(f"ratio /api/claims vs bare endpoint: p50 x{app_p['p50'] / bare_p['p50']:.2f}, "
          f"p95 x{app_p['p95'] / bare_p['p95']:.2f}")
    print(json.dumps({"reports_per_s": args.reports / ingest_s, "list": app_p, "search": search_p, "bare": bare_p}))


if __name__ == "__main__":
    main()
