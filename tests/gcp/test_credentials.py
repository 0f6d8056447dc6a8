"""How regboot finds Google credentials, as a user's machine has them."""

from __future__ import annotations

from tests.gcp.conftest import PROJECT

GCR = ("onboard", "gcr", "--gcp-project", PROJECT, "--no-verify")


def test_google_auths_advice_for_end_user_credentials_is_not_shown(
    sandbox, google, regboot_process, user_adc, closed_port
):
    # Credentials are looked up for an https:// endpoint: gcloud's ADC file here has no quota project, which regboot
    # does not need (these APIs bill the project of the resource). Nothing answers there, so the run ends at once.
    done = regboot_process(*GCR, env={"REGBOOT_GCP_RESOURCEMANAGER_ENDPOINT": f"https://127.0.0.1:{closed_port}"})
    assert done.code == 1 and "refused" in done.stderr, done.stderr
    assert "quota project" not in done.stderr and "No project ID" not in done.stderr, done.stderr
