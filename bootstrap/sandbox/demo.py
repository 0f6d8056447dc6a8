"""`make demo`: onboard registries into the stand-in akka against the emulators, show status, offboard."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

from bootstrap.sandbox.world import Sandbox

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
    with Sandbox() as sandbox:
        env = {**os.environ, **sandbox.env}
        print(f"sandbox up in {sandbox.dir}: a stand-in akka CLI (project {sandbox.project})", flush=True)
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
                    "--no-verify",
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
                    "--no-verify",
                ],
                TOKEN,
            ),
            (["status"], None),
            (["offboard", "private", "--server", "https://registry.example.com/v1/", "--username", "bot", "-y"], None),
            (["status"], None),
        ]
        failures = sum(regboot(args, env, stdin) != 0 for args, stdin in steps)
    print(f"\ndemo finished: {len(steps) - failures} of {len(steps)} steps succeeded")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
