"""Which ways to the TURN server get out of this village, tried while the lawyers ring.

aiortc uses one TURN address per peer connection (`ice.py`), and one that does
not get out costs a whole attempt: `connect_timeout_s` (20 s) before the next
transport is tried. Behind a carrier-grade NAT that lets only TCP to port 443
out, the resident would wait 20 s for UDP to fail before TURN over TLS. So,
while the consoles ring, `reachable` asks each TURN address once, all at the
same time: a STUN binding request over UDP, a TCP connection, a TLS handshake.
`TurnPreference` then starts with a transport that answered. Nothing is
learnt from silence within `timeout_s` but that it did not answer in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import ssl
import struct
from collections.abc import Sequence

from kiosk.call.ice import TurnChoice, TurnTransport

log = logging.getLogger(__name__)

TIMEOUT_S = 3.0
# A STUN answer comes within a round trip, asked four times; a village's worst round trips
# are well under a second. Longer only delays the first offer where UDP does not get out.
UDP_TIMEOUT_S = 2.0
_MAGIC_COOKIE = 0x2112A442
_BINDING_REQUEST = 0x0001
_BINDING_SUCCESS = 0x0101


class _StunProbe(asyncio.DatagramProtocol):
    def __init__(self, transaction: bytes) -> None:
        self.transaction = transaction
        self.answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def datagram_received(self, data: bytes, addr: object) -> None:
        if (len(data) >= 20 and struct.unpack_from("!H", data)[0] == _BINDING_SUCCESS
                and data[8:20] == self.transaction and not self.answered.done()):
            self.answered.set_result(None)


async def _udp(host: str, port: int, timeout_s: float) -> bool:
    loop = asyncio.get_running_loop()
    transaction = os.urandom(12)
    request = struct.pack("!HHI", _BINDING_REQUEST, 0, _MAGIC_COOKIE) + transaction
    transport, probe = await loop.create_datagram_endpoint(
        lambda: _StunProbe(transaction), remote_addr=(host, port))
    try:
        async with asyncio.timeout(timeout_s):
            for _ in range(4):  # a lossy uplink: ask again, as STUN does
                transport.sendto(request)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout_s / 4):
                        await asyncio.shield(probe.answered)
                        return True
    except TimeoutError:
        return False
    finally:
        transport.close()
    return False


async def _tcp(host: str, port: int, tls: bool, timeout_s: float) -> bool:
    context = ssl.create_default_context() if tls else None  # as aioice's TURN client
    try:
        async with asyncio.timeout(timeout_s):
            _, writer = await asyncio.open_connection(
                host, port, ssl=context, server_hostname=host if tls else None)
    except (OSError, TimeoutError, ssl.SSLError) as exc:
        log.debug("TURN %s:%d over %s: %r", host, port, "TLS" if tls else "TCP", exc)
        return False
    writer.close()
    with contextlib.suppress(OSError, ssl.SSLError):
        await writer.wait_closed()
    return True


async def _one(choice: TurnChoice, timeout_s: float) -> bool:
    uri = choice.uri
    try:
        if choice.transport == "udp":
            return await _udp(uri.host, uri.port, min(timeout_s, UDP_TIMEOUT_S))
        return await _tcp(uri.host, uri.port, choice.transport == "tls", timeout_s)
    except OSError:
        return False  # no route at all (the village link is down)


async def reachable(choices: Sequence[TurnChoice],
                    timeout_s: float = TIMEOUT_S) -> set[TurnTransport]:
    """The transports among `choices` whose TURN address answered within `timeout_s`."""
    if not choices:
        return set()
    probes = {asyncio.ensure_future(_one(c, timeout_s)): c.transport for c in choices}
    found: set[TurnTransport] = set()
    pending = set(probes)
    try:
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            found |= {probes[task] for task in done
                      if task.exception() is None and task.result()}
            if "udp" in found:
                break  # the best there is: no need to wait for the others
    finally:
        for task in pending:
            task.cancel()
    log.info("TURN reachable over %s (of %s)", ", ".join(sorted(found)) or "nothing",
             ", ".join(c.transport for c in choices))
    return found
