"""Entra ID as Graph shows it: applications and their passwords, service principals, and replication lag.

A new application is not yet known to service-principal creation or to addPassword, and a new service principal is
not yet known to role-assignment creation, for `model.replication_delay` seconds: that is what a real tenant does for
seconds to minutes, and what a client must retry through. A `lagging` call sees the same for one request.
"""

from __future__ import annotations

import secrets
import string
import uuid
from typing import TYPE_CHECKING, TypeVar

from bootstrap.sandbox.azure.errors import CloudError
from bootstrap.sandbox.azure.records import Application, Password, ServicePrincipal

if TYPE_CHECKING:
    from bootstrap.sandbox.azure.model import AzureModel

DEFAULT_PASSWORD_LIFETIME = 2 * 365 * 86400.0  # what Graph gives a password created without an endDateTime
_SECRET_ALPHABET = string.ascii_letters + string.digits + "_-.~"
T = TypeVar("T")


def _not_found(object_id: str) -> CloudError:
    return CloudError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{object_id}' does not exist or one of its queried reference-property objects are not present.",
    )


def _visible(found: T | None, name: str, lagging: bool) -> T:
    """What a read found, or Graph's 404 when there is none or a lagging replica answers."""
    if found is None or lagging:
        raise _not_found(name)
    return found


def _secret() -> str:
    # Shaped like a real client secret: 40 characters, a 3-character hint, then the "8Q~" version marker.
    head = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(3))
    return head + "8Q~" + "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(34))


def check_object_id(object_id: str) -> str:
    try:
        return str(uuid.UUID(object_id))
    except ValueError:
        raise CloudError(400, "Request_BadRequest", f"Invalid object identifier '{object_id}'.") from None


