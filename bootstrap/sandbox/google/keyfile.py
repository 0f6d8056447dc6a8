"""Key material shaped like Google's: 40-hex key ids, PEM-framed fake keys and the service-account key file."""

from __future__ import annotations

import base64
import json
import secrets
import textwrap


def key_id() -> str:
    return secrets.token_hex(20)


def fake_pem(label: str, size: int = 1218) -> str:
    """Random bytes in PEM framing: looks like a 2048-bit key to a human or a regex, signs nothing."""
    body = "\n".join(textwrap.wrap(base64.b64encode(secrets.token_bytes(size)).decode(), 64))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"


def key_file_json(project: str, private_key_id: str, private_key: str, email: str, client_id: str) -> str:
    """The JSON text `gcloud iam service-accounts keys create` writes; the `_json_key` password of a registry."""
    return json.dumps(
        {
            "type": "service_account",
            "project_id": project,
            "private_key_id": private_key_id,
            "private_key": private_key,
            "client_email": email,
            "client_id": client_id,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/" + email.replace("@", "%40"),
            "universe_domain": "googleapis.com",
        },
        indent=2,
    )
