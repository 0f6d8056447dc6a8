"""Google IAM's per-project write quota, as a rule of the model.

"IAM v1 API: write requests (for example, updating an allow policy): 600 per project per minute" (default quotas,
https://cloud.google.com/iam/quotas). A request over quota is refused with RESOURCE_EXHAUSTED (HTTP 429) and a
RetryInfo detail saying when to try again (google.rpc.RetryInfo, https://cloud.google.com/apis/design/errors),
which the client libraries surface as `ResourceExhausted` with that detail.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable

from bootstrap.sandbox.google.errors import GoogleError, retry_info

WINDOW = 60.0
_PROJECT = re.compile(r"projects/([^/]+)")
_EMAIL_PROJECT = re.compile(r"@([^.]+)\.iam\.gserviceaccount\.com")


class WriteQuota:
    """A sliding minute of write requests per project, on the model's clock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._writes: dict[str, deque[float]] = {}

    def charge(self, resource: str, per_minute: int) -> None:
        """Count one write on the project `resource` names; refuse it when that project's minute is full."""
        project = _project(resource)
        if not project or per_minute <= 0:
            return
        now = self.clock()
        writes = self._writes.setdefault(project, deque())
        while writes and writes[0] <= now - WINDOW:
            writes.popleft()
        if len(writes) >= per_minute:
            wait = max(0.001, writes[0] + WINDOW - now)
            raise GoogleError(
                "RESOURCE_EXHAUSTED",
                f"Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per "
                f"project' of service 'iam.googleapis.com' for consumer 'project:{project}'.",
                [retry_info(wait)],
            )
        writes.append(now)


def _project(resource: str) -> str:
    """`projects/P/serviceAccounts/...`, or `projects/-/serviceAccounts/x@P.iam...` (the project from the email)."""
    found = _PROJECT.match(resource)
    if found and found.group(1) != "-":
        return found.group(1)
    by_email = _EMAIL_PROJECT.search(resource)
    return by_email.group(1) if by_email else ""
