"""Typed async client of the central API, and the kiosk's cached view of it."""

from kiosk.api.client import HubClient
from kiosk.api.errors import HubError, HubProblem
from kiosk.api.link import HubLink, Snapshot

__all__ = ["HubClient", "HubError", "HubLink", "HubProblem", "Snapshot"]
