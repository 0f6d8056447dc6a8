"""`make demo`: onboard registries into the stand-in akka against the emulators, show status, offboard."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

from bootstrap.sandbox.world import ACR_REGISTRY, GCP_PROJECT, TOKEN, Sandbox


def regboot(args: list[str], env: dict[str, str], stdin: str | None = None) -> int:
    shown = f'printf %s "$TOKEN" | regboot {shlex.join(args)}' if stdin else f"regboot {shlex.join(args)}"
    print(f"\n$ {shown}", flush=True)
    done = subprocess.run(
        [sys.executable, "-m", "bootstrap", *args],
        env=env,
        input=stdin,
        text=True,
        stderr=subprocess.STDOUT,
        check=False,
    )
    if done.returncode:
        print(f"(exit status {done.returncode})", flush=True)
    return done.returncode


def main() -> int:
    with Sandbox(clouds=True, accounts=(("bot", TOKEN),)) as sandbox:
        env = {**os.environ, **sandbox.env}
        print(
            f"sandbox up in {sandbox.dir}: a stand-in akka CLI (project {sandbox.project}), Google and Azure emulators",
            flush=True,
        )
        # each target: what names it for onboard and offboard alike
        private = ["private", "--server", "https://registry.example.com/v1/", "--username", "bot"]
        gcr = ["gcr", "--gcp-project", GCP_PROJECT, "--secret-name", "gcr"]
        gar = [
            *("gar", "--gcp-project", GCP_PROJECT, "--location", "us-central1", "--repository", "apps"),
            *("--service-account", "akka-gar-reader", "--secret-name", "gar"),
        ]
        acr = ["acr", "--registry", ACR_REGISTRY, "--secret-name", "acr"]
        steps: list[tuple[list[str], str | None]] = [
            (["onboard", *private, "--password-stdin"], TOKEN),
            (["onboard", *private, "--password-stdin"], TOKEN),  # again: already in place, nothing sent
            *((["onboard", *target], None) for target in (gcr, gar, acr)),
            (["status"], None),
            *((["offboard", *target, "-y"], None) for target in (private, gcr, gar, acr)),
            (["status"], None),
        ]
        failures = sum(regboot(args, env, stdin) != 0 for args, stdin in steps)
    print(f"\ndemo finished: {len(steps) - failures} of {len(steps)} steps succeeded")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
