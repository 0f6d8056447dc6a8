"""The Akka platform, through its CLI: preflight, add / list / remove credentials, delete secrets.

The CLI takes the password only as an argument (`--docker-password`), so it is visible to same-host users
while that one process runs; nothing else here ever sees it. Failures become domain errors built from the
CLI's own output with the password scrubbed, never from the command line (CalledProcessError would print it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from bootstrap.consumer import Consumer
from bootstrap.credentials import RegistryCredential, Secret, scrub
from bootstrap.errors import OperationError, PreconditionError, RegbootError, UsageError
from bootstrap.parallel import alongside
from bootstrap.platforms import PlatformEntry, Unanswered, dialects
from bootstrap.platforms.table import parse_table
from bootstrap.server import same_server
from bootstrap.settings import Settings
from bootstrap.ui import Ui
from bootstrap.waiting import Patience, Retry, poll

LOGIN_FIX = "Run `akka auth login` (in CI, set AKKA_TOKEN), then run this command again."
_NOT_LOGGED_IN = ("not logged in", "unauthenticated", "akka auth login", "token has expired", "login required")
# How akka (gRPC in Go) says it could not reach the platform: no verdict on the login or the project, and the same
# command may work a minute later.
_UNREACHABLE = (
    "code = unavailable",
    "code = deadlineexceeded",
    "code = resourceexhausted",
    "connection error",
    "connection refused",
    "connection reset",
    "context deadline exceeded",
    "i/o timeout",
    "no such host",
    "tls handshake",
)
UNREACHABLE_FIX = "Check the network and the Akka status page, then run this command again."
_NOT_FOUND = ("not found", "code = notfound")
_DEADLINE = "deadline exceeded"  # akka's own timeout: the request went out, its answer did not come back
_NO_ANSWER = ("platform_timeout", "platform_unreachable")
SECRET_VARIABLES = ("REGBOOT_PASSWORD",)  # regboot's variables that hold a secret: never handed to a child
ADD_TRIES = 3
ADD_PATIENCE = Patience(deadline=600.0, first=1.0, factor=2.0, cap=4.0)  # tries, not the deadline, end it


@dataclass(frozen=True)
class Dialect:
    """What the installed CLI calls things: 3.0.4 renamed delete-credentials and added secret names."""

    modern: bool

    @property
    def remove_command(self) -> str:
        return "remove-credentials" if self.modern else "delete-credentials"


class Akka:
    """One consumer's view of the Akka platform."""

    def __init__(self, consumer: Consumer, *, ui: Ui, settings: Settings) -> None:
        self.consumer = consumer
        self.ui = ui
        self.settings = settings
        self.timeout = settings.akka_timeout
        self._dialect: Dialect | None = None

    # --- preflight ---------------------------------------------------------------------------------------
    def preflight(self) -> Consumer:
        """CLI present, logged in, project known and visible, the CLI's dialect understood. Changes nothing."""
        self.resolve()
        self.check()
        return self.consumer

    def resolve(self) -> Consumer:
        """The consumer with its project named (by the flag, AKKA_PROJECT or akka's own configuration): known
        before the platform is asked anything, so that the cloud's side can start at once."""
        self._binary()
        project = self.consumer.project or self.settings.akka_project or self._configured_project()
        if not project:
            self._login()  # a logged-out CLI may have no project either: say what to do first
            raise PreconditionError(
                "no Akka project given and none is configured",
                fix="Pass --akka-project NAME, or run `akka config set project NAME`.",
                code="unknown_project",
            )
        self.consumer = self.consumer.resolved(project)
        return self.consumer

    def check(self) -> None:
        """Logged in, the project visible (both told by reading it: a user's login and a CI service token alike
        can read their project, and a logged-out CLI says so), its region known, the dialect understood."""
        project = self.consumer.project
        assert project  # resolve() named it
        found = self._run(["projects", "get", project, *self._owner()], what="look up the Akka project")
        if found.returncode != 0:
            _unless_unreachable(found, f"look up Akka project {project!r}")
            if _says(found, _NOT_LOGGED_IN):
                raise PreconditionError(
                    f"not logged in to Akka: {_first_line(found)}", fix=LOGIN_FIX, code="not_logged_in"
                )
            raise PreconditionError(
                f"Akka project {project!r} not found or not visible to this login: {_first_line(found)}",
                fix="Check the name with `akka projects list`, or pass --akka-owner for an organisation's project.",
                code="unknown_project",
            )
        self._check_region(project, _regions(found.stdout, project))
        dialect = self.dialect()
        if not dialect.modern and (self.consumer.region or self.consumer.secret_name != "docker-credentials"):
            raise PreconditionError(
                "this akka CLI predates 3.0.4 and has no --secret-name or --region",
                fix="Upgrade the Akka CLI, or drop --secret-name/--akka-region.",
                code="akka_too_old",
            )

    def survey(self) -> list[PlatformEntry]:
        """check(), and the consumer's project's credentials listed meanwhile (a failed check's error wins)."""
        self.dialect()  # read the listing by; asked once, before the two commands would both ask
        _, entries = alongside(self.check, self.entries)
        return entries

    def _login(self) -> None:
        """Raise if akka says nobody is logged in; any other answer (a service token has no user) passes."""
        login = self._run(["auth", "current-login"], what="check the Akka login")
        if login.returncode != 0:
            _unless_unreachable(login, "check the Akka login")
            if _says(login, _NOT_LOGGED_IN) or not self.settings.akka_token:
                raise PreconditionError(
                    f"not logged in to Akka: {_first_line(login)}", fix=LOGIN_FIX, code="not_logged_in"
                )

    def _check_region(self, project: str, regions: list[str]) -> None:
        """A project in several regions keeps its secrets per region: which one must be said, and be one of them."""
        region = self.consumer.region
        if region is None and len(regions) > 1:
            raise UsageError(
                f"Akka project {project!r} has several regions ({', '.join(regions)}) and no --akka-region was given",
                fix=f"Pass --akka-region with the region whose services pull the image: {' or '.join(regions)}.",
            )
        if region is not None and regions and region not in regions:
            raise UsageError(
                f"{region!r} is not a region of Akka project {project!r}, which has {', '.join(regions)}",
                fix="Pass one of those as --akka-region.",
            )

    def dialect(self) -> Dialect:
        if self._dialect is None:

            def learn() -> bool:
                # A failed `--help` says nothing about the version: guessing "old" would send old commands to a new
                # CLI, so it raises, and nothing is remembered.
                helptext = self._check(["docker", "--help"], what="read `akka docker --help`")
                return "remove-credentials" in helptext.stdout + helptext.stderr

            self._dialect = Dialect(modern=dialects.remembered(self._binary(), self.settings.state_dir, learn))
        return self._dialect

    # --- credentials ------------------------------------------------------------------------------------
    def entries(self) -> list[PlatformEntry]:
        done = self._check(["docker", "list-credentials", *self._scope()], what="list credentials")
        if self.dialect().modern:
            rows = parse_table(done.stdout, "NAME")
            return [
                PlatformEntry(
                    r["name"], r.get("server", ""), r.get("username", ""), r.get("email", ""), r.get("status", "")
                )
                for r in rows
            ]
        rows = parse_table(done.stdout, "ID")
        return [PlatformEntry(r["id"], r.get("server", ""), r.get("username", ""), r.get("email", "")) for r in rows]

    def find(self, server: str | None = None, entries: list[PlatformEntry] | None = None) -> PlatformEntry | None:
        """This consumer's entry among `entries` (default: listed now): by secret name, or on old CLIs (no names)
        by server."""
        for entry in self.entries() if entries is None else entries:
            if self.dialect().modern and entry.name == self.consumer.secret_name:
                return entry
            if not self.dialect().modern and server and same_server(entry.server, server):
                return entry
        return None

    def add(self, credential: RegistryCredential) -> None:
        """Install or update (same secret name) the credential. The password's only way out of regboot."""
        argv = [
            "docker",
            "add-credentials",
            "--docker-server",
            credential.server,
            "--docker-username",
            credential.username,
        ]
        email = credential.email or self.consumer.email
        if email:
            argv += ["--docker-email", email]
        if self.dialect().modern:
            argv += ["--secret-name", self.consumer.secret_name]
        argv += [*self._scope(), "--docker-password", credential.password.reveal()]
        what = f"add credentials for {credential.server}"
        # Modern CLIs upsert by secret name, so sending the same credential again is safe; old ones might add a
        # second entry, so they get one try.
        tries = ADD_TRIES if self.dialect().modern else 1
        failures: list[OperationError] = []

        def once() -> None:
            try:
                self._check(argv, what=what, secret=credential.password)
            except OperationError as err:
                failures.append(err)
                raise

        def unanswered(exc: BaseException) -> Retry | None:
            if isinstance(exc, OperationError) and exc.code in _NO_ANSWER and len(failures) < tries:
                return Retry(f"akka did not answer (try {len(failures)} of {tries})")
            return None

        try:
            # not interruptible: a try akka never answered may have stored the credential, which Ctrl-C would roll back
            poll(
                once,
                what=what,
                not_yet=unanswered,
                ui=self.ui,
                patience=ADD_PATIENCE,
                interruptible=False,
                clock=self.settings.clock,
            )
        except OperationError as err:
            # A timed-out call may have been carried out: the platform's state is unknown, not unchanged.
            if any(f.code == "platform_timeout" or _DEADLINE in f.message.lower() for f in failures):
                raise Unanswered(
                    f"{err.message} ({len(failures)} {'try' if len(failures) == 1 else 'tries'})", fix=err.fix
                ) from None
            raise
        except RegbootError:
            raise
        except Exception as err:  # anything else once akka may have stored it: the platform's state is unknown
            raise Unanswered(
                f"akka's answer to {what} could not be read ({type(err).__name__})", fix=UNREACHABLE_FIX
            ) from None

    def remove(self, entry: PlatformEntry) -> None:
        self._check(
            ["docker", self.dialect().remove_command, entry.name, *self._scope()],
            what=f"remove credentials {entry.name}",
        )

    def secret_exists(self, name: str) -> bool:
        return name in self.secret_names()

    def secret_names(self) -> list[str]:
        done = self._check(["secrets", "list", *self._scope()], what="list secrets")
        return [row["name"] for row in parse_table(done.stdout, "NAME") if row.get("name")]

    def create_secret(self, name: str, values: Mapping[str, str]) -> None:
        """Create or replace (the CLI upserts) a generic secret; only for values that are not secret themselves,
        as they travel as arguments."""
        literals = [arg for key, value in values.items() for arg in ("--literal", f"{key}={value}")]
        self._check(["secrets", "create", "generic", name, *literals, *self._scope()], what=f"create secret {name}")

    def delete_secret(self, name: str) -> bool:
        """Delete the secret; False when it was already gone (some CLIs' remove-credentials takes it along)."""
        what = f"delete secret {name}"
        done = self._run(["secrets", "delete", name, *self._scope()], what=what)
        if done.returncode != 0 and _says(done, _NOT_FOUND) and not _says(done, _UNREACHABLE + _NOT_LOGGED_IN):
            return False
        self._ok(done, what=what)
        return True

    # --- plumbing -----------------------------------------------------------------------------------------
    def _scope(self) -> list[str]:
        c = self.consumer
        out = ["--project", c.project] if c.project else []
        if c.region:
            out += ["--region", c.region]
        return out + self._owner()

    def _owner(self) -> list[str]:
        return ["--owner", self.consumer.owner] if self.consumer.owner else []

    def _configured_project(self) -> str:
        done = self._run(["config", "get", "project"], what="read the configured Akka project")
        if done.returncode != 0:
            _unless_unreachable(done, "read the configured Akka project")
            return ""
        return done.stdout.strip()

    def _binary(self) -> str:
        name = self.settings.akka_binary
        found = shutil.which(name, path=self.settings.env.get("PATH"))
        if not found:
            raise PreconditionError(
                f"the akka CLI was not found ({name})",
                fix="Install it (https://doc.akka.io/reference/cli/index.html) or set REGBOOT_AKKA_BIN to its path.",
                code="akka_missing",
            )
        return found

    def _check(self, args: list[str], *, what: str, secret: Secret | None = None) -> subprocess.CompletedProcess:
        return self._ok(self._run(args, what=what, secret=secret), what=what)

    def _ok(self, done: subprocess.CompletedProcess, *, what: str) -> subprocess.CompletedProcess:
        """The command's result if it succeeded; else its failure as a domain error."""
        if done.returncode != 0:
            where = f"in Akka project {self.consumer.project}" if self.consumer.project else "on Akka"
            reason = _first_line(done)
            if _says(done, _NOT_LOGGED_IN):
                raise PreconditionError(f"could not {what} {where}: {reason}", fix=LOGIN_FIX, code="not_logged_in")
            if _says(done, _UNREACHABLE):
                raise OperationError(
                    f"could not reach Akka to {what} {where}: {reason}",
                    fix=UNREACHABLE_FIX,
                    code="platform_unreachable",
                )
            raise OperationError(f"could not {what} {where}: {reason}", code="platform_failed")
        return done

    def _run(self, args: list[str], *, what: str, secret: Secret | None = None) -> subprocess.CompletedProcess:
        # akka's own deadline (10 s by default) would otherwise end a slow call long before regboot's
        argv = [self._binary(), *args, "--disable-prompt", "--timeout", go_duration(self.timeout)]
        # akka needs no secret of regboot's but the one password its argument carries
        env = {k: v for k, v in self.settings.env.items() if k not in SECRET_VARIABLES} | {
            "AKKA_DISABLE_PROMPTS": "true"
        }
        try:
            done = subprocess.run(
                argv,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                encoding="utf-8",
                errors="replace",  # whatever bytes akka prints, its answer is read; none of them may fail the run
                timeout=self.timeout,
                check=False,
                start_new_session=True,  # a terminal's Ctrl-C reaches regboot, which decides; not akka mid-write
                creationflags=_NEW_GROUP,
            )
        except subprocess.TimeoutExpired:
            raise OperationError(
                f"akka did not answer within {self.timeout:.0f}s trying to {what}",
                fix=UNREACHABLE_FIX,
                code="platform_timeout",
            ) from None  # the TimeoutExpired text holds the argv, password included
        except OSError as err:
            raise PreconditionError(
                f"could not run the akka CLI: {err.strerror}",
                fix="Check REGBOOT_AKKA_BIN and the CLI's installation.",
                code="akka_missing",
            ) from None
        if secret:  # should the CLI ever echo its arguments, the password stays here, in whatever shape it took
            done.stdout, done.stderr = scrub(done.stdout), scrub(done.stderr)
        return done


