"""ICE servers from the hub, chosen for aiortc's one-STUN-one-TURN limit."""

from __future__ import annotations

import pytest

from kiosk.call.ice import (
    TurnPreference,
    parse_ice_servers,
    parse_uri,
    plan_ice_servers,
)
from kiosk.domain.signaling import IceServer

HUB_ANSWER = {
    "ice_servers": [
        {"urls": ["stun:hub.example.org:3478"]},
        {
            "urls": [
                "turn:hub.example.org:3478?transport=udp",
                "turn:hub.example.org:443?transport=tcp",
                "turns:hub.example.org:443?transport=tcp",
            ],
            "username": "1795600000:terminal-12",
            "credential": "c2VjcmV0",
        },
    ],
    "ttl_s": 86400,
}


def servers() -> list[IceServer]:
    return parse_ice_servers(HUB_ANSWER)[0]


def test_parse_the_hubs_answer() -> None:
    parsed, ttl = parse_ice_servers(HUB_ANSWER)
    assert ttl == 86400 and len(parsed) == 2
    assert parsed[1].username == "1795600000:terminal-12"
    for bad in ({}, {"ice_servers": "x", "ttl_s": 1}, {"ice_servers": [{"urls": 5}]},
                {"ice_servers": [1], "ttl_s": 1},
                {"ice_servers": [{"urls": [], "username": 3}], "ttl_s": 1}):
        with pytest.raises(ValueError):
            parse_ice_servers(bad)


def test_uris_get_explicit_ports() -> None:
    assert str(parse_uri("turns:hub.example.org")) == "turns:hub.example.org:5349?transport=tcp"
    assert str(parse_uri("turn:10.0.0.1")) == "turn:10.0.0.1:3478?transport=udp"
    assert str(parse_uri("stun:[::1]:19302")) == "stun:[::1]:19302"
    assert parse_uri("turns:h:443?transport=tcp").turn_transport == "tls"
    for bad in ("http://x", "stun:h:1?transport=udp", "turn:h:99999", "turn:"):
        with pytest.raises(ValueError):
            parse_uri(bad)


def test_one_stun_and_one_turn_per_attempt_rotating_in_auto() -> None:
    preference = TurnPreference()
    picked = []
    for attempt in (1, 2, 3, 4):
        plan, turn = plan_ice_servers(servers(), attempt=attempt, preference=preference)
        assert plan[0].urls == "stun:hub.example.org:3478"
        assert len(plan) == 2 and turn is not None
        assert plan[1].username == "1795600000:terminal-12"
        picked.append(plan[1].urls)
    assert picked == [
        "turn:hub.example.org:3478?transport=udp",
        "turns:hub.example.org:443?transport=tcp",  # 443 with an explicit port
        "turn:hub.example.org:443?transport=tcp",
        "turn:hub.example.org:3478?transport=udp",
    ]


def test_what_relayed_last_time_goes_first() -> None:
    preference = TurnPreference()
    preference.worked("tls")
    _, turn = plan_ice_servers(servers(), attempt=1, preference=preference)
    assert turn is not None and turn.transport == "tls"


def test_a_fixed_transport_sticks_and_relay_only_drops_stun() -> None:
    preference = TurnPreference("tcp")
    for attempt in (1, 2, 3):
        plan, _ = plan_ice_servers(servers(), attempt=attempt, preference=preference,
                                   relay_only=True)
        assert [s.urls for s in plan] == ["turn:hub.example.org:443?transport=tcp"]


def test_nothing_usable_gives_an_empty_list_never_none() -> None:
    plan, turn = plan_ice_servers([IceServer(urls=["turn:h:3478"])])  # no credentials
    assert plan == [] and turn is None
