"""Service accounts and their keys: the identity half of GoogleModel, with IAM's rules for both.

`not_visible=True` on a call treats the account it names as not yet propagated (a `not_visible` fault).
"""

from __future__ import annotations

import base64
import functools
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bootstrap.sandbox.google.errors import GoogleError, key_creation_refused, permission_denied
from bootstrap.sandbox.google.keyfile import fake_pem, key_file_json, key_id
from bootstrap.sandbox.google.records import ServiceAccount, ServiceAccountKey, now

if TYPE_CHECKING:
    from bootstrap.sandbox.google.records import Policy, Project

ACCOUNT_ID = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])")
ACCOUNT_NAME = re.compile(r"projects/([^/]+)/serviceAccounts/([^/]+)")
KEY_NAME = re.compile(r"(projects/[^/]+/serviceAccounts/[^/]+)/keys/([^/]+)")
MAX_USER_MANAGED_KEYS = 10
NEVER_EXPIRES = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def locked(method: Callable) -> Callable:
    """Run a model method under the model's lock: the servers call it from many threads."""

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return run


def account_email(project: str, account_id: str) -> str:
    """The email IAM gives an account it creates in a project (also what a second create collides on)."""
    return f"{account_id}@{project}.iam.gserviceaccount.com"


def digits(n: int) -> str:
    return str(secrets.randbelow(9 * 10 ** (n - 1)) + 10 ** (n - 1))


def page(items: list, size: int, token: str, *, default: int, maximum: int) -> tuple[list, str]:
    """One page of `items` and the token of the next one ("" at the end), as Google's list calls answer."""
    try:
        start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    except ValueError:
        raise GoogleError("INVALID_ARGUMENT", f"Invalid page token {token!r}.") from None
    size = min(size or default, maximum)
    more = len(items) > start + size
    return items[start : start + size], base64.urlsafe_b64encode(str(start + size).encode()).decode() if more else ""


