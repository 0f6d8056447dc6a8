"""Access tokens of the Azure sandbox: JWT-shaped, HMAC-signed by the model that minted them, naming their audience.

Real Entra tokens are RS256-signed; ours only need to be unforgeable by accident (a token from another sandbox, or
one minted for Graph sent to ARM, must fail the way a real one would), so a per-model HMAC key is enough.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from enum import Enum
from typing import Any


class TokenProblem(Enum):
    MISSING = "missing"
    MALFORMED = "malformed"
    EXPIRED = "expired"
    AUDIENCE = "audience"
    TENANT = "tenant"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mint(key: bytes, claims: dict[str, Any]) -> str:
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


def read(key: bytes, token: str) -> dict[str, Any] | None:
    """The claims of a token this key signed, or None."""
    try:
        head, body, signature = token.split(".")
        expected = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            return None
        claims = json.loads(_unb64(body))
    except ValueError:  # wrong number of parts, bad base64 or bad JSON
        return None
    return claims if isinstance(claims, dict) else None


def bearer(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def audience(resource: str) -> str:
    """The resource a token is for, the way Entra compares it: `https://x/` and `https://x` are the same."""
    return resource.rstrip("/").lower()
