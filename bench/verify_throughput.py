"""Claims verified per second with sources already indexed, with and without an NLI model.

    python bench/verify_throughput.py [--nli-model DIR] [--claims N] [--no-dense] [--repeats R]

Uses the SciFact subset (../shared/scifact-subset or --claims-file/--corpus-file): indexes are
built first (not timed), then every claim is verified against its cited abstracts. With
``--nli-model`` (e.g. the model `claimtrace verifier train` wrote) the checks-only path and the
model path are timed over the same claims, interleaved in alternating order, ``--repeats``
times each; the medians
and their ratio are printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from verifier.pipeline import VerifierModels, verify_claim
from verifier.scifact import load_claims, load_corpus
from verifier.evaluation import source_of

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "scifact-subset"


def run(models: VerifierModels, claims, corpus) -> dict:
    jobs = [(c.claim, [source_of(corpus[d]) for d in c.cited_doc_ids if d in corpus]) for c in claims]
    for _, sources in jobs:  # index every source version first (not timed)
        for source in sources:
            models.indexes.get(source.key, source.passages)
    verify_claim(jobs[0][0], jobs[0][1], models)  # warm-up
    started = time.perf_counter()
    for text, sources in jobs:
        verify_claim(text, sources, models)
    elapsed = time.perf_counter() - started
    return {"claims": len(jobs), "seconds": round(elapsed, 3), "claims_per_second": round(len(jobs) / elapsed, 2),
            "stance": models.model_ids()["stance"], "retrieval": models.model_ids()["retrieval"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims-file", type=Path, default=DEFAULT_DATA / "claims.jsonl")
    parser.add_argument("--corpus-file", type=Path, default=DEFAULT_DATA / "corpus.jsonl")
    parser.add_argument("--claims", type=int, default=100, help="how many claims to verify")
    parser.add_argument("--nli-model", help="also measure with this NLI model (local dir or hub id)")
    parser.add_argument("--no-dense", action="store_true", help="BM25 only")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each path, interleaved")
    args = parser.parse_args()
    claims = load_claims(args.claims_file)[: args.claims]
    corpus = load_corpus(args.corpus_file)
    embedding = None if args.no_dense else "default"
    paths = {"checks-only": VerifierModels.load(embedding_model=embedding)}
    if args.nli_model:
        paths["model"] = VerifierModels.load(embedding_model=embedding, nli_model=args.nli_model)
    runs: dict[str, list[dict]] = {name: [] for name in paths}
    for repeat in range(args.repeats):
        order = list(paths.items()) if repeat % 2 == 0 else list(reversed(paths.items()))  # alternate who goes first
        for name, models in order:
            runs[name].append(run(models, claims, corpus))
    summary = {name: {**{k: v for k, v in results[-1].items() if k != "seconds"},  # one run's seconds: not a median
                      "claims_per_second": statistics.median(r["claims_per_second"] for r in results),
                      "runs": [r["claims_per_second"] for r in results]} for name, results in runs.items()}
    if "model" in summary:
        summary["model_vs_checks_only"] = round(
            summary["model"]["claims_per_second"] / summary["checks-only"]["claims_per_second"], 3)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