class ServiceAccounts:
    """Accounts and keys. GoogleModel mixes this in and supplies the state, the clock, projects and the caller."""

    # What GoogleModel supplies (declared, not defined: the model's own attributes and methods are the ones used).
    _lock: threading.RLock
    clock: Callable[[], float]
    accounts: dict[str, ServiceAccount]
    keys: dict[str, ServiceAccountKey]
    issued_secrets: list[str]
    propagation_delay: float
    key_propagation_delay: float
    key_creation_disabled: bool
    if TYPE_CHECKING:

        def _project(self, name: str, permission: str, *, check: bool = True) -> Project: ...
        def _policies(self) -> list[Policy]: ...
        def _require(self, permission: str, resource: str) -> None: ...

    # --- service accounts ----------------------------------------------------------------------------
    @locked
    def list_service_accounts(
        self, name: str, page_size: int = 0, page_token: str = "", *, not_visible: bool = False
    ) -> tuple[list[ServiceAccount], str]:
        project = self._project(name, "iam.serviceAccounts.list")
        visible = [a for a in self.accounts.values() if a.project == project.project_id and self._visible(a)]
        if not_visible:
            visible = visible[:-1]  # the newest account has not reached this reader yet
        return page(visible, page_size, page_token, default=20, maximum=100)

    @locked
    def get_service_account(self, name: str, *, not_visible: bool = False) -> ServiceAccount:
        return self._account(name, "iam.serviceAccounts.get", not_visible=not_visible)

    @locked
    def create_service_account(
        self, name: str, account_id: str, *, display_name: str = "", description: str = "", conflict: bool = False
    ) -> ServiceAccount:
        """Create an account; it exists at once for a duplicate check but reaches readers after propagation_delay."""
        project = self._project(name, "iam.serviceAccounts.create")
        if not (6 <= len(account_id) <= 30 and ACCOUNT_ID.fullmatch(account_id)):
            raise GoogleError(
                "INVALID_ARGUMENT",
                f"Invalid account ID '{account_id}': it must be 6-30 characters, match [a-z]([-a-z0-9]*[a-z0-9]).",
            )
        _check_lengths(display_name, description)
        if conflict or account_email(project.project_id, account_id) in self.accounts:
            where = f"projects/{project.project_id}"
            raise GoogleError("ALREADY_EXISTS", f"Service account {account_id} already exists within project {where}.")
        return self._new_account(project.project_id, account_id, display_name, description)

    def _new_account(self, project: str, account_id: str, display_name: str, description: str) -> ServiceAccount:
        email = account_email(project, account_id)
        name = f"projects/{project}/serviceAccounts/{email}"
        account = ServiceAccount(
            name, project, email, "1" + digits(20), display_name, description, created_at=self.clock()
        )
        self.accounts[account.email] = account
        # Google keeps one system-managed key per account; listing keys always shows it.
        self._add_key(account, "SYSTEM_MANAGED", valid_before=now() + timedelta(days=730))
        return account

    @locked
    def patch_service_account(
        self, name: str, fields: dict[str, str], mask: Iterable[str], *, not_visible: bool = False
    ) -> ServiceAccount:
        """Change the fields `mask` names (display_name, description; camelCase accepted); a mask is required."""
        account = self._account(name, "iam.serviceAccounts.update", not_visible=not_visible)
        paths = [re.sub(r"[A-Z]", lambda m: "_" + m.group().lower(), p) for p in mask]
        if not paths:
            raise GoogleError("INVALID_ARGUMENT", "update_mask is required.")
        if bad := [p for p in paths if p not in ("display_name", "description")]:
            raise GoogleError("INVALID_ARGUMENT", f"Invalid update_mask path(s): {', '.join(bad)}.")
        updated = {p: fields.get(p, "") for p in paths}
        _check_lengths(updated.get("display_name", ""), updated.get("description", ""))
        for path, value in updated.items():
            setattr(account, path, value)
        return account

    @locked
    def set_service_account_disabled(self, name: str, disabled: bool, *, not_visible: bool = False) -> None:
        permission = "iam.serviceAccounts." + ("disable" if disabled else "enable")
        self._account(name, permission, not_visible=not_visible).disabled = disabled

    @locked
    def delete_service_account(self, name: str, *, not_visible: bool = False) -> None:
        """Delete an account and its keys; policies keep its grants under a `deleted:` member, as Google's do."""
        # Deletion goes to the source of truth, so it sees accounts still propagating to readers.
        account = self._account(name, "iam.serviceAccounts.delete", not_visible=not_visible, propagated=False)
        del self.accounts[account.email]
        for key in [k for k in self.keys.values() if k.account is account]:
            del self.keys[key.key_id]
        tombstone = f"deleted:{account.member}?uid={account.unique_id}"
        for policy in self._policies():
            for role, members in policy.bindings.items():
                policy.bindings[role] = [tombstone if m == account.member else m for m in members]

    def _account(
        self, name: str, permission: str, *, not_visible: bool = False, propagated: bool = True
    ) -> ServiceAccount:
        match = ACCOUNT_NAME.fullmatch(name)
        if not match:
            raise GoogleError("INVALID_ARGUMENT", f"Invalid service account name '{name}'.")
        project_ref, ref = match.groups()
        self._require(permission, name)
        if project_ref != "-":
            project_ref = self._project(f"projects/{project_ref}", permission).project_id
        account = self.accounts.get(ref) or next((a for a in self.accounts.values() if a.unique_id == ref), None)
        if account and project_ref not in ("-", account.project):
            account = None
        if account and (not_visible or (propagated and not self._visible(account))):
            account = None
        if account is None:
            # With the "-" wildcard Google answers 403, not 404, for an account that does not exist.
            if project_ref == "-":
                raise permission_denied(permission, name)
            raise GoogleError("NOT_FOUND", f"Unknown service account {ref}.")
        return account

    def _visible(self, account: ServiceAccount) -> bool:
        return self.clock() - account.created_at >= self.propagation_delay

    # --- keys ----------------------------------------------------------------------------------------
    @locked
    def list_keys(self, name: str, key_types: Iterable[str] = (), *, not_visible: bool = False) -> list:
        account = self._account(name, "iam.serviceAccountKeys.list", not_visible=not_visible)
        types = set(key_types) or {"USER_MANAGED", "SYSTEM_MANAGED"}
        return [k for k in self.keys.values() if k.account is account and k.key_type in types]

    @locked
    def get_key(self, name: str, *, not_visible: bool = False) -> ServiceAccountKey:
        return self._key(name, "iam.serviceAccountKeys.get", not_visible)

    @locked
    def create_key(self, name: str, *, not_visible: bool = False) -> ServiceAccountKey:
        """Mint a user-managed key, unless the org policy forbids keys or the account already has 10."""
        account = self._account(name, "iam.serviceAccountKeys.create", not_visible=not_visible)
        if self.key_creation_disabled:
            raise key_creation_refused(account.project, account.email)
        user_managed = [k for k in self.keys.values() if k.account is account and k.key_type == "USER_MANAGED"]
        if len(user_managed) >= MAX_USER_MANAGED_KEYS:
            # All the real API says: callers have to count keys themselves first.
            raise GoogleError("FAILED_PRECONDITION", "Precondition check failed.")
        return self._add_key(account, "USER_MANAGED", valid_before=NEVER_EXPIRES)

    def _add_key(self, account: ServiceAccount, key_type: str, *, valid_before: datetime) -> ServiceAccountKey:
        kid = key_id()
        key = ServiceAccountKey(
            f"{account.name}/keys/{kid}",
            account,
            kid,
            key_type,
            valid_after=now().replace(microsecond=0),
            valid_before=valid_before,
            public_key_data=fake_pem("CERTIFICATE", 700).encode(),
            created_at=self.clock(),
        )
        if key_type == "USER_MANAGED":
            pem = fake_pem("PRIVATE KEY")
            key.private_key_data = key_file_json(account.project, kid, pem, account.email, account.unique_id)
            self.issued_secrets.append(key.private_key_data)
        self.keys[kid] = key
        return key

    @locked
    def delete_key(self, name: str, *, not_visible: bool = False) -> None:
        key = self._key(name, "iam.serviceAccountKeys.delete", not_visible)
        if key.key_type == "SYSTEM_MANAGED":
            raise GoogleError("FAILED_PRECONDITION", "System-managed keys cannot be deleted.")
        del self.keys[key.key_id]

    @locked
    def set_key_disabled(self, name: str, disabled: bool, *, not_visible: bool = False) -> None:
        permission = "iam.serviceAccountKeys." + ("disable" if disabled else "enable")
        self._key(name, permission, not_visible).disabled = disabled

    def _key(self, name: str, permission: str, not_visible: bool) -> ServiceAccountKey:
        match = KEY_NAME.fullmatch(name)
        if not match:
            raise GoogleError("INVALID_ARGUMENT", f"Invalid service account key name '{name}'.")
        account = self._account(match.group(1), permission, not_visible=not_visible)
        key = self.keys.get(match.group(2))
        if key is None or key.account is not account:
            raise GoogleError("NOT_FOUND", f"Unknown service account key {match.group(2)}.")
        return key

    # --- queries for the registry emulator -----------------------------------------------------------
    @locked
    def key_by_json(self, key_json: str) -> ServiceAccountKey | None:
        """The live user-managed key whose key file is exactly `key_json` (a registry's `_json_key` password)."""
        try:
            data = json.loads(key_json)
        except ValueError:
            return None
        key = self.keys.get(data.get("private_key_id", "")) if isinstance(data, dict) else None
        if key is None or not key.private_key_data:
            return None
        return key if json.loads(key.private_key_data) == data else None

    @locked
    def key_is_usable(self, key: ServiceAccountKey) -> bool:
        """Whether `key` authenticates now: not deleted or disabled, its account alive and enabled, propagated."""
        return (
            self.keys.get(key.key_id) is key
            and not key.disabled
            and self.accounts.get(key.account.email) is key.account
            and not key.account.disabled
            and self.clock() - key.created_at >= self.key_propagation_delay
        )


def _check_lengths(display_name: str, description: str) -> None:
    """The limits of the ServiceAccount resource (IAM v1 reference, https://cloud.google.com/iam/docs/reference/rest/v1/
    projects.serviceAccounts#ServiceAccount): displayName "The maximum length is 100 UTF-8 bytes", description
    "The maximum length is 256 UTF-8 bytes"; longer values are refused with INVALID_ARGUMENT on create and patch."""
    if len(display_name.encode()) > 100:
        raise GoogleError("INVALID_ARGUMENT", "display_name must be at most 100 bytes.")
    if len(description.encode()) > 256:
        raise GoogleError("INVALID_ARGUMENT", "description must be at most 256 bytes.")
