"""Which ways to coturn get out of a village (`kiosk/call/reach.py`), on the emulated link:
all of them on an open link, only TLS and TCP to port 443 where only that gets out."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from kiosk.call.ice import TurnPreference, plan_ice_servers, turn_choices
from kiosk.call.reach import reachable
from kiosk.domain.signaling import IceServer
from tests.call import coturn
from tests.call.coturn import Coturn, rest_credentials, running_coturn
from tests.support import village_link
from tests.support.requires import missing
from tests.support.village_link import PROFILES, TURN_IP, VillageLink, in_namespace


@pytest.fixture(scope="module")
def link(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VillageLink]:
    village_link.require()
    if not coturn.available():
        missing("turnserver not found (apt-get install coturn)")
    with VillageLink.open(tmp_path_factory.mktemp("reach-link")) as opened:
        yield opened


@pytest.fixture(scope="module")
def turn(link: VillageLink, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    link.reach_from_here(TURN_IP)
    with running_coturn(tmp_path_factory.mktemp("reach-turn"), ip=TURN_IP, port=3478,
                        tls_port=443, wrap=link.centre_argv([])) as server:
        yield server


def servers(turn: Coturn) -> list[IceServer]:
    """What the hub hands a terminal (docs/signaling.md): UDP on 3478, TCP and TLS on 443."""
    username, credential = rest_credentials(turn.secret, "terminal-1")
    urls = [f"turn:{TURN_IP}:3478?transport=udp", f"turn:{TURN_IP}:443?transport=tcp",
            f"turns:{TURN_IP}:443?transport=tcp"]
    return [IceServer(urls=[f"stun:{TURN_IP}:3478"]),
            IceServer(urls=urls, username=username, credential=credential)]


def in_the_village(link: VillageLink, turn: Coturn, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """`reachable` run as the kiosk would, from a thread inside the village namespace."""
    monkeypatch.setenv("SSL_CERT_FILE", str(turn.ca))
    result: list[set[str]] = []

    def run() -> None:
        with in_namespace(link.village):
            result.append(set(asyncio.run(reachable(turn_choices(servers(turn)), 3.0))))

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(30)
    assert result, "the probe did not finish"
    return result[0]


def test_an_open_link_lets_udp_out(link: VillageLink, turn: Coturn,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    link.shape(PROFILES["400k"])
    try:
        found = in_the_village(link, turn, monkeypatch)
    finally:
        link.clear()
    # UDP is the best there is: the probe stops waiting for the others once it answers
    assert "udp" in found


def test_where_only_443_gets_out_the_first_attempt_goes_over_tls(
    link: VillageLink, turn: Coturn, monkeypatch: pytest.MonkeyPatch,
) -> None:
    link.shape(PROFILES["443-only"])
    try:
        found = in_the_village(link, turn, monkeypatch)
    finally:
        link.clear()
    assert found == {"tls", "tcp"}
    preference = TurnPreference()
    preference.reachable = frozenset(found)  # type: ignore[arg-type]
    plan, choice = plan_ice_servers(servers(turn), attempt=1, preference=preference)
    assert choice is not None and choice.transport == "tls"
    assert str(choice.uri) == f"turns:{TURN_IP}:443?transport=tcp"
    # and no STUN, which is UDP: it would only hold the offer for aioice's 5 s timeout
    assert [server.urls for server in plan] == [str(choice.uri)]
    # without the probe, attempt 1 would have spent its 20 s on UDP
    _, blind = plan_ice_servers(servers(turn), attempt=1, preference=TurnPreference())
    assert blind is not None and blind.transport == "udp"
