"""`make demo`: onboard registries into the stand-in akka against the emulators, show status, offboard."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

from bootstrap.sandbox.world import ACR_REGISTRY, GCP_PROJECT, Sandbox

TOKEN = "demo-token-not-a-real-secret"


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
        steps = [
            (
                [
                    "onboard",
                    "private",
                    "--server",
                    "https://registry.example.com/v1/",
                    "--username",
                    "bot",
                    "--password-stdin",
                ],
                TOKEN,
            ),
            (
                [
                    "onboard",
                    "private",
                    "--server",
                    "https://registry.example.com/v1/",
                    "--username",
                    "bot",
                    "--password-stdin",
                ],
                TOKEN,
            ),
            (["onboard", "gcr", "--gcp-project", GCP_PROJECT, "--secret-name", "gcr"], None),
            (
                [
                    "onboard",
                    "gar",
                    "--gcp-project",
                    GCP_PROJECT,
                    "--location",
                    "us-central1",
                    "--repository",
                    "apps",
                    "--service-account",
                    "akka-gar-reader",
                    "--secret-name",
                    "gar",
                ],
                None,
            ),
            (["onboard", "acr", "--registry", ACR_REGISTRY, "--secret-name", "acr"], None),
            (["status"], None),
            (["offboard", "private", "--server", "https://registry.example.com/v1/", "--username", "bot", "-y"], None),
            (["offboard", "gcr", "--gcp-project", GCP_PROJECT, "--secret-name", "gcr", "-y"], None),
            (
                [
                    "offboard",
                    "gar",
                    "--gcp-project",
                    GCP_PROJECT,
                    "--location",
                    "us-central1",
                    "--repository",
                    "apps",
                    "--service-account",
                    "akka-gar-reader",
                    "--secret-name",
                    "gar",
                    "-y",
                ],
                None,
            ),
            (["offboard", "acr", "--registry", ACR_REGISTRY, "--secret-name", "acr", "-y"], None),
            (["status"], None),
        ]
        failures = sum(regboot(args, env, stdin) != 0 for args, stdin in steps)
    print(f"\ndemo finished: {len(steps) - failures} of {len(steps)} steps succeeded")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
