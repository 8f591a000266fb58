"""P9: the kiosk app's memory in a call beside a Chromium instance doing the kiosk's side of the
same call, and whether it grows over consecutive calls (a soak).

Ours: the whole kiosk app in its own process under Xvfb (`call_kiosk_app.py`),
in a call with the lawyer's console (Debian's Chromium, fake camera), then
`KIOSK_SOAK_CALLS` calls one after another (50 in CI; 500 for a long soak),
each tapped from the schedule, shown, hung up and rated as a resident would,
its memory read back on the schedule screen after each. Anchor: a Chromium
instance of its own playing the kiosk's part of the same call
(`anchor_kiosk_call`, as in P2), its processes' memory summed as Pss (each
shared page divided among the processes that map it).

`KIOSK_CENSUS_EACH=1` asks the app after every call what it holds (objects of
a call's types, the types that grew, glibc's heap) and prints it;
`KIOSK_TRACEMALLOC=1` adds what Python allocated between two calls.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from playwright.sync_api import Browser, Playwright

from tests.bench.call_harness import (
    KioskAppProcess,
    anchor_kiosk_call,
    chromium_kind,
    lawyer_console,
    memory_kib,
    process_tree,
    require_xvfb,
)
from tests.bench.conftest import Terminals
from tests.bench.report import Row, record
from tests.support.hub import RunningHub

CALLS = int(os.environ.get("KIOSK_SOAK_CALLS", "50"))
WARMUP_CALLS = 10  # allocator pools, caches, the call screen's first use
HOLD_S = 1.0  # each soak call shows video this long before the hang-up
SETTLE_S = 5.0  # into the measured call before its memory is read


def _mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def test_p9_memory_in_a_call_and_over_many_calls(
    playwright: Playwright, browser: Browser, call_hub: RunningHub, terminals: Terminals,
    tmp_path: Path,
) -> None:
    require_xvfb()
    assert CALLS > WARMUP_CALLS + 10, "a soak needs calls after its warm-up"
    soak: list[int] = []  # Rss after each call, on the schedule screen (KiB)
    censuses = []  # what a call leaves alive, after the warm-up and at the end
    with lawyer_console(browser, call_hub) as console:
        with KioskAppProcess(
            call_hub, terminals.ours, tmp_path / "kiosk-data", tmp_path / "kiosk-app.log"
        ) as kiosk:
            start_rss = memory_kib(kiosk.pid, "Rss")
            kiosk.call()
            kiosk.expect("first_drawn")
            console.wait_video()
            time.sleep(SETTLE_S)
            layout = kiosk.geometry()
            ours_rss, ours_pss = memory_kib(kiosk.pid, "Rss"), memory_kib(kiosk.pid, "Pss")
            kiosk.hang_up()
            console.wait_idle()
            started = time.monotonic()
            for n in range(CALLS):
                kiosk.call()
                kiosk.expect("first_drawn")
                time.sleep(HOLD_S)
                kiosk.hang_up()
                console.wait_idle()
                soak.append(memory_kib(kiosk.pid, "Rss"))
                if n in (WARMUP_CALLS, CALLS - 1) or os.environ.get("KIOSK_CENSUS_EACH") == "1":
                    censuses.append(kiosk.census())
            soak_s = time.monotonic() - started
        with anchor_kiosk_call(playwright, call_hub, terminals.anchor, console,
                               tmp_path / "anchor", layout) as (_, root):
            time.sleep(SETTLE_S)
            by_kind: dict[str, int] = {}
            for pid in process_tree(root):
                kind = chromium_kind(pid)
                by_kind[kind] = by_kind.get(kind, 0) + memory_kib(pid, "Pss")
        assert console.log.unexpected() == []

    anchor_pss = sum(by_kind.values())
    assert ours_pss > 0 and anchor_pss > 0 and by_kind.get("renderer", 0) > 0, by_kind
    after_warmup = statistics.median(soak[WARMUP_CALLS:WARMUP_CALLS + 5])
    at_end = statistics.median(soak[-5:])
    growth = (at_end - after_warmup) / after_warmup
    kinds = ", ".join(f"{kind} {_mib(kib)}" for kind, kib in
                      sorted(by_kind.items(), key=lambda item: -item[1]) if kib >= 1024)
    table = record(
        Row("P9", "memory in a call (Pss) / growth over consecutive calls",
            f"{_mib(ours_pss)} / {growth * 100:+.1f} %", f"{_mib(anchor_pss)}",
            ours_pss / anchor_pss),
        f"goals: ours <= the anchor in a call, and <= 5 % growth after {WARMUP_CALLS} calls. "
        "In a call: the memory of the whole kiosk app (`tests/bench/call_kiosk_app.py`, "
        "1280×800 under Xvfb, test-pattern camera and tone, the renderer a terminal picks by "
        f"itself) {SETTLE_S:.0f} s into a 640×480 call with the lawyer's console (Debian's "
        f"Chromium, fake camera): Pss {_mib(ours_pss)}, Rss {_mib(ours_rss)} (at the start "
        f"screen before it: Rss {_mib(start_rss)}); anchor: a Chromium instance of its own "
        "playing the kiosk's part of the same call (`anchor_kiosk_call`, the kiosk's pattern "
        "through its fake camera, both pictures in `<video>` elements at the kiosk's places), "
        f"Pss summed over its processes: {kinds} (a tab alone is its renderer; the rest is "
        f"what any tab needs). Soak: {CALLS} calls one after another ({soak_s:.0f} s), each "
        f"tapped from the schedule, shown for {HOLD_S:.0f} s, hung up and rated (the app then "
        "collects what the call left in cycles and trims the C heap, `kiosk/memory.py`), its "
        f"Rss read on the schedule screen after each: after call {WARMUP_CALLS} (median of 5) "
        f"{_mib(after_warmup)}, at the end (median of the last 5) {_mib(at_end)}: "
        f"{growth * 100:+.1f} %; smallest {_mib(min(soak))}, largest {_mib(max(soak))}.",
    )
    print("\n" + table)
    print("soak Rss (MiB):", [round(k / 1024) for k in soak])
    print("census:", censuses)