def _regions(text: str, project: str) -> list[str]:
    """The REGIONS column of `akka projects get`; empty when the CLI does not show one."""
    rows = parse_table(text, "NAME")
    row = next((r for r in rows if r.get("name") == project), rows[0] if rows else {})
    return [r for r in row.get("regions", "").split(",") if r]


# Windows ignores start_new_session: a process group of its own keeps the console's Ctrl-C away from akka there.
if sys.platform == "win32":
    _NEW_GROUP = subprocess.CREATE_NEW_PROCESS_GROUP
else:
    _NEW_GROUP = 0


def _says(done: subprocess.CompletedProcess, markers: tuple[str, ...]) -> bool:
    text = (done.stderr + "\n" + done.stdout).lower()
    return any(marker in text for marker in markers)


def _unless_unreachable(done: subprocess.CompletedProcess, what: str) -> None:
    """A failed check means "no" only when akka reached the platform; else it is an error worth retrying."""
    if _says(done, _UNREACHABLE):
        raise OperationError(
            f"could not reach Akka to {what}: {_first_line(done)}", fix=UNREACHABLE_FIX, code="platform_unreachable"
        )


def _first_line(done: subprocess.CompletedProcess) -> str:
    for line in (done.stderr + "\n" + done.stdout).splitlines():
        if line.strip():
            return line.strip().removeprefix("Error: ")[:300]
    return f"exit status {done.returncode}"


def go_duration(seconds: float) -> str:
    """Seconds as a Go duration, the syntax of akka's `--timeout`: 60 -> `60s`, 0.5 -> `0.5s`."""
    return f"{max(seconds, 0.001):.3f}".rstrip("0").rstrip(".") + "s"  # milliseconds: what a CLI can honour
