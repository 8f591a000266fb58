"""The HTTP client of the central API.

Every failure, whatever the hub or the network did, leaves as a `HubError` with
one of a few `HubProblem` kinds, so callers never see an httpx or pydantic
exception. The transport can be injected (httpx's MockTransport or ASGI
transport in tests).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, TypeVar
from uuid import UUID

import httpx
from pydantic import BaseModel, ValidationError

from kiosk.api.errors import HubError, HubProblem
from kiosk.domain.consultations import CallbackIn, CallbackRequest
from kiosk.domain.models import EnrolRequest, EnrolResult, Schedule, TerminalProfile
from kiosk.domain.records import RecordAck, RecordEvent, RecordUpload
from kiosk.domain.signaling import IceServers

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

# Rural uplinks are slow but a schedule is small: a long read timeout only
# delays falling back to the cache, so keep it moderate.
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class NotModified(Exception):
    """The hub confirmed that our cached copy is current."""


class HubClient:
    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    ) -> None:
        headers = {"User-Agent": "village-kiosk/0.1"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.AsyncClient(
            base_url=base_url, headers=headers, transport=transport, timeout=timeout
        )
        self.base_url = base_url.rstrip("/")
        # The signaling socket authenticates with the same token (kiosk.call.SignalClient).
        self.token = token
        self.has_token = bool(token)

    async def __aenter__(self) -> HubClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def terminal_profile(self) -> TerminalProfile:
        response = await self._request("GET", "/v1/terminal")
        return _parse(TerminalProfile, response)

    async def schedule(
        self, start: datetime, end: datetime, *, etag: str | None = None
    ) -> tuple[Schedule, str | None]:
        """The schedule, and its ETag; raises `NotModified` when `etag` is current."""
        headers = {"If-None-Match": etag} if etag else {}
        params = {"from": start.isoformat(), "to": end.isoformat()}
        response = await self._request("GET", "/v1/schedule", params=params, headers=headers)
        if response.status_code == 304:
            raise NotModified
        return _parse(Schedule, response), response.headers.get("ETag")

    async def enrol(self, code: str) -> EnrolResult:
        body = EnrolRequest(code=code).model_dump(mode="json")
        response = await self._request("POST", "/v1/terminals/enroll", json=body)
        return _parse(EnrolResult, response)

    async def ice_servers(self) -> IceServers:
        """STUN and TURN for one call; TURN credentials expire, so ask for every attempt."""
        response = await self._request("GET", "/v1/ice-servers")
        return _parse(IceServers, response)

    async def request_callback(self, consultation_id: UUID, phone: str) -> CallbackRequest:
        """Idempotent on the consultation: sending it twice leaves one request."""
        try:
            body = CallbackIn(consultation_id=consultation_id, phone=phone).model_dump(mode="json")
        except ValidationError:
            # Checked here as the hub would: a number it refuses is not worth the uplink.
            raise HubError(HubProblem.REFUSED, "POST /v1/callbacks: not a phone number") from None
        response = await self._request("POST", "/v1/callbacks", json=body)
        return _parse(CallbackRequest, response)

    async def put_record(self, consultation_id: UUID, events: list[RecordEvent]) -> RecordAck:
        """Idempotent: events the hub already holds are acknowledged again, not doubled.

        Only an answer that names this consultation counts: a 200 from a captive
        portal or a proxy is not the hub's commit.
        """
        body = RecordUpload(events=events).model_dump_json().encode()
        response = await self._request(
            "PUT", f"/v1/records/{consultation_id}", content=body,
            headers={"Content-Type": "application/json"},
        )
        ack = _parse(RecordAck, response)
        if ack.consultation_id != consultation_id:
            raise HubError(HubProblem.BAD_ANSWER,
                           f"PUT /v1/records/{consultation_id}: acknowledged another consultation",
                           response.status_code)
        return ack

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise HubError(HubProblem.TIMEOUT, f"{method} {path}: timed out") from exc
        except httpx.TransportError as exc:
            raise HubError(HubProblem.OFFLINE, f"{method} {path}: {exc!r}") from exc
        except httpx.HTTPError as exc:
            # E.g. a body that claims gzip and is not: the answer is garbage, not the hub's.
            raise HubError(HubProblem.BAD_ANSWER, f"{method} {path}: {exc!r}") from exc
        if response.status_code in (200, 201, 204, 304):
            return response
        detail = _detail(response)
        if response.status_code == 401:
            problem = HubProblem.UNAUTHORIZED if self.has_token else HubProblem.NOT_ENROLLED
        elif 400 <= response.status_code < 500:
            problem = HubProblem.REFUSED
        else:
            problem = HubProblem.BAD_ANSWER
        raise HubError(
            problem, f"{method} {path}: {response.status_code} {detail}", response.status_code,
            retry_after_s=_retry_after(response),
        )


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP date); None without a usable one."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return detail
    return str(body)[:200]


def _parse(model: type[M], response: httpx.Response) -> M:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        log.warning("hub answered %s with a body that is not a %s", response.url, model.__name__)
        raise HubError(
            HubProblem.BAD_ANSWER,
            f"{response.request.method} {response.url.path}: not a valid {model.__name__}",
            response.status_code,
        ) from exc
