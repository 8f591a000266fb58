"""The bitrate the kiosk asks the lawyer's browser for (`queue_watch.py`), packet by packet on
a moved clock: what arrives after the first half second, down when a queue builds, up when it
drains, never far ahead of what arrives."""

from __future__ import annotations

import itertools

from kiosk.call.queue_watch import QueueSettings, QueueWatch

AST_PER_MS = (1 << 18) / 1000


def feed(watch: QueueWatch, start_ms: int, seconds: float, *, send_kbps: int,
         link_kbps: int, size: int = 1000, backoffs: list[int] | None = None) -> list[bool]:
    """Packets sent at `send_kbps` through a bottleneck of `link_kbps` (a FIFO queue);
    `backoffs` gets the watch's count after each."""
    out, busy_until = [], float(start_ms)
    interval = size * 8 / send_kbps  # ms between packets
    t = float(start_ms)
    while t < start_ms + seconds * 1000:
        busy_until = max(t, busy_until) + size * 8 / link_kbps
        ast = int(t * AST_PER_MS) % (1 << 24)
        out.append(watch.packet(int(busy_until + 40), ast, size))
        if backoffs is not None:
            backoffs.append(watch.backoffs)
        t += interval
    return out


def test_the_first_half_second_leaves_the_browser_its_start_then_it_asks_for_what_arrives() -> None:
    settings = QueueSettings()
    watch = QueueWatch(settings)
    assert not any(feed(watch, 0, 0.45, send_kbps=200, link_kbps=400))
    assert watch.rate_bps is None
    due = feed(watch, 450, 0.3, send_kbps=200, link_kbps=400)
    assert due.count(True) == 1  # the first REMB, once there is a rate
    assert watch.rate_bps is not None
    assert abs(watch.rate_bps - 200_000) < 40_000  # a half second of packets


def test_a_queue_that_builds_brings_the_rate_down_and_an_empty_one_lets_it_climb() -> None:
    settings = QueueSettings()
    watch = QueueWatch(settings)
    feed(watch, 0, 2, send_kbps=200, link_kbps=400)
    before = watch.rate_bps
    assert before is not None
    # the sender goes over the link: the queue grows past `high_ms`, the rate drops to what
    # the link lets through, less the backoff
    feed(watch, 2000, 2, send_kbps=400, link_kbps=256)
    assert watch.backoffs >= 1 and watch.rate_bps is not None
    assert watch.rate_bps < settings.backoff * 256_000 * 1.05
    dropped = watch.rate_bps
    # the sender obeys, the queue drains (one-way delay back to the least): it climbs again
    feed(watch, 4000, 8, send_kbps=150, link_kbps=256)
    assert watch.queue_ms < settings.low_ms and watch.rate_bps > dropped


def test_the_rate_never_climbs_far_past_what_arrives() -> None:
    """A still picture: the browser sends far less than it may; asking for ever more would
    let it burst into a queue the day the picture moves."""
    settings = QueueSettings()
    watch = QueueWatch(settings)
    feed(watch, 0, 30, send_kbps=60, link_kbps=1000)
    assert watch.rate_bps is not None
    assert watch.rate_bps <= settings.headroom * 60_000 * 1.1


def test_a_remb_goes_out_every_half_second_and_at_once_when_the_rate_drops() -> None:
    settings = QueueSettings()
    watch = QueueWatch(settings)
    due = feed(watch, 0, 6, send_kbps=200, link_kbps=400)
    assert 8 <= due.count(True) <= 12  # five seconds with a rate, two a second
    counts: list[int] = []
    due = feed(watch, 6000, 1, send_kbps=400, link_kbps=256, backoffs=counts)
    drops = [i for i in range(1, len(counts)) if counts[i] > counts[i - 1]]
    assert drops and all(due[i] for i in drops)


def test_packets_without_a_send_time_only_count_as_bytes() -> None:
    watch = QueueWatch()
    assert watch.packet(0, None, 1200) is False
    assert watch.incoming_bps() == 9600
    assert watch.rate_bps is None


def test_packets_a_tcp_relay_held_back_behind_a_lost_segment_are_no_queue() -> None:
    """TURN over TLS: a lost segment holds the packets behind it for a retransmission
    timeout, then they all arrive at once. Their delay is no standing queue."""
    watch = QueueWatch()
    interval, held_until = 40.0, -1.0
    t = 0.0
    while t < 10_000:
        if t % 1000 < 1:  # once a second, 150 ms of packets wait behind a lost segment
            held_until = t + 150
        arrival = max(t, held_until) + 20
        watch.packet(int(arrival), int(t * AST_PER_MS) % (1 << 24), 1000)
        t += interval
    assert watch.backoffs == 0 and watch.rate_bps is not None
    assert watch.rate_bps > 200_000  # it climbed: 1000 bytes every 40 ms is 200 kbit/s


def test_near_the_rate_the_link_carried_it_climbs_slowly() -> None:
    """Climbing 8 % a second up to the queue and backing off made a saw: the queue's p95 at
    135-150 ms on the 400 kbit/s link (P4). Near what arrived when the queue stood, the
    climb is a few kbit/s a second; a link that carries far more is climbed freely again."""
    settings = QueueSettings()
    watch = QueueWatch(settings)
    feed(watch, 0, 2, send_kbps=200, link_kbps=400)
    feed(watch, 2000, 2, send_kbps=400, link_kbps=256)  # the queue stands: a backoff
    assert watch.capacity_bps is not None and 230_000 < watch.capacity_bps < 280_000
    rates: list[int] = []
    for second in range(14):  # once the queue has gone, the sender below the link: it climbs
        feed(watch, 5500 + second * 1000, 1, send_kbps=220, link_kbps=256)
        assert watch.rate_bps is not None
        rates.append(watch.rate_bps)
    near = [r for r in rates if r >= settings.near * watch.capacity_bps]
    assert len(near) >= 3
    steps = [b - a for a, b in itertools.pairwise(near)]
    assert all(0 <= step <= settings.near_climb_bps * 1.2 for step in steps), rates
    # the link got better: far more arrives than it carried, the capacity is forgotten
    feed(watch, 19_500, 3, send_kbps=450, link_kbps=1000)
    assert watch.capacity_bps is None
