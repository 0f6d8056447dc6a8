"""Help that lists only what a command uses, shows defaults and ends with examples; completion for three shells."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bootstrap.cli import COMMANDS

PROVIDERS = ("gcr", "gar", "acr", "dockerhub", "private")
GROUPS = ("onboard", "rotate", "offboard")


def every_help() -> list[tuple[str, ...]]:
    single = [(c,) for c in COMMANDS if c not in GROUPS and c != "sandbox"]
    sandbox = [("sandbox",), ("sandbox", "up"), ("sandbox", "env"), ("sandbox", "down")]
    return [(), *single, *sandbox, *((g,) for g in GROUPS), *((g, p) for g in GROUPS for p in PROVIDERS)]


def options(text: str) -> set[str]:
    return set(re.findall(r"(?m)^\s+(?:-\w, )?(--[\w-]+)", text))


def test_offboard_offers_only_what_it_uses(regboot):
    gcr = regboot("offboard", "gcr", "--help").stdout
    assert {"--gcp-project", "--service-account", "--host", "--keep-identity", "--yes", "--reassign"} <= options(gcr)
    assert not {"--role", "--email", "--no-verify", "--verify-timeout", "--update", "--replace"} & options(gcr)
    assert "--expires-in" not in options(regboot("offboard", "acr", "--help").stdout)
    assert "--keep-identity" not in options(regboot("offboard", "private", "--help").stdout)
    assert "--keep-identity" not in options(regboot("offboard", "dockerhub", "--help").stdout)
    # what offboard stopped offering is still what onboard and rotate use
    assert {"--role", "--email", "--yes"} <= options(regboot("onboard", "gcr", "--help").stdout)
    assert "--expires-in" in options(regboot("rotate", "acr", "--help").stdout)


def test_an_offboard_without_the_options_it_ignores_still_runs(world, regboot):
    assert (
        regboot(
            "onboard", "gcr", "--gcp-project", "demo-gcp-project", "--role", "roles/storage.objectViewer", "--no-verify"
        ).code
        == 0
    )
    done = regboot("offboard", "gcr", "--gcp-project", "demo-gcp-project", "-y")
    assert done.code == 0, done.stderr


def test_onboard_documents_yes_and_shows_defaults(regboot):
    text = " ".join(regboot("onboard", "gcr", "--help").stdout.split())
    assert "-y, --yes Confirm" in text and "needed without a terminal" in text
    assert "[default: gcr.io]" in text and "[default: docker-credentials]" in text and "[default: text]" in text


@pytest.mark.parametrize("argv", every_help(), ids=lambda a: " ".join(a) or "regboot")
def test_every_help_ends_with_examples_of_itself(regboot, argv):
    done = regboot(*argv, "--help")
    assert done.code == 0, done.stderr
    help_text, _, examples = done.stdout.rpartition("\n  Examples:\n")
    assert help_text and examples.strip(), done.stdout
    for line in examples.strip().splitlines():
        command = line.split("| ")[-1].strip().removeprefix('eval "$(')
        assert command.startswith(" ".join(("regboot", *argv))), line
    assert not re.search(r"\ba (acr|a|e|i|o|u)\w*", done.stdout, re.IGNORECASE), done.stdout  # "a acr"


def regboot_exe() -> str:
    return str(Path(sys.executable).with_name("regboot"))


def complete(shell: str, line: str) -> str:
    words = line.split(" ")
    env = {**os.environ, "_REGBOOT_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line}
    env |= {"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1), "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    done = subprocess.run([regboot_exe()], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_works_in_bash_zsh_and_fish(shell, tmp_path):
    assert "onboard" in complete(shell, "regboot onb")
    assert "--role" in complete(shell, "regboot onboard gcr --ro")
    assert "--role" not in complete(shell, "regboot offboard gcr --ro")
    # --install-completion writes the shell's script where the shell reads it (the shell named here for the test;
    # people get theirs detected)
    env = {**os.environ, "HOME": str(tmp_path), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    done = subprocess.run(
        [regboot_exe(), "--install-completion", shell], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    written = [p.read_text() for p in tmp_path.rglob("*") if p.is_file()]
    assert any(f"complete_{shell}" in text for text in written), written


@pytest.mark.parametrize("columns", [40, 50, 51, 60, 72, 79, 80, 81, 100, 200])
def test_the_root_help_printed_without_typer_is_typers_own_at_every_width(columns):
    # typer's rendering in a process of its own, as a terminal of that width gets it (CliRunner wraps differently)
    code = "from bootstrap.cli import build\nbuild()(['--help'], prog_name='regboot')"
    env = {**os.environ, "COLUMNS": str(columns)}
    typers = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    quick = subprocess.run([regboot_exe(), "--help"], capture_output=True, text=True, env=env, check=True)
    assert typers.returncode == 0, typers.stderr
    assert quick.stdout == typers.stdout


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["--version"]])
def test_the_root_help_and_version_load_no_typer(argv):
    code = (
        f"import sys\nsys.argv = ['regboot', *{argv!r}]\nfrom bootstrap.cli import main\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    assert stop.code == 0, stop.code\n"
        "print('TYPER', 'typer' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.endswith("TYPER False\n"), done.stdout
    assert ("Usage: regboot [OPTIONS] COMMAND" if argv != ["--version"] else "regboot ") in done.stdout


def test_any_other_root_command_line_is_typers():
    from bootstrap.cli import roothelp

    for argv in ([], ["--debug", "--help"], ["onboard", "--help"], ["--help", "status"], ["--version", "--debug"]):
        assert roothelp.answer(argv) is None, argv
