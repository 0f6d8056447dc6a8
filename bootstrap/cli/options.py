"""The options every onboard/rotate/offboard command shares, and provider commands built from a provider's Params."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bootstrap.cli.app import epilog
from bootstrap.consumer import DEFAULT_SECRET_NAME, Consumer
from bootstrap.credentials import Secret
from bootstrap.errors import UsageError
from bootstrap.plugins import registry
from bootstrap.provider import Provider

if TYPE_CHECKING:  # the engine loads when a command runs, not for --help
    from bootstrap.engine import Request
    from bootstrap.settings import Settings

GLOBAL_DEBUG = False  # `regboot --debug <command>`; commands also take --debug themselves


class Format(StrEnum):
    text = "text"
    json = "json"


def _option(*flags: str, **kwargs: Any) -> Any:
    long = next((f for f in flags if f.startswith("--")), flags[0])
    kwargs.setdefault("metavar", long.lstrip("-").upper().replace("-", "_"))
    return typer.Option(*flags, **kwargs)


# name -> (annotation, default). Kept as data so status/verify can take a subset and provider commands all of it.
COMMON: dict[str, tuple[Any, Any]] = {
    "secret_name": (
        Annotated[str, _option("--secret-name", help="Platform secret that holds the credential.")],
        DEFAULT_SECRET_NAME,
    ),
    "email": (
        Annotated[
            str | None,
            _option(
                "--email",
                help="Email to store with the credential. Ignored for gcr and gar, whose entry always holds the "
                "service account's email (status and rotate find the account by it).",
            ),
        ],
        None,
    ),
    "akka_project": (Annotated[str | None, _option("--akka-project", help="Akka project (default: the CLI's).")], None),
    "akka_region": (
        Annotated[str | None, _option("--akka-region", help="Akka region (needed in a project with several).")],
        None,
    ),
    "akka_owner": (
        Annotated[str | None, _option("--akka-owner", help="Owner of the Akka project (default: the CLI's).")],
        None,
    ),
    "dry_run": (Annotated[bool, typer.Option("--dry-run", help="Print the plan; change nothing anywhere.")], False),
    "no_verify": (Annotated[bool, typer.Option("--no-verify", help="Skip proving the credential can pull.")], False),
    "verify_timeout": (
        Annotated[
            float | None,
            _option(
                "--verify-timeout",
                envvar="REGBOOT_VERIFY_TIMEOUT",
                help="Seconds verification may wait, more than 0, at most 3600 (default: as long as the cloud "
                "usually takes to propagate).",
            ),
        ],
        None,
    ),
    "output": (Annotated[Format, _option("-o", "--output", metavar="[text|json]", help="Result format.")], Format.text),
    "yes": (
        Annotated[
            bool,
            typer.Option(
                "-y",
                "--yes",
                help="Confirm what the flags ask for (a removal, --reassign) without a prompt; needed without a "
                "terminal. Never authorises more.",
            ),
        ],
        False,
    ),
    "debug": (Annotated[bool, typer.Option("--debug", help="Show tracebacks and more detail on stderr.")], False),
}
PLATFORM = ("secret_name", "email", "akka_project", "akka_region", "akka_owner")
COMMAND = ("dry_run", "no_verify", "verify_timeout", "output", "yes", "debug")

PASSWORD_STDIN = (
    Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")],
    False,
)


@dataclass
class Common:
    """The shared options of one command line, as given."""

    values: dict[str, Any]

    @property
    def output(self) -> str:
        fmt = self.values.get("output", Format.text)
        return fmt.value if isinstance(fmt, Format) else str(fmt)

    @property
    def debug(self) -> bool:
        return bool(self.values.get("debug")) or GLOBAL_DEBUG

    def consumer(self) -> Consumer:
        v = self.values
        return Consumer(
            secret_name=v.get("secret_name", DEFAULT_SECRET_NAME),
            project=v.get("akka_project"),
            region=v.get("akka_region"),
            owner=v.get("akka_owner"),
            email=v.get("email") or "",
        )

    def request(self, provider: type[Provider] | None, options: dict[str, Any], **extra: Any) -> Request:
        """The request for `provider` (None: by --secret-name alone), its options checked once, into its target."""
        v = self.values
        from bootstrap.verify import check_timeout

        timeout = v.get("verify_timeout")
        check_timeout(timeout)
        for flag, given in (("--reassign", options.get("reassign")), ("--replace", extra.get("replace"))):
            if given and not v.get("dry_run") and not self.confirm(f"{flag} may take a credential from another use."):
                raise UsageError(f"{flag} was not confirmed; nothing was changed", fix="Pass -y to confirm it.")
        from bootstrap.engine import Request

        consumer = self.consumer()
        return Request(
            provider=provider,
            target=provider.check(options) if provider is not None else None,
            consumer=consumer,
            dry_run=bool(v.get("dry_run")),
            verify=not v.get("no_verify"),
            verify_timeout=timeout,
            confirm=self.confirm,
            **extra,
        )

    def confirm(self, question: str) -> bool:
        """Yes with -y; else asked on the terminal. With neither, a destructive step is refused, never assumed."""
        if self.values.get("yes"):
            return True
        if not sys.stdin.isatty():
            raise UsageError(
                f"{question.rstrip('?')}: this needs confirmation and no terminal can ask",
                fix="Pass -y (--yes) to confirm.",
                code="confirmation_needed",
            )
        with _prompting():
            return typer.confirm(question, err=True)


MAX_PASSWORD_BYTES = 64 * 1024  # far above any token or key file, far below what could be anything else


def read_password(from_stdin: bool, settings: Settings) -> Secret:
    """--password-stdin, else REGBOOT_PASSWORD, else a hidden prompt on a terminal. Never a flag value."""
    if from_stdin:
        value = sys.stdin.read()
        value = value.removesuffix("\n")  # text-mode stdin already reads a CRLF as "\n"
    elif settings.password is not None:
        value = settings.password.reveal()
    elif sys.stdin.isatty():
        with _prompting():
            value = typer.prompt("Password", hide_input=True, err=True)
    else:
        raise UsageError(
            "no password given",
            fix="Pipe it in with --password-stdin or set REGBOOT_PASSWORD; it is never taken as a flag.",
        )
    if not value:
        raise UsageError("the password is empty", fix="Pipe a non-empty password or token to --password-stdin.")
    if len(value.encode()) > MAX_PASSWORD_BYTES:
        raise UsageError(
            f"the password is over {MAX_PASSWORD_BYTES // 1024} KiB",
            fix="Give the password, token or key file itself; a Google key file is about 2.3 KiB.",
        )
    if "\0" in value:  # a NUL cannot travel in the platform call's argument; line breaks can (key files)
        raise UsageError("the password contains a NUL byte", fix="Give the password, token or key file as it is.")
    return Secret(value)


@contextmanager
def _prompting() -> Iterator[None]:
    """Ctrl-C or Ctrl-D at a prompt stops the run like Ctrl-C anywhere else (exit 130), not as a crash."""
    try:
        yield
    except typer.Abort:
        raise KeyboardInterrupt from None


def provider_command(
    group: typer.Typer,
    cls: type[Provider],
    handler: Callable[[type[Provider], dict[str, Any], Common, dict[str, Any]], None],
    *,
    help: str,
    common: tuple[str, ...] = PLATFORM + COMMAND,
    extra: dict[str, tuple[Any, Any]] | None = None,
    identifying_only: bool = False,
    examples: tuple[str, ...] = (),
) -> None:
    """Add `<group> <provider>` with the provider's own options (only those that identify, for a removal), the
    shared ones and `extra` ones; its help ends with `examples`, each after `regboot <group> <provider>`.

    handler(cls, provider_options, common, extra_values) runs the command."""
    extra = extra or {}
    own_params = [p for p in cls.options if p.identifies or not identifying_only]
    params = [_parameter(p.name, *_param_type(p)) for p in own_params]
    params += [_parameter(name, *COMMON[name]) for name in common]
    params += [_parameter(name, *spec) for name, spec in extra.items()]
    own = {p.name for p in own_params}

    def command(**kwargs: Any) -> None:
        options = {k: v for k, v in kwargs.items() if k in own}
        shared = Common({k: v for k, v in kwargs.items() if k in common})
        handler(cls, options, shared, {k: v for k, v in kwargs.items() if k in extra})

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__name__ = cls.name
    required = " ".join(f"{p.option} {_placeholder(p)}" for p in own_params if p.required)
    lines = [f"regboot {group.info.name} {cls.name} {required} {more}".replace("  ", " ").strip() for more in examples]
    if "password_stdin" in extra:  # the password comes on stdin, never as a flag
        lines = [f'printf %s "$TOKEN" | {line} --password-stdin' if "--dry-run" not in line else line for line in lines]
    group.command(cls.name, help=help.format(name=cls.name, summary=cls.summary), epilog=epilog(*lines))(command)


def provider_commands(
    group: typer.Typer,
    handler: Callable[[type[Provider], dict[str, Any], Common, dict[str, Any]], None],
    *,
    help: str,
    password_help: str | None = None,
    reads_password: bool = False,
    identity_extra: dict[str, tuple[Any, Any]] | None = None,
    examples: tuple[str, ...] = (),
    password_examples: tuple[str, ...] | None = None,
    extra: dict[str, tuple[Any, Any]] | None = None,
    **shared: Any,
) -> None:
    """`provider_command` for every installed provider. One the user brings a password to (dockerhub, private) gets
    `password_help` and `password_examples` where given, and `--password-stdin` when the command `reads_password`;
    one with a cloud identity gets the `identity_extra` options."""
    for cls in registry().providers.values():
        brought = cls.takes_password
        more = {"password_stdin": PASSWORD_STDIN} if brought and reads_password else {}
        provider_command(
            group,
            cls,
            handler,
            help=password_help if brought and password_help else help,
            extra={**(extra or {}), **({} if brought else identity_extra or {}), **more},
            examples=password_examples if brought and password_examples is not None else examples,
            **shared,
        )


def _placeholder(p: Any) -> str:
    return p.choices[0] if p.choices else p.name.upper()


SECRET_NAME_ALONE = (
    Annotated[
        str | None,
        _option("--secret-name", help="The platform secret; provider and identity are read from its entry."),
    ],
    None,
)


def named_command(
    group: typer.Typer,
    handler: Callable[[Common, dict[str, Any]], None],
    *,
    common: tuple[str, ...],
    extra: dict[str, tuple[Any, Any]] | None = None,
) -> None:
    """Let `<group> --secret-name NAME [options]` run without a provider: `handler(common, extra_values)` reads the
    provider from the platform's entry. Options given before a provider name would be silently dropped: refused."""
    extra = extra or {}
    shared = {"secret_name": SECRET_NAME_ALONE, **{name: COMMON[name] for name in common if name != "secret_name"}}
    params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)]
    params += [_parameter(name, *spec) for name, spec in {**shared, **extra}.items()]

    def callback(ctx: typer.Context, **kwargs: Any) -> None:
        given = [name for name in kwargs if _source(ctx, name) == "COMMANDLINE"]
        if ctx.invoked_subcommand is not None:
            if given:
                flags = ", ".join("--" + name.replace("_", "-") for name in given)
                example = f"{ctx.command_path} {ctx.invoked_subcommand} ... {flags}"
                raise typer.BadParameter(f"{flags} must come after the provider name: `{example}`")
            return
        if kwargs["secret_name"] is None:
            typer.echo(ctx.get_help())
            raise typer.Exit(2)
        handler(Common({k: v for k, v in kwargs.items() if k in shared}), {k: kwargs[k] for k in extra})

    callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    callback.__annotations__ = {p.name: p.annotation for p in params}
    group.callback(invoke_without_command=True)(callback)


def _source(ctx: typer.Context, name: str) -> str:
    """Where a parameter's value came from: COMMANDLINE, ENVIRONMENT, DEFAULT..."""
    source = ctx.get_parameter_source(name)
    return source.name if source is not None else "DEFAULT"


def _param_type(p: Any) -> tuple[Any, Any]:
    kwargs: dict[str, Any] = {"help": p.help}
    if p.choices:  # the provider's check() enforces them, so a wrong one gets the JSON envelope too
        kwargs["metavar"] = "[" + "|".join(p.choices) + "]"
    if p.flag:
        return Annotated[bool, typer.Option(p.option, **kwargs)], bool(p.default)
    if p.multiple:
        return Annotated[list[str] | None, _option(p.option, **kwargs)], None
    default = inspect.Parameter.empty if p.required else p.default
    return Annotated[str if p.required else str | None, _option(p.option, **kwargs)], default


def _parameter(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
