"""regboot's command line: thin typer commands that parse, call the engine and render the result.

This module is what starts: the table of commands and `main`. typer, the root application (app.py) and each
command load only when a command runs; `regboot --help` and `--version` are answered without them (roothelp.py),
since typer's import is most of what a start costs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

ROOT_HELP = "Give a platform pull access to a private container registry, and later rotate or remove it."
VERSION_HELP = "Show the version and exit."
DEBUG_HELP = "Show tracebacks and more detail on stderr."
EXAMPLES = (
    "regboot onboard gcr --gcp-project my-project",
    "regboot status",
    "regboot rotate --secret-name docker-credentials",
    "regboot onboard gcr --help",
    "regboot --install-completion   # bash, zsh or fish: Tab completes commands and options",
)

# Each command: its module (which defines `app`) and what it does. `regboot --help` lists them from here, and a run
# builds only the command it runs: importing a command loads the provider plugins and builds every provider's
# options, which is most of the start-up time.
COMMANDS = {
    "onboard": ("bootstrap.cli.onboard", "Give the platform pull access to a registry."),
    "rotate": ("bootstrap.cli.rotate", "Mint a new credential, hand it to the platform, retire the old ones."),
    "offboard": ("bootstrap.cli.offboard", "Remove a credential from the platform and revoke it in the cloud."),
    "apply": (
        "bootstrap.cli.apply",
        "Every registry credential of a fleet from one reviewed file: planned, applied concurrently, pruned.",
    ),
    "status": (
        "bootstrap.cli.status",
        "Platform credentials joined with what the clouds say about them: identity, grant, age, expiry.",
    ),
    "plugins": ("bootstrap.cli.plugins", "Installed provider plugins, their versions, and where they came from."),
    "verify": (
        "bootstrap.cli.verify",
        "Prove a credential can pull (the registry v2 token flow). A refusal is final: nothing propagates.",
    ),
    "sandbox": (
        "bootstrap.cli.sandbox",
        "Local emulators of the clouds, registries and akka CLI; prints the env to use them.",
    ),
}


def help_of(command: str) -> str:
    return COMMANDS[command][1]


def build() -> typer.Typer:
    """The application; each command is built when it is run (see COMMANDS)."""
    from bootstrap.cli.app import app

    return app


STARTUP = 2.0  # seconds of a run during which the cyclic garbage collector is off


@contextmanager
def collector() -> Iterator[None]:
    """The cyclic garbage collector's part in a run, whose objects are mostly the SDK modules it imports, alive
    until it exits.

    - Off while they load: walking them again and again as they pile up cost a short run about a tenth of its CPU
      (gc.callbacks: 124 collections and 75 ms in a gcr onboarding of about 0.7 s, 152 and 80 ms in an acr one).
      Back on STARTUP seconds in, for runs that wait (verification, a fleet), with what exists by then frozen out
      of its walks.
    - Frozen at the end: exiting, CPython collects every generation once more and walks each of those objects for
      nothing, 0.17 s of an acr onboarding and 0.03 s of a private one; frozen objects are not walked.
    """
    import gc
    import threading

    def resume() -> None:
        gc.freeze()
        gc.enable()

    gc.disable()
    timer = threading.Timer(STARTUP, resume)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        gc.freeze()


def main() -> None:
    from bootstrap.cli import roothelp

    if (answer := roothelp.answer(sys.argv[1:])) is not None:
        sys.stdout.write(answer)
        sys.exit(0)
    from bootstrap import interrupts

    # httpx (verification, Graph) imports its own command-line client, click and rich, whenever they are installed,
    # as they are beside typer: ~0.1 s of CPU for a module regboot never runs. Marked missing, httpx skips it.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    interrupts.install()  # SIGTERM and SIGHUP roll back like Ctrl-C
    with collector():
        sys.exit(build()())
