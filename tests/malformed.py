"""Malformed variants of a sample report, each with the line and message it must be rejected with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SAMPLE = (Path(__file__).resolve().parent.parent / "examples" / "reports" / "000_97c8ac049e882d5d.txt").read_bytes()
SAMPLE_LINES = SAMPLE.decode().split("\n")
FIRST_ROW = next(i for i, line in enumerate(SAMPLE_LINES) if line.startswith("Claim\t")) + 1  # 0-based


@dataclass(frozen=True)
class Malformed:
    name: str
    data: bytes
    line: int
    message: str
    status: int = 422


def _with_row(row: str, index: int = FIRST_ROW) -> bytes:
    lines = list(SAMPLE_LINES)
    lines[index] = row
    return "\n".join(lines).encode()


def _without_rows() -> bytes:
    lines = list(SAMPLE_LINES)
    end = next(i for i in range(FIRST_ROW, len(lines)) if not lines[i].strip())
    return "\n".join(lines[:FIRST_ROW] + lines[end:]).encode()


def _without_table() -> bytes:
    return "\n".join(line for line in SAMPLE_LINES if "\t" not in line).encode()


def _too_many_claims(limit: int) -> bytes:
    rows = [f"Claim number {i} about XTREME.\t✓\t0.5" for i in range(limit + 1)]
    return "\n".join(SAMPLE_LINES[:FIRST_ROW] + rows + ["", "References", "- <http://arxiv.org/abs/2005.13013v2>"]).encode()


def cases(max_claims: int = 2000, max_bytes: int = 2_000_000) -> list[Malformed]:
    row = FIRST_ROW + 1  # 1-based line of the first table row
    return [
        Malformed("confidence above 1", _with_row("A claim.\t✓\t1.5"), row, "outside [0, 1]"),
        Malformed("negative confidence", _with_row("A claim.\t✓\t-0.1"), row, "outside [0, 1]"),
        Malformed("confidence not a number", _with_row("A claim.\t✓\thigh"), row, "not a number"),
        Malformed("confidence NaN", _with_row("A claim.\t✓\tnan"), row, "outside [0, 1]"),
        Malformed("unknown verified mark", _with_row("A claim.\t?\t0.5"), row, "unknown verified mark"),
        Malformed("too few columns", _with_row("A claim.\t0.5"), row, "has 2 columns"),
        Malformed("too many columns", _with_row("A claim.\t✓\t0.5\textra"), row, "has 4 columns"),
        Malformed("bad row further down", _with_row("Another.\t✓\t2", FIRST_ROW + 5), row + 5, "outside [0, 1]"),
        Malformed("no claims table", _without_table(), SAMPLE_LINES.index("5 Extracted Claims") + 1, "no claims table"),
        Malformed("table with no rows", _without_rows(), FIRST_ROW, "no rows"),
        Malformed("empty", b"", 1, "empty"),
        Malformed("only whitespace", b"  \n\n\t\n", 1, "empty"),
        Malformed("not UTF-8", SAMPLE[:200] + b"\xff\xfe" + SAMPLE[200:], SAMPLE[:200].count(b"\n") + 1, "not UTF-8"),
        Malformed("over the size limit", SAMPLE + b"x" * (max_bytes + 1), 0, "size limit", 413),
        Malformed("over the claims limit", _too_many_claims(max_claims), FIRST_ROW + max_claims + 1, "more than", 413),
    ]
