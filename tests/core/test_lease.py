"""The consumer's lease on the platform: taken by runs that write, released after them, and never a lasting block:
a claim left by a dead run elsewhere goes once it expires, one left by a dead run here goes at once."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import threading
import time

import pytest
from filelock import FileLock

from bootstrap.clock import REAL
from bootstrap.errors import OperationError
from bootstrap.lease import PREFIX, Claim, Lease, place
from bootstrap.sandbox.world import GCP_PROJECT
from bootstrap.settings import Settings
from bootstrap.ui import Ui
from tests.conftest import akka_commands, set_platform
from tests.reliability.interrupting import run_stopped

PRIVATE = ("--server", "https://registry.example.com/v1/", "--username", "bot")
CONSUMER = hashlib.sha256(b"akka:demo-project/*/docker-credentials").hexdigest()[:10]  # as claims name it
LEASE_COMMANDS = {"secrets create", "secrets delete"}


def onboard(regboot, canaries, *args: str):
    return regboot("onboard", "private", *PRIVATE, *args, "--password-stdin", "--no-verify", input=canaries.new())


def claims(sandbox) -> list[str]:
    return [n for n in sandbox.platform_state()["projects"]["demo-project"]["secrets"] if n.startswith(PREFIX)]


def claimed(sandbox, claim: Claim) -> None:
    """A claim another run made and never released."""
    state = sandbox.platform_state()
    state["projects"]["demo-project"]["secrets"][claim.name] = {"type": "generic", "keys": ["expires", "holder"]}
    set_platform(sandbox, projects=state["projects"])


def test_a_run_that_writes_releases_its_lease_and_one_that_fails_too(sandbox, regboot, canaries):
    assert onboard(regboot, canaries).code == 0
    assert "secrets create" in akka_commands(sandbox) and claims(sandbox) == []
    set_platform(sandbox, fail={"docker add-credentials": {"message": "rpc error: code = Internal desc = boom"}})
    done = regboot("rotate", "private", *PRIVATE, "--password-stdin", "--no-verify", input=canaries.new())
    assert done.code == 1, done.stderr
    assert claims(sandbox) == []


def test_reruns_in_place_and_dry_runs_take_no_lease(sandbox, regboot, canaries):
    assert onboard(regboot, canaries).code == 0
    before = len(akka_commands(sandbox))
    assert onboard(regboot, canaries).code == 0  # in place
    assert regboot("rotate", "private", *PRIVATE, "--dry-run").code == 0
    assert not LEASE_COMMANDS & set(akka_commands(sandbox)[before:])


def test_a_first_onboarding_claims_beside_the_clouds_reads_and_a_refusal_withdraws_the_claim(world, regboot):
    """The platform holds nothing for the consumer yet, so the run will write: the lease is claimed while the cloud
    is still being read, not after. The cloud's refusal (no such repository) then ends the run: the claim goes."""
    before = len(akka_commands(world))
    done = regboot("onboard", "gcr", "--gcp-project", GCP_PROJECT, "--host", "eu.gcr.io", "--no-verify")
    assert done.code == 3 and "gcloud artifacts repositories create eu.gcr.io" in done.stderr, done.stderr
    made = akka_commands(world)[before:]
    assert made.count("secrets create") == 1 and made.count("secrets delete") == 1
    assert claims(world) == []


@pytest.mark.parametrize("command", ["secrets create", "secrets list"])
def test_ctrl_c_while_the_early_claim_is_made_leaves_no_claim(world, regboot, command):
    """The claim beside the cloud's reads is made in another thread than the one Ctrl-C lands in: the run waits for
    it to be made, then withdraws it, and the next run goes ahead at once."""
    argv = ["onboard", "gcr", "--gcp-project", GCP_PROJECT, "--no-verify"]
    stopped = run_stopped(world, argv, "akka", command, signal.SIGINT)
    assert stopped.code == 130, stopped.stderr
    assert claims(world) == []
    again = regboot(*argv)
    assert again.code == 0 and "waiting" not in again.stderr and "removed lease" not in again.stderr, again.stderr


def test_an_expired_claim_of_a_run_elsewhere_is_removed(sandbox, regboot, canaries):
    dead = Claim(CONSUMER, int(time.time()) - 3600, "0123456789ab")
    claimed(sandbox, dead)
    done = onboard(regboot, canaries)
    assert done.code == 0, done.stderr
    assert f"removed lease {dead.name}" in done.stderr
    assert claims(sandbox) == []


