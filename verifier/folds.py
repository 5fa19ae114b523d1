"""Claims grouped by the abstracts they cite, and folds that never split a group.

SciFact pairs many claims with one abstract (a claim and its negation, near-duplicates): a
fold that tests a claim whose sibling was trained on leaks. Claims citing a common abstract
are one group (transitively); folds are stratified by label as far as groups allow.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from verifier.scifact import SciFactClaim


def claim_groups(claims: Sequence[SciFactClaim]) -> list[int]:
    """A group number per claim: claims sharing a cited abstract, transitively, share one."""
    parent = list(range(len(claims)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for i, claim in enumerate(claims):
        for doc in {*claim.cited_doc_ids, *claim.evidence}:
            if doc in first_with:
                parent[root(i)] = root(first_with[doc])
            else:
                first_with[doc] = i
    roots = [root(i) for i in range(len(claims))]
    numbering = {r: n for n, r in enumerate(dict.fromkeys(roots))}
    return [numbering[r] for r in roots]


def grouped_folds(claims: Sequence[SciFactClaim], folds: int, seed: int = 13
                  ) -> list[tuple[list[int], list[int]]]:
    """(train indices, test indices) per fold; no group is on both sides of any fold."""
    from sklearn.model_selection import StratifiedGroupKFold

    groups = claim_groups(claims)
    if len(set(groups)) < folds:
        raise ValueError(f"{len(set(groups))} groups of claims sharing abstracts: fewer than {folds} folds")
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    labels = [c.label for c in claims]
    return [(list(train), list(test)) for train, test in splitter.split(claims, labels, groups)]


def grouped_split(claims: Sequence[SciFactClaim], share: float, seed: int = 13
                  ) -> tuple[list[SciFactClaim], list[SciFactClaim]]:
    """A (train, held-back) split of about ``share`` held back, whole groups on each side."""
    if share <= 0 or len(claims) < 4:
        return list(claims), []
    folds = max(2, round(1 / share))
    try:
        train, held = grouped_folds(claims, folds, seed)[0]
    except ValueError:
        return list(claims), []
    return [claims[i] for i in train], [claims[i] for i in held]


def fingerprint(claim: SciFactClaim) -> str:
    """What identifies a claim across files: its id and text (ids alone collide across splits)."""
    return hashlib.sha256(f"{claim.id}\x1f{claim.claim.strip()}".encode()).hexdigest()[:16]
