"""The benchmark table: one row per benchmark, ours beside its anchor.

A run of the suite writes it to `build/benchmarks.md` (git-ignored), starting from
the committed `docs/benchmarks.md`, so the test command leaves the checkout as it
was; `KIOSK_BENCH_WRITE=1` makes a full run write `docs/benchmarks.md` itself, for
a commit.
"""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "docs" / "benchmarks.md"
DOC = COMMITTED if os.environ.get("KIOSK_BENCH_WRITE") == "1" else REPO / "build" / "benchmarks.md"
HEADER = "| id | what | ours | anchor | ratio |"
RULE = "| --- | --- | --- | --- | --- |"

INTRO = """# Benchmarks

Each row compares this project with an anchor measured on the same machine in
the same run, so the ratio means something on any machine. The tests that
produce them live in `tests/bench/`; the suite (`bash scripts/test.sh`) runs
them and writes their rows to `build/benchmarks.md`, and a full run with
`KIOSK_BENCH_WRITE=1` rewrites them here. No test fails on these numbers: the
goals below are for people to read.

Goals: P1 ratio <= 1.0; P2 ratio <= 1.0; P3 <= 150 ms each way and ratio <= 1.2;
P5 ratio <= 1.5; P6 >= 500 durable appends/s and >= 1,000 events/s drained (the
anchor is what the disk and the hub allow, so its ratio has no goal); P8 <= 33 ms in
the call (its anchor is the same window with no call); P4 ratio <= 1.0 (on every profile of
the village link each side's frozen time, the glass-to-glass age, median and p95, and the
lawyer's concealed audio at or under the anchor's), no freeze over 2 s while the link
carries packets, video back on both sides within 2 s of an outage's end, and a call through
TURN over TLS when only TCP to port 443 gets out.
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


_DETAIL = re.compile(r"<!-- detail (P\d+) -->\n(.*?)<!-- /detail \1 -->\n?", re.S)


def record(row: Row, note: str, detail: str | None = None) -> str:
    """Put `row` into the table (replacing its old one) and return the table as printed.

    `detail`: a Markdown section of its own (a table per profile, say), kept after the
    notes between markers until the benchmark writes it again."""
    rows: dict[str, str] = {}
    notes: dict[str, str] = {}
    details: dict[str, str] = {}
    source = DOC if DOC.exists() else COMMITTED
    if source.exists():
        text = source.read_text(encoding="utf-8")
        details = {m.group(1): m.group(2) for m in _DETAIL.finditer(text)}
        for line in _DETAIL.sub("", text).splitlines():
            match = re.match(r"\| (P\d+) \|", line)
            if match:
                rows[match.group(1)] = line
            match = re.match(r"- \*\*(P\d+)\*\*", line)
            if match:
                notes[match.group(1)] = line
    rows[row.id] = row.line()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    notes[row.id] = f"- **{row.id}** ({stamp}, {_machine()}): {note}"
    if detail is not None:
        details[row.id] = detail.strip() + "\n"
    order = sorted(rows, key=lambda key: int(key[1:]))
    table = "\n".join([HEADER, RULE, *(rows[key] for key in order)])
    sections = [f"<!-- detail {k} -->\n{details[k]}<!-- /detail {k} -->"
                for k in order if k in details]
    text = "\n".join(
        [INTRO, table, "", "## How each was measured", "", *(notes[k] for k in order if k in notes),
         *(["", *sections] if sections else [])]
    )
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text + "\n", encoding="utf-8")
    return "\n".join([HEADER, RULE, row.line()])
