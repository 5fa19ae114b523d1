"""Lookup over every registered task: by name or alias, by benchmark, intermediate."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .intermediate import intermediate_definitions
from .model import Category, Task, UnknownTaskError
from .targets import xtreme_r_targets, xtreme_targets

CATEGORIES: tuple[Category, ...] = ("classification", "tagging", "qa", "retrieval")


@dataclass(frozen=True)
class Benchmark:
    """A benchmark: its tasks (with that benchmark's languages) and categories."""

    name: str
    tasks: tuple[Task, ...]

    @property
    def task_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tasks)

    def categories(self) -> dict[str, tuple[str, ...]]:
        """Category → task names, in the official (category, task) order."""
        return {
            c: tuple(t.name for t in self.tasks if t.category == c)
            for c in CATEGORIES
            if any(t.category == c for t in self.tasks)
        }

    def task(self, name: str) -> Task:
        canonical = _canonical_name(name)
        for t in self.tasks:
            if t.name == canonical:
                return t
        raise UnknownTaskError(name, list(self.task_names))


@cache
def _benchmarks() -> dict[str, Benchmark]:
    return {
        "xtreme": Benchmark("xtreme", xtreme_targets()),
        "xtreme-r": Benchmark("xtreme-r", xtreme_r_targets()),
    }


_BENCHMARK_ALIASES = {"xtreme_r": "xtreme-r", "xtremer": "xtreme-r", "xtreme-1": "xtreme"}


def get_benchmark(name: str) -> Benchmark:
    key = name.strip().lower()
    key = _BENCHMARK_ALIASES.get(key, key)
    try:
        return _benchmarks()[key]
    except KeyError:
        raise UnknownTaskError(name, list(_benchmarks()), kind="benchmark") from None


@cache
def _all_tasks() -> dict[str, Task]:
    """Canonical name → task; XTREME's version wins for tasks in both benchmarks."""
    tasks: dict[str, Task] = {}
    for task in (*xtreme_targets(), *xtreme_r_targets(), *intermediate_definitions()):
        tasks.setdefault(task.name, task)
    return tasks


@cache
def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for task in _all_tasks().values():
        for key in (task.name, *task.aliases, task.display_name):
            table[_normalise(key)] = task.name
    return table


def _normalise(name: str) -> str:
    return name.strip().lower().replace(" ", "")


def _canonical_name(name: str) -> str:
    try:
        return _aliases()[_normalise(name)]
    except KeyError:
        raise UnknownTaskError(name, list(_all_tasks())) from None


def get_task(name: str, benchmark: str | None = None) -> Task:
    """The task called ``name`` (any alias, case-insensitive).

    With ``benchmark`` the task carries that benchmark's languages (PAN-X has 40
    in XTREME, 48 in XTREME-R); without it, XTREME's version where there is one.
    """
    if benchmark is not None:
        return get_benchmark(benchmark).task(name)
    return _all_tasks()[_canonical_name(name)]


def benchmark_tasks(benchmark: str) -> list[Task]:
    """The target tasks of ``"xtreme"`` or ``"xtreme-r"``, in the official order."""
    return list(get_benchmark(benchmark).tasks)


def intermediate_tasks() -> list[Task]:
    """Every registered English intermediate task (the paper's nine plus SST-2)."""
    return list(intermediate_definitions())


def all_tasks() -> list[Task]:
    return list(_all_tasks().values())
