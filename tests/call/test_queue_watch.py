"""The cap on what the kiosk asks the lawyer's browser to send (`queue_watch.py`), packet by
packet on a moved clock: a queue that builds brings it down, an empty one lets it climb."""

from __future__ import annotations

from kiosk.call.queue_watch import QueueSettings, QueueWatch

AST_PER_MS = (1 << 18) / 1000


def feed(watch: QueueWatch, start_ms: int, seconds: float, *, send_kbps: int,
         link_kbps: int, size: int = 1000) -> list[bool]:
    """Packets sent at `send_kbps` through a bottleneck of `link_kbps` (a FIFO queue)."""
    out, busy_until = [], float(start_ms)
    interval = size * 8 / send_kbps  # ms between packets
    t = float(start_ms)
    while t < start_ms + seconds * 1000:
        busy_until = max(t, busy_until) + size * 8 / link_kbps
        ast = int(t * AST_PER_MS) % (1 << 24)
        out.append(watch.packet(int(busy_until + 40), ast, size))
        t += interval
    return out


def test_a_queue_that_builds_brings_the_cap_down_and_an_empty_one_lets_it_climb() -> None:
    settings = QueueSettings()
    watch = QueueWatch(settings)
    assert not any(feed(watch, 0, 2, send_kbps=200, link_kbps=400))  # no queue: no cap
    assert watch.cap_bps is None and watch.limit(500_000) == 500_000
    # the sender goes over the link: the queue grows past `high_ms`
    reactions = feed(watch, 2000, 2, send_kbps=400, link_kbps=256)
    assert any(reactions) and watch.cap_bps is not None
    assert watch.cap_bps < 400_000 and watch.limit(1_000_000) == watch.cap_bps
    capped = watch.cap_bps
    # the sender obeys, the queue drains (one-way delay back to the least): it climbs again
    feed(watch, 4000, 8, send_kbps=150, link_kbps=256)
    assert watch.queue_ms < settings.low_ms and watch.cap_bps > capped


def test_packets_without_a_send_time_only_count_as_bytes() -> None:
    watch = QueueWatch()
    assert watch.packet(0, None, 1200) is False
    assert watch.incoming_bps() == 9600
