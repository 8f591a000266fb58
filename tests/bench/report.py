"""The benchmark table in docs/benchmarks.md: one row per benchmark, ours beside its anchor."""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
HEADER = "| id | what | ours | anchor | ratio |"
RULE = "| --- | --- | --- | --- | --- |"

INTRO = """# Benchmarks

Each row compares this project with an anchor measured on the same machine in
the same run, so the ratio means something on any machine. The tests that
produce them live in `tests/bench/`; the suite (`bash scripts/test.sh`) runs
them and rewrites their rows here. No test fails on these numbers: the goals
below are for people to read.

Goals: P1 ratio <= 1.0; P2 ratio <= 1.0; P3 <= 150 ms each way and ratio <= 1.2;
P5 ratio <= 1.5; P6 >= 500 durable appends/s and >= 1,000 events/s drained (the
anchor is what the disk and the hub allow, so its ratio has no goal); P8 <= 33 ms in
the call (its anchor is the same window with no call).
"""


@dataclass(frozen=True)
class Row:
    id: str
    what: str
    ours: str
    anchor: str
    ratio: float

    def line(self) -> str:
        return f"| {self.id} | {self.what} | {self.ours} | {self.anchor} | {self.ratio:.2f} |"


def _machine() -> str:
    return f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"


def record(row: Row, note: str) -> str:
    """Put `row` into the table (replacing its old one) and return the table as printed."""
    rows: dict[str, str] = {}
    notes: dict[str, str] = {}
    if DOC.exists():
        for line in DOC.read_text(encoding="utf-8").splitlines():
            match = re.match(r"\| (P\d+) \|", line)
            if match:
                rows[match.group(1)] = line
            match = re.match(r"- \*\*(P\d+)\*\*", line)
            if match:
                notes[match.group(1)] = line
    rows[row.id] = row.line()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    notes[row.id] = f"- **{row.id}** ({stamp}, {_machine()}): {note}"
    order = sorted(rows, key=lambda key: int(key[1:]))
    table = "\n".join([HEADER, RULE, *(rows[key] for key in order)])
    text = "\n".join(
        [INTRO, table, "", "## How each was measured", "", *(notes[k] for k in order if k in notes)]
    )
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text + "\n", encoding="utf-8")
    return "\n".join([HEADER, RULE, row.line()])
