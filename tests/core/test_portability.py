"""regboot's main path runs where POSIX-only modules do not exist (Windows): it is simulated here by blocking them."""

from __future__ import annotations

import hashlib
import os
import signal
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


def test_sandbox_up_waits_for_ctrl_c_without_signal_pause():
    code = (
        "import signal, sys\ndel signal.pause  # Windows has none\nsys.argv = ['regboot', 'sandbox', 'up']\n"
        "from bootstrap.cli import main\nmain()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        lines = iter(process.stdout.readline, "")
        assert any(line.startswith("export PATH=") for line in lines)  # the last line it prints once it is up
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
