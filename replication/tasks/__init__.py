"""The task registry: XTREME / XTREME-R targets and English intermediate tasks."""

from .intermediate import PAPER_INTERMEDIATE_TASKS
from .model import Category, FileLayout, Head, Split, Task, TaskFormat, UnknownTaskError
from .registry import (
    CATEGORIES,
    Benchmark,
    all_tasks,
    benchmark_tasks,
    get_benchmark,
    get_task,
    intermediate_tasks,
)

__all__ = [
    "CATEGORIES",
    "PAPER_INTERMEDIATE_TASKS",
    "Benchmark",
    "Category",
    "FileLayout",
    "Head",
    "Split",
    "Task",
    "TaskFormat",
    "UnknownTaskError",
    "all_tasks",
    "benchmark_tasks",
    "get_benchmark",
    "get_task",
    "intermediate_tasks",
]
