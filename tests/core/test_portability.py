"""regboot's main path runs where POSIX-only modules do not exist (Windows): it is simulated here by blocking them."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from tests.conftest import platform_credentials

# Standard-library modules Windows lacks; `subprocess` and `getpass` already cope without them.
POSIX_ONLY = ("fcntl", "termios", "tty", "pty", "pwd", "grp", "resource")


def test_onboarding_runs_without_posix_only_modules(sandbox, canaries):
    token = canaries.new("token")
    server = "https://registry.example.com/v1/"
    code = (
        "import sys\n"
        f"for name in {POSIX_ONLY!r}:\n    sys.modules[name] = None\n"
        f"sys.argv = ['regboot', 'onboard', 'private', '--server', {server!r}, '--username', 'bot', '--no-verify']\n"
        "from bootstrap.cli import main\nmain()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "REGBOOT_PASSWORD": token},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    canaries.saw("stdout", done.stdout)
    canaries.saw("stderr", done.stderr)
    assert done.returncode == 0, done.stderr
    held = platform_credentials(sandbox)["docker-credentials"]
    assert (held["server"], held["password_sha256"]) == (server, hashlib.sha256(token.encode()).hexdigest())
