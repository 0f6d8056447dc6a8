"""`regboot sandbox` from a shell: `eval "$(regboot sandbox env)"`, every README example run as written and
verified against it, then `regboot sandbox down`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bootstrap.sandbox.background import runs
from bootstrap.sandbox.world import TOKEN

ROOT = Path(__file__).resolve().parents[2]
REGBOOT = str(Path(sys.executable).with_name("regboot"))


def readme_examples() -> list[str]:
    """The commands of the README's "Use" section, as a reader would copy them."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Use\n.*?```sh\n(.*?)```", text, re.S)
    assert block, "README.md has no ```sh block under ## Use"
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def shell(script: str, cwd: Path, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=300
    )


@pytest.mark.timeout(900)  # a dozen regboot runs, each its own process
def test_eval_sandbox_env_runs_every_readme_example_then_down_stops_it(tmp_path, canaries):
    state = tmp_path / "box"
    env = {**os.environ, "PATH": f"{Path(REGBOOT).parent}:/usr/bin:/bin"}
    printed = shell(f"{REGBOOT} sandbox env --dir {state}", tmp_path, env)
    assert printed.returncode == 0, printed.stderr
    lines = printed.stdout.splitlines()
    assert lines and all(line.startswith(("export ", "# ")) for line in lines), printed.stdout
    assert f'export PATH={state}/bin:"$PATH"' in lines  # added to, not replaced
    pid = int((state / "sandbox.pid").read_text())

    prelude = (
        f'set -e; eval "$(regboot sandbox env --dir {state})"; export TOKEN={TOKEN} NEW_TOKEN={TOKEN}; '
        'printf %s "$TOKEN" > token.txt\n'
    )
    # the shell keeps its own PATH: the stand-in akka is found first, and everything else still is
    seen = shell(prelude + "command -v akka; command -v bash; echo $REGBOOT_AKKA_BIN", tmp_path, env)
    assert seen.returncode == 0, seen.stderr
    assert seen.stdout.splitlines()[0] == f"{state}/bin/akka" and seen.stdout.splitlines()[1].endswith("/bash")
    assert int((state / "sandbox.pid").read_text()) == pid  # the second env found the running sandbox

    try:
        # Each registry has its own secret in the README: its examples run in order, as written, side by side.
        for example in readme_examples():
            done = shell(prelude + example, tmp_path, env, stdin=TOKEN)
            canaries.saw(example, done.stdout + done.stderr)
            assert done.returncode == 0, (example, done.stdout, done.stderr)
            if re.search(r"\b(onboard|rotate)\b", example):
                assert "verified" in done.stderr, (example, done.stderr)
        status = shell(prelude + "regboot status -o json", tmp_path, env)
        assert json.loads(status.stdout)["status"] == "success", status.stdout

    finally:  # the sandbox runs in the background: stop it, whatever failed
        stopped = shell(f"{REGBOOT} sandbox down --dir {state}", tmp_path, env)
    assert stopped.returncode == 0 and "stopped" in stopped.stderr, stopped.stderr
    assert not (state / "sandbox.pid").exists() and not (state / "bin").exists()
    assert not runs(pid)
