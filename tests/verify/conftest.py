"""Registries to verify against: the sandbox's emulator (fresh per test) and Debian's real `docker-registry`
(one per session, htpasswd auth on loopback, or token auth trusting the emulator as its token server)."""

from __future__ import annotations

import base64
import datetime
import json
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bootstrap.clock import REAL
from bootstrap.sandbox.registry import Accounts, RegistryEmulator
from bootstrap.ui import Ui
from bootstrap.waiting import Patience, Retry, poll

SERVER = "https://registry.example.com"  # what the platform would hold; the calls go to REGBOOT_REGISTRY_ENDPOINT
REGISTRY_BIN = shutil.which("docker-registry") or shutil.which("registry")


@dataclass
class RealRegistry:
    url: str
    username: str
    password: str
    log: Path


@pytest.fixture
def accounts() -> Accounts:
    return Accounts()


@pytest.fixture(scope="session")
def registry_server() -> Iterator[RegistryEmulator]:
    emulator = RegistryEmulator(Accounts().authorize)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def registry(
    registry_server: RegistryEmulator, accounts: Accounts, monkeypatch: pytest.MonkeyPatch
) -> RegistryEmulator:
    """The emulated registry, reset, knowing `accounts`, with REGBOOT_REGISTRY_ENDPOINT pointed at it."""
    registry_server.reset(accounts.authorize)
    monkeypatch.setenv("REGBOOT_REGISTRY_ENDPOINT", registry_server.url)
    return registry_server


@pytest.fixture(scope="session")
def htpasswd_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealRegistry]:
    """docker-registry with htpasswd (bcrypt) auth on 127.0.0.1: a Basic challenge, as most private registries."""
    root = tmp_path_factory.mktemp("htpasswd-registry")
    password = f"real-{uuid.uuid4().hex}"
    users = subprocess.run(  # -i: the password comes from stdin, not argv
        [_require(shutil.which("htpasswd"), "htpasswd"), "-niB", "alice"],
        input=password,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (root / "htpasswd").write_text(users)
    auth = f"  htpasswd:\n    realm: regboot-tests\n    path: {root / 'htpasswd'}\n"
    with _serve(root, auth) as url:
        yield RealRegistry(url, "alice", password, root / "registry.log")


@pytest.fixture(scope="session")
def token_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RealRegistry, RegistryEmulator]]:
    """docker-registry in token-auth mode, trusting JWTs that the registry emulator signs: a real Bearer flow."""
    root = tmp_path_factory.mktemp("token-registry")
    issuer = _Issuer(root / "token.pem")
    password = f"real-{uuid.uuid4().hex}"
    tokens = RegistryEmulator(Accounts().add("bob", password, repositories={"team/app"}).authorize)
    tokens.issue = issuer.issue
    realm = tokens.start() + "/v2/token"
    auth = (
        f"  token:\n    realm: {realm}\n    service: {_Issuer.SERVICE}\n    issuer: {_Issuer.NAME}\n"
        f"    rootcertbundle: {issuer.bundle}\n"
    )
    with _serve(root, auth) as url:
        yield RealRegistry(url, "bob", password, root / "registry.log"), tokens
    tokens.stop()


@pytest.fixture
def real(htpasswd_registry: RealRegistry, canaries, monkeypatch: pytest.MonkeyPatch) -> Iterator[RealRegistry]:
    """The htpasswd registry for one test: its password is a canary, and its log is checked for it."""
    canaries.values.append(htpasswd_registry.password)
    monkeypatch.setenv("REGBOOT_REGISTRY_ENDPOINT", htpasswd_registry.url)
    yield htpasswd_registry
    canaries.saw("docker-registry log", htpasswd_registry.log.read_text())


@pytest.fixture
def bearer_real(token_registry, canaries) -> tuple[RealRegistry, RegistryEmulator]:
    """The token-auth registry and its token server for one test, its password a canary."""
    canaries.values.append(token_registry[0].password)
    return token_registry


def _require(tool: str | None, name: str) -> str:
    if not tool:
        pytest.skip(f"{name} is not installed: apt-get install docker-registry apache2-utils (.ci/run does)")
    return tool


@contextmanager
def _serve(root: Path, auth: str) -> Iterator[str]:
    """docker-registry on a free loopback port with the given `auth:` section; plain http is fine on loopback."""
    binary = _require(REGISTRY_BIN, "docker-registry")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = root / "config.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\n"
        f"storage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n  secret: {uuid.uuid4().hex}\n"
        f"auth:\n{auth}"
    )
    log = root / "registry.log"
    with log.open("w") as out:
        process = subprocess.Popen([binary, "serve", str(config)], stdout=out, stderr=subprocess.STDOUT)

    def listening() -> None:
        if process.poll() is not None:
            raise RuntimeError(f"docker-registry exited: {log.read_text()[-2000:]}")
        socket.create_connection(("127.0.0.1", port), timeout=1).close()

    def starting(exc: BaseException) -> Retry | None:
        return Retry("not listening yet") if isinstance(exc, ConnectionRefusedError) else None

    try:
        poll(
            listening,
            what="docker-registry to listen",
            not_yet=starting,
            ui=Ui(),
            patience=Patience(deadline=20),
            clock=REAL,
        )
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


class _Issuer:
    """Signs registry tokens (RS256 JWTs carrying their certificate in `x5c`) that docker-registry trusts."""

    NAME, SERVICE = "regboot-sandbox", "registry.sandbox"

    def __init__(self, bundle: Path) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.x509.oid import NameOID

        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.NAME)])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(self.key, hashes.SHA256())
        )
        self.bundle = bundle
        bundle.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]

    def issue(self, username: str, repository: str | None, pull: bool) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        now = int(time.time())
        access = [{"type": "repository", "name": repository, "actions": ["pull"]}] if repository and pull else []
        header = {"typ": "JWT", "alg": "RS256", "x5c": self.x5c}
        claims = {
            "iss": self.NAME,
            "sub": username,
            "aud": self.SERVICE,
            "exp": now + 300,
            "nbf": now - 30,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = f"{_b64(header)}.{_b64(claims)}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"


def _b64(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
