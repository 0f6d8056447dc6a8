"""Google IAM's per-project write quota (600 a minute by default), as the real client sees it."""

from __future__ import annotations

import pytest
from google.api_core import exceptions

from bootstrap.sandbox.world import GCP_PROJECT
from tests.google.conftest import PROJECT


def test_iam_writes_over_the_per_project_quota_are_resource_exhausted_with_retry_info(google, iam):
    google.model.configure(write_quota_per_minute=2)
    for account_id in ("reader-one", "reader-two"):
        iam.create_service_account(name=f"projects/{PROJECT}", account_id=account_id)

    with pytest.raises(exceptions.ResourceExhausted, match="Write requests per minute") as refused:
        iam.create_service_account(name=f"projects/{PROJECT}", account_id="reader-three", retry=None)

    delay = next(d.retry_delay for d in refused.value.details if hasattr(d, "retry_delay"))
    assert 0 < delay.seconds + delay.nanos / 1e9 <= 60
    assert f"reader-three@{PROJECT}.iam.gserviceaccount.com" not in google.model.accounts
    assert iam.list_service_accounts(name=f"projects/{PROJECT}")  # reads are not writes
    google.model.add_project("other-project")  # each project has its own quota
    iam.create_service_account(name="projects/other-project", account_id="reader-three")


def test_the_default_quota_is_googles_600_writes_a_minute(google):
    assert google.model.settings()["write_quota_per_minute"] == 600


def test_onboarding_waits_out_the_quota_and_finishes(world, regboot):
    world.emulators["google"].model.configure(write_quota_per_minute=1)
    done = regboot("onboard", "gcr", "--gcp-project", GCP_PROJECT)
    assert done.code == 0, done.stderr
    assert "throttled by Google" in done.stderr
    assert len(world.emulators["google"].model.accounts) == 1