class Directory:
    """The tenant's applications and service principals, and the rules Graph enforces on them."""

    def __init__(self, model: AzureModel) -> None:
        self._model = model
        self.applications: dict[str, Application] = {}
        self.service_principals: dict[str, ServicePrincipal] = {}

    # --- visibility and permission -------------------------------------------------------------------
    def _replicated(self, created_at: float, lagging: bool) -> bool:
        return not lagging and self._model.clock() - created_at >= self._model.replication_delay

    def require_write(self) -> None:
        if self._model.graph_denied:
            raise CloudError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

    # --- applications --------------------------------------------------------------------------------
    def create_application(self, display_name: str, *, race: bool = False, **fields: object) -> Application:
        if not display_name or not display_name.strip():
            raise CloudError(
                400,
                "Request_BadRequest",
                "Invalid value specified for property 'displayName' of resource 'Application'.",
            )
        with self._model.lock:
            if race:  # a concurrent run got there first: Graph does not make display names unique
                rival = self._new_application(display_name, fields)
                self._model.concurrent_apps.append(rival.app_id)
            return self._new_application(display_name, fields)

    def _new_application(self, display_name: str, fields: dict[str, object]) -> Application:
        app = Application(
            id=str(uuid.uuid4()), app_id=str(uuid.uuid4()), display_name=display_name, created_at=self._model.clock()
        )
        for name, value in fields.items():
            setattr(app, name, value)
        self.applications[app.id] = app
        return app

    def applications_list(self, *, lagging: bool = False) -> list[Application]:
        return [] if lagging else list(self.applications.values())

    def application(self, object_id: str = "", *, app_id: str = "", lagging: bool = False) -> Application:
        """The application with this object id, or with this appId (the alternate key Graph addresses it by)."""
        found = self.application_of(app_id) if app_id else self.applications.get(check_object_id(object_id))
        return _visible(found, app_id or object_id, lagging)

    def application_of(self, app_id: str) -> Application | None:
        return next((a for a in self.applications.values() if a.app_id == app_id.lower()), None)

    def update_application(self, object_id: str, **fields: object) -> Application:
        with self._model.lock:
            app = self.application(object_id)
            if "display_name" in fields and not str(fields["display_name"] or "").strip():
                raise CloudError(
                    400,
                    "Request_BadRequest",
                    "Invalid value specified for property 'displayName' of resource 'Application'.",
                )
            for name, value in fields.items():
                setattr(app, name, value)
            return app

    def delete_application(self, object_id: str) -> None:
        with self._model.lock:
            app = self.application(object_id)
            del self.applications[app.id]
            # Deleting an application deletes its service principal too; its role assignments stay, orphaned.
            for sp in [s for s in self.service_principals.values() if s.app_id == app.app_id]:
                del self.service_principals[sp.id]

    # --- passwords -----------------------------------------------------------------------------------
    def add_password(
        self,
        object_id: str,
        *,
        display_name: str | None = None,
        start: float | None = None,
        end: float | None = None,
        lagging: bool = False,
    ) -> Password:
        with self._model.lock:
            app = self.application(object_id)
            if not self._replicated(app.created_at, lagging):
                raise _not_found(object_id)
            start = self._model.clock() if start is None else start
            end = start + DEFAULT_PASSWORD_LIFETIME if end is None else end
            if end <= start:
                raise CloudError(400, "Request_BadRequest", "The end date of a password must be after its start date.")
            password = Password(str(uuid.uuid4()), _secret(), display_name, start, end, created_at=self._model.clock())
            app.passwords.append(password)
            self._model.issued_secrets.append(password.secret)
            return password

    def remove_password(self, object_id: str, key_id: str, *, lagging: bool = False) -> None:
        with self._model.lock:
            app = self.application(object_id)
            if not self._replicated(app.created_at, lagging):
                raise _not_found(object_id)
            kept = [p for p in app.passwords if p.key_id != key_id.lower()]
            if len(kept) == len(app.passwords):
                raise CloudError(400, "Request_BadRequest", f"No password credential found with keyId '{key_id}'.")
            app.passwords = kept

    # --- service principals --------------------------------------------------------------------------
    def create_service_principal(
        self, app_id: str, *, lagging: bool = False, race: bool = False, **fields: object
    ) -> ServicePrincipal:
        with self._model.lock:
            app = self.application_of(app_id)
            if app is None or not self._replicated(app.created_at, lagging):
                raise CloudError(
                    400,
                    "Request_BadRequest",
                    f"The appId '{app_id}' of the service principal does not reference a valid application object.",
                )
            if race and not self.service_principal_of(app.app_id):  # a concurrent run created it a moment ago
                self._new_service_principal(app, {})
            if self.service_principal_of(app.app_id):
                raise CloudError(
                    409,
                    "Request_MultipleObjectsWithSameKeyValue",
                    "The service principal cannot be created, updated, or restored because the service "
                    f"principal name {app.app_id} is already in use.",
                )
            return self._new_service_principal(app, fields)

    def _new_service_principal(self, app: Application, fields: dict[str, object]) -> ServicePrincipal:
        sp = ServicePrincipal(
            id=str(uuid.uuid4()), app_id=app.app_id, display_name=app.display_name, created_at=self._model.clock()
        )
        for name, value in fields.items():
            setattr(sp, name, value)
        self.service_principals[sp.id] = sp
        return sp

    def service_principal_of(self, app_id: str) -> ServicePrincipal | None:
        return next((s for s in self.service_principals.values() if s.app_id == app_id.lower()), None)

    def service_principals_list(self, *, lagging: bool = False) -> list[ServicePrincipal]:
        return [] if lagging else list(self.service_principals.values())

    def service_principal(self, object_id: str = "", *, app_id: str = "", lagging: bool = False) -> ServicePrincipal:
        """The service principal with this object id, or with this appId (as `application`)."""
        found = self.service_principal_of(app_id) if app_id else self.service_principals.get(check_object_id(object_id))
        return _visible(found, app_id or object_id, lagging)

    def delete_service_principal(self, object_id: str) -> None:
        with self._model.lock:
            del self.service_principals[self.service_principal(object_id).id]

    # --- what ARM asks the directory -----------------------------------------------------------------
    def principal_type(self, principal_id: str, *, lagging: bool = False) -> str | None:
        """ "ServicePrincipal" or "User" for a principal ARM can see now; None if unknown or not replicated yet."""
        if principal_id.lower() == self._model.user.id:
            return "User"
        sp = self.service_principals.get(principal_id.lower())
        if sp is None or not self._replicated(sp.created_at, lagging):
            return None
        return "ServicePrincipal"
