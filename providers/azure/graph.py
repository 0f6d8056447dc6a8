"""The Microsoft Graph calls acr makes, sent through msgraph-sdk's request adapter, their JSON read here.

The adapter brings what regboot wants from the SDK: authentication, Graph's middleware, and its OData errors
(`ODataError`, with the status and `error.code` the callers act on). Its model deserialisers are what it does not
want: the first parse of any `Entity` (`Entity.get_field_deserializers`) imports the ~1,200 generated model modules
for their derived types, 2.2 s of a 2.5 s onboarding on two cores. So requests ask for the raw body ("bytes") and
the few fields regboot reads become the small records below.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote


@dataclass(frozen=True)
class Password:
    key_id: str
    display_name: str | None
    start_date_time: datetime | None
    end_date_time: datetime | None
    secret_text: str | None = None


@dataclass(frozen=True)
class App:
    id: str
    app_id: str
    display_name: str | None
    notes: str | None
    password_credentials: tuple[Password, ...] = ()


@dataclass(frozen=True)
class Principal:
    id: str
    app_id: str


class Graph:
    """One Graph client: msgraph's request adapter, whose `base_url` ends in /v1.0."""

    def __init__(self, adapter: Any) -> None:
        self.adapter = adapter

    # --- applications -------------------------------------------------------------------------------------
    async def apps(self, where: str) -> list[App]:
        """Applications matching the OData filter `where`, every page of them."""
        return [_app(a) for a in await self._every("/applications", where)]

    async def create_app(self, display_name: str, notes: str, audience: str, *, tags: list[str]) -> App:
        body = {"displayName": display_name, "notes": notes, "signInAudience": audience, "tags": tags}
        return _app(await self._send("POST", "/applications", body=body))

    async def set_notes(self, object_id: str, notes: str) -> None:
        await self._send("PATCH", f"/applications/{quote(object_id)}", body={"notes": notes})

    async def delete_app(self, object_id: str) -> None:
        await self._send("DELETE", f"/applications/{quote(object_id)}")

    async def add_password(self, object_id: str, display_name: str, ends: datetime) -> Password:
        body = {"passwordCredential": {"displayName": display_name, "endDateTime": _iso(ends)}}
        return _password(await self._send("POST", f"/applications/{quote(object_id)}/addPassword", body=body))

    async def remove_password(self, object_id: str, key_id: str) -> None:
        await self._send("POST", f"/applications/{quote(object_id)}/removePassword", body={"keyId": key_id})

    # --- service principals -------------------------------------------------------------------------------
    async def principals(self, where: str) -> list[Principal]:
        return [Principal(p["id"], p.get("appId", "")) for p in await self._every("/servicePrincipals", where)]

    async def create_principal(self, app_id: str) -> Principal:
        created = await self._send("POST", "/servicePrincipals", body={"appId": app_id})
        return Principal(created["id"], created.get("appId", app_id))

    async def delete_principal(self, object_id: str) -> None:
        await self._send("DELETE", f"/servicePrincipals/{quote(object_id)}")

    # --- the wire -----------------------------------------------------------------------------------------
    async def _every(self, path: str, where: str) -> list[dict[str, Any]]:
        """Every item of a collection: Graph answers a page of 100 at most, then links the next
        (`@odata.nextLink`, https://learn.microsoft.com/graph/paging)."""
        page = await self._send("GET", path, where=where) or {}
        items = list(page.get("value", []))
        while link := page.get("@odata.nextLink"):
            page = await self._send("GET", link) or {}
            items += page.get("value", [])
        return items

    async def _send(self, method: str, path: str, *, where: str | None = None, body: Any = None) -> Any:
        """`path` under the adapter's base URL, or a whole URL Graph gave (a next page's link)."""
        from kiota_abstractions.method import Method
        from kiota_abstractions.request_information import RequestInformation
        from msgraph.generated.models.o_data_errors.o_data_error import ODataError

        request = RequestInformation(Method[method])
        query = f"?$filter={quote(where, safe='')}" if where else ""
        request.url = (
            path
            if path.startswith("https://") or path.startswith("http://")
            else f"{self.adapter.base_url}{path}{query}"
        )
        request.headers.try_add("Accept", "application/json")
        if body is not None:
            request.set_stream_content(json.dumps(body).encode(), "application/json")
        raw = await self.adapter.send_primitive_async(request, "bytes", {"XXX": ODataError})
        return json.loads(raw) if raw else None


def _app(data: dict[str, Any]) -> App:
    return App(
        data["id"],
        data.get("appId", ""),
        data.get("displayName"),
        data.get("notes"),
        tuple(_password(p) for p in data.get("passwordCredentials") or []),
    )


def _password(data: dict[str, Any]) -> Password:
    return Password(
        str(data["keyId"]),
        data.get("displayName"),
        _moment(data.get("startDateTime")),
        _moment(data.get("endDateTime")),
        data.get("secretText"),
    )


def _moment(text: str | None) -> datetime | None:
    """Graph's Edm.DateTimeOffset: `2026-05-01T12:00:00Z`, with up to seven fractional digits."""
    if not text:
        return None
    head, dot, rest = text.partition(".")
    if dot:  # Python reads at most six fractional digits
        digits = len(rest) - len(rest.lstrip("0123456789"))
        rest = rest[: min(digits, 6)] + rest[digits:]
        text = f"{head}.{rest}"
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
