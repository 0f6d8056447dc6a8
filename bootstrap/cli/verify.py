"""`regboot verify`: prove a credential you hold can pull from a registry; nothing is stored anywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bootstrap.cli.app import single_command
from bootstrap.cli.options import Common, Format, _option, read_password
from bootstrap.cli.run import execute
from bootstrap.credentials import RegistryCredential
from bootstrap.result import Result
from bootstrap.server import check_server, check_username
from bootstrap.verify import (
    PLAIN_HTTP_FLAG,
    PLAIN_HTTP_HELP,
    VerifyTarget,
    check_plain_http,
    check_repository,
    check_timeout,
    verify_credential,
)

if TYPE_CHECKING:
    from bootstrap.engine import Context


app, command = single_command(
    "verify",
    'printf %s "$TOKEN" | regboot verify --server https://registry.example.com --username bot --password-stdin',
    "regboot verify --server https://index.docker.io/v1/ --username octo --repository octo/app  # REGBOOT_PASSWORD",
)


@command
def verify(
    server: Annotated[str, _option("--server", help="Registry URL, e.g. https://registry.example.com.")],
    username: Annotated[str, _option("--username", help="Username at that registry.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    repository: Annotated[str | None, _option("--repository", help="Also read this repository, e.g. team/app.")] = None,
    verify_timeout: Annotated[
        float | None,
        _option(
            "--verify-timeout",
            envvar="REGBOOT_VERIFY_TIMEOUT",
            help="Seconds verification may wait, more than 0, at most 3600.",
        ),
    ] = None,
    allow_plain_http: Annotated[bool, typer.Option(PLAIN_HTTP_FLAG, help=PLAIN_HTTP_HELP)] = False,
    output: Annotated[Format, _option("-o", "--output", metavar="[text|json]", help="Result format.")] = Format.text,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and more detail on stderr.")] = False,
) -> None:
    def work(ctx: Context) -> Result:
        check_server(server, "registry server")  # bad input fails before the password is read
        check_plain_http(server, allowed=allow_plain_http)
        check_timeout(verify_timeout)
        target = VerifyTarget(server, check_repository(repository))
        credential = RegistryCredential(server, check_username(username), read_password(password_stdin, ctx.settings))
        proof = verify_credential(target, credential, ui=ctx.ui, settings=ctx.settings, timeout=verify_timeout)
        scope = f"pull {repository} from" if repository else "log in to"
        return Result(
            "verify",
            f"verified: {username} can {scope} {server} ({proof.scheme} auth, after {proof.waited:.1f} s)"
            + (f"; {proof.note}" if proof.note else ""),
            data={
                "server": server,
                "username": username,
                "repository": repository,
                "scheme": proof.scheme,
                "waited_seconds": round(proof.waited, 3),
                "attempts": proof.attempts,
                "note": proof.note,
            },
        )

    execute("verify", Common({"output": output, "debug": debug}), work)
