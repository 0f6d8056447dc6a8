"""The control API other processes (the demo, `regboot sandbox`) use to drive a running Google emulator.

POST /_sandbox/faults  {"operation": "crm.projects.setIamPolicy", "fault": {"kind": "conflict"}, "times": 1, "at": 1}
POST /_sandbox/config  {"propagation_delay": 5, "key_creation_disabled": true, "denied_permissions": [...]}
POST /_sandbox/services {"project": "demo-project", "disabled": ["iam.googleapis.com"], "enabled": [...]}
GET  /_sandbox/calls   the request log
GET  /_sandbox/state   accounts, keys (no private data), repositories, policies and settings
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from bootstrap.sandbox.faults import CallLog, Fault
from bootstrap.sandbox.google.model import GoogleModel
from bootstrap.sandbox.http import Response


def control(model: GoogleModel, calls: CallLog, method: str, path: str, body: bytes) -> Response:
    """Answer one control request; mistakes in it answer 400 and unknown paths 501, both saying what was wrong."""
    action = {
        ("POST", "/_sandbox/faults"): lambda data: _inject(data, calls),
        ("POST", "/_sandbox/config"): lambda data: model.configure(**data),
        ("POST", "/_sandbox/services"): lambda data: _services(data, model),
        ("GET", "/_sandbox/calls"): lambda data: {"calls": [asdict(c) for c in list(calls.calls)]},
        ("GET", "/_sandbox/state"): lambda data: model.snapshot(),
    }.get((method, path))
    if action is None:
        return _error(501, f"regboot sandbox: no control endpoint {method} {path}", "UNIMPLEMENTED")
    try:
        data = json.loads(body) if body else {}
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return Response(200, action(data))
    except (ValueError, TypeError) as exc:
        return _error(400, f"bad control request {method} {path}: {exc}", "INVALID_ARGUMENT")


def _inject(data: dict[str, Any], calls: CallLog) -> dict:
    fault = data.get("fault") or {}
    if not isinstance(fault, dict):
        raise ValueError('"fault" must be an object of Fault fields')
    if unknown := (set(data) - {"operation", "fault", "times", "at"}) | (set(fault) - set(Fault.__dataclass_fields__)):
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    if not isinstance(data.get("operation"), str):
        raise ValueError('"operation" (a glob such as "iam.*") is required')
    times = data.get("times", 1)
    if not isinstance(times, int) or times < 1:
        raise ValueError('"times" must be a positive integer')
    at = data.get("at", 1)
    if not isinstance(at, int) or at < 1:
        raise ValueError('"at" (the first matching call to fault, counting from 1) must be a positive integer')
    calls.inject(data["operation"], Fault.from_dict(fault), times=times, at=at)
    return {"pending": calls.pending()}


def _services(data: dict[str, Any], model: GoogleModel) -> dict:
    if unknown := set(data) - {"project", "disabled", "enabled"}:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    project = data.get("project")
    if project not in model.projects:
        raise ValueError(f'"project" must name a project the emulator holds, not {project!r}')
    disabled, enabled = data.get("disabled", []), data.get("enabled", [])
    if not all(isinstance(s, list) and all(isinstance(x, str) for x in s) for s in (disabled, enabled)):
        raise ValueError('"disabled" and "enabled" must be lists of service names such as "iam.googleapis.com"')
    model.enable_services(project, *enabled)
    model.disable_services(project, *disabled)
    return {"disabledServices": sorted(model.projects[project].disabled_services)}


def _error(status: int, message: str, code: str) -> Response:
    return Response(status, {"error": {"code": status, "message": message, "status": code}})
