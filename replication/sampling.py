"""Task sampling for multi-task training and length-grouped batching.

Both are deterministic functions of a seed, so a resumed run sees exactly the
batches it would have seen without the interruption.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from replication.spec import SamplingScheme


def task_probabilities(
    sizes: Sequence[int],
    scheme: SamplingScheme | str = SamplingScheme.proportional,
    *,
    cap: int = 20_000,
    temperature: float = 2.0,
) -> np.ndarray:
    """Probability of drawing each task, from the tasks' training-set sizes.

    proportional: p_i ∝ n_i; capped_proportional: p_i ∝ min(n_i, cap);
    uniform: p_i = 1/k; temperature: p_i ∝ n_i^(1/T) (T=1 is proportional, T→∞ uniform).
    """
    n = np.asarray(sizes, dtype=np.float64)
    if n.ndim != 1 or len(n) == 0:
        raise ValueError("need at least one task size")
    if (n <= 0).any():
        raise ValueError(f"every task needs training examples, got sizes {list(sizes)}")
    scheme = SamplingScheme(scheme)
    if scheme is SamplingScheme.proportional:
        weights = n
    elif scheme is SamplingScheme.capped_proportional:
        weights = np.minimum(n, cap)
    elif scheme is SamplingScheme.uniform:
        weights = np.ones_like(n)
    else:
        weights = n ** (1.0 / temperature)
    return weights / weights.sum()


def task_schedule(probabilities: np.ndarray, steps: int, seed: int) -> np.ndarray:
    """The task index of every optimiser step (drawn once, up front)."""
    rng = np.random.default_rng([seed, 0x7A5C])
    return rng.choice(len(probabilities), size=steps, p=probabilities)


def length_grouped_batches(
    lengths: Sequence[int], batch_size: int, seed: int, *, mega_factor: int = 50
) -> list[list[int]]:
    """Shuffle, cut into mega-batches of ``mega_factor`` batches, sort each by length,
    split into batches and shuffle the batches.

    Sequences of similar length share a batch (little padding), while batch order and
    composition stay random across epochs. The longest batch goes first so that an
    out-of-memory error shows at step one, as in transformers' LengthGroupedSampler.
    """
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(lengths))
    mega = batch_size * mega_factor
    batches: list[list[int]] = []
    for start in range(0, len(order), mega):
        chunk = sorted(order[start : start + mega].tolist(), key=lambda i: -lengths[i])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    perm = rng.permutation(len(batches)).tolist()
    batches = [batches[i] for i in perm]
    if batches:
        longest = max(range(len(batches)), key=lambda b: max(lengths[i] for i in batches[b]))
        batches[0], batches[longest] = batches[longest], batches[0]
    return batches
