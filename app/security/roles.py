"""Roles, ordered: each one may do what the ones below it may do."""

from __future__ import annotations

from enum import IntEnum


class Role(IntEnum):
    """``viewer`` reads; ``editor`` also ingests, fetches, verifies and replicates (and cancels
    its own jobs); ``admin`` also manages tokens and cancels anyone's jobs."""

    viewer = 1
    editor = 2
    admin = 3

    @classmethod
    def parse(cls, name: str) -> Role:
        try:
            return cls[name]
        except KeyError:
            raise ValueError(f"unknown role {name!r}; use viewer, editor or admin") from None

    def __str__(self) -> str:
        return self.name
