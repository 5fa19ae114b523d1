"""Official XTREME / XTREME-R scoring: metrics, retrieval helpers, folder scorer."""

from .errors import ScoringError
from .folders import score_folders, score_language, score_task, task_metric
from .metrics import (
    accuracy,
    average_precision_at_k,
    bucc_f1,
    map_at_k,
    seqeval_f1,
    tatoeba_accuracy,
)
from .qa import (
    mlqa_em_f1,
    normalize_mlqa_answer,
    normalize_squad_answer,
    squad_em_f1,
)
from .retrieval import (
    BuccThreshold,
    bucc_best_threshold,
    cosine_similarity,
    margin_scores,
    mine_pairs,
    nearest_neighbours,
    tatoeba_accuracy_from_embeddings,
)

__all__ = [
    "BuccThreshold",
    "ScoringError",
    "accuracy",
    "average_precision_at_k",
    "bucc_best_threshold",
    "bucc_f1",
    "cosine_similarity",
    "map_at_k",
    "margin_scores",
    "mine_pairs",
    "mlqa_em_f1",
    "nearest_neighbours",
    "normalize_mlqa_answer",
    "normalize_squad_answer",
    "score_folders",
    "score_language",
    "score_task",
    "seqeval_f1",
    "squad_em_f1",
    "task_metric",
    "tatoeba_accuracy",
    "tatoeba_accuracy_from_embeddings",
]