def test_a_live_claim_elsewhere_is_waited_for_until_its_run_releases_it(sandbox, regboot, canaries):
    live = Claim(CONSUMER, int(time.time()) + 3600, "0123456789ab")
    claimed(sandbox, live)
    elsewhere = threading.Thread(target=release_once_seen, args=(sandbox, live))
    elsewhere.start()
    done = onboard(regboot, canaries)
    elsewhere.join()
    assert done.code == 0, done.stderr
    assert f"waiting for the regboot run elsewhere on docker-credentials to finish: held until {live.until()}" in (
        done.stderr
    )
    assert "removed lease" not in done.stderr and claims(sandbox) == []


def release_once_seen(sandbox, claim: Claim) -> None:
    """The other machine's run ends a moment after this one first found its claim."""
    deadline = time.monotonic() + 60
    while "secrets list" not in akka_commands(sandbox) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)
    with FileLock(sandbox.akka_state_file.with_suffix(".lock")):  # as the stand-in akka takes it
        state = sandbox.platform_state()
        del state["projects"]["demo-project"]["secrets"][claim.name]
        sandbox.akka_state_file.write_text(json.dumps(state))


def test_a_claim_left_by_a_dead_run_on_this_machine_goes_at_once(sandbox, regboot, canaries):
    here = Claim(CONSUMER, int(time.time()) + 3600, place(Settings.read(os.environ).state_dir) + "abcdef")
    claimed(sandbox, here)
    done = onboard(regboot, canaries)
    assert done.code == 0, done.stderr
    assert "an earlier run here ended without releasing it" in done.stderr and "waiting" not in done.stderr
    assert claims(sandbox) == []


def test_a_verification_longer_than_the_claim_extends_it_first(world, regboot):
    assert regboot("onboard", "gcr", "--gcp-project", GCP_PROJECT).code == 0
    before = len(akka_commands(world))
    done = regboot("rotate", "gcr", "--gcp-project", GCP_PROJECT, "--verify-timeout", "3600")
    assert done.code == 0, done.stderr
    # the claim, then a later one before verification, which replaces it; both gone at the end
    assert akka_commands(world)[before:].count("secrets create") == 2
    assert claims(world) == []
    # While the earlier claim was live no other run could take the consumer: the renewal need not check for one.
    assert akka_commands(world)[before:].count("secrets list") == 1


class _Platform:
    """The platform's secrets as a set, for the lease alone."""

    def __init__(self, *names: str) -> None:
        self.names = set(names)
        self.timeout = 60.0
        self.consumer = type("Consumer", (), {"secret_name": "docker-credentials"})()

    def secret_names(self) -> list[str]:
        return sorted(self.names)

    def create_secret(self, name: str, values: dict[str, str]) -> None:
        self.names.add(name)

    def delete_secret(self, name: str) -> bool:
        present = name in self.names
        self.names.discard(name)
        return present


def test_a_renewal_while_the_claim_is_live_ignores_a_claim_made_in_vain_meanwhile():
    """Another run's claim that shows while ours is live is one that will step back on seeing ours."""
    now = int(time.time())
    waiting = Claim(CONSUMER, now + 3600, "fedcba987654")
    platform = _Platform(waiting.name)
    lease = Lease(platform, Claim(CONSUMER, now + 600, "0123456789ab"), ui=Ui(stream=io.StringIO()), clock=REAL)
    platform.names.add(lease.claim.name)
    lease.extend(3600)
    assert lease.claim.expires > now + 3600 and platform.names == {waiting.name, lease.claim.name}


def test_a_renewal_after_the_claim_expired_stops_if_another_run_took_over():
    now = int(time.time())
    taker = Claim(CONSUMER, now + 3600, "fedcba987654")
    platform = _Platform(taker.name)
    lease = Lease(platform, Claim(CONSUMER, now - 10, "0123456789ab"), ui=Ui(stream=io.StringIO()), clock=REAL)
    with pytest.raises(OperationError, match="took over"):
        lease.extend(3600)
    assert platform.names == {taker.name}


def test_expired_claims_of_other_credentials_go_too_and_live_ones_stay(sandbox, regboot, canaries):
    """A run killed on a credential that is never run again (a renamed secret, a test's) would leave its claim for
    ever: the next run to list claims removes it, whichever credential it is for. A live one is none of its
    business."""
    other = hashlib.sha256(b"akka:demo-project/*/renamed-credentials").hexdigest()[:10]
    dead = Claim(other, int(time.time()) - 3600, "0123456789ab")
    live = Claim(other, int(time.time()) + 3600, "ba9876543210")
    claimed(sandbox, dead)
    claimed(sandbox, live)
    done = onboard(regboot, canaries)
    assert done.code == 0, done.stderr
    assert f"removed lease {dead.name} (another credential's)" in done.stderr
    assert claims(sandbox) == [live.name] and "waiting" not in done.stderr
