"""One video consultation: aiortc peer, signaling client, media sources, stats, bitrate policy.

The only package that imports aiortc. Everything runs on the asyncio loop's
thread; events reach the UI through one `EventSink` callback, video frames
through a `FrameSlot`. Names load on first use (PEP 562), so importing
`kiosk.call` for `CallState` or `CallSettings` does not load aiortc.

    signal = SignalClient(signal_url(hub_url), token, on_event=sink)
    async with signal:
        call = Consultation(signal, ServiceCode.LEGAL_AID, settings=CallSettings(...),
                            ice_servers=fetch_ice_servers, on_event=sink,
                            remote_video=FrameSlot(notify), local_video=FrameSlot(notify2))
        await call.start()
        ...
        await call.hang_up()
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.call.consultation import Consultation
    from kiosk.call.events import (
        CallEvent,
        CallState,
        DeviceFallback,
        DocumentReceived,
        DocumentRequested,
        DocumentSent,
        EventSink,
        EventStream,
        ExpertJoined,
        FirstFrame,
        LinkChanged,
        MediaLost,
        MediaRestored,
        MediaStats,
        PeerState,
        PeerStateChanged,
        PolicyChanged,
        PolicyMode,
        QueueMoved,
        SendStepChanged,
        StateChanged,
    )
    from kiosk.call.frames import FrameSlot
    from kiosk.call.ice import IceServer, TurnPreference, parse_ice_servers
    from kiosk.call.ladder import SendLadder, SendStep
    from kiosk.call.pattern import Stamp, read_stamp
    from kiosk.call.peer import ConsultationPeer, PeerError
    from kiosk.call.policy import BitratePolicy
    from kiosk.call.settings import CallSettings, PolicySettings
    from kiosk.call.signal_client import SignalClient, signal_url
    from kiosk.call.sources import AudioSource, CameraUnavailable, DeviceError, VideoSource

__all__ = [
    "AudioSource",
    "BitratePolicy",
    "CallEvent",
    "CallSettings",
    "CallState",
    "CameraUnavailable",
    "Consultation",
    "ConsultationPeer",
    "DeviceError",
    "DeviceFallback",
    "DocumentReceived",
    "DocumentRequested",
    "DocumentSent",
    "EventSink",
    "EventStream",
    "ExpertJoined",
    "FirstFrame",
    "FrameSlot",
    "IceServer",
    "LinkChanged",
    "MediaLost",
    "MediaRestored",
    "MediaStats",
    "PeerError",
    "PeerState",
    "PeerStateChanged",
    "PolicyChanged",
    "PolicyMode",
    "PolicySettings",
    "QueueMoved",
    "SendLadder",
    "SendStep",
    "SendStepChanged",
    "SignalClient",
    "Stamp",
    "StateChanged",
    "TurnPreference",
    "VideoSource",
    "parse_ice_servers",
    "read_stamp",
    "signal_url",
]

# Which submodule defines each name; the rest of __all__ lives in `events`.
_HOME = {
    "Consultation": "consultation",
    "FrameSlot": "frames",
    **dict.fromkeys(("IceServer", "TurnPreference", "parse_ice_servers"), "ice"),
    **dict.fromkeys(("Stamp", "read_stamp"), "pattern"),
    **dict.fromkeys(("ConsultationPeer", "PeerError"), "peer"),
    "BitratePolicy": "policy",
    **dict.fromkeys(("SendLadder", "SendStep"), "ladder"),
    **dict.fromkeys(("CallSettings", "PolicySettings"), "settings"),
    **dict.fromkeys(("SignalClient", "signal_url"), "signal_client"),
    **dict.fromkeys(("AudioSource", "CameraUnavailable", "DeviceError", "VideoSource"), "sources"),
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_HOME.get(name, 'events')}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
