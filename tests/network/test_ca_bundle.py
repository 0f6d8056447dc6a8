"""A TLS-inspecting network: the registry's certificate is signed by a corporate CA that only a custom bundle
trusts. Any one of the usual CA variables makes regboot's clients trust it; without one the certificate is refused."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

import pytest

from bootstrap.network import CA_VARIABLES
from bootstrap.sandbox.registry import Accounts, RegistryEmulator

SERVER = "https://registry.example.com"  # what the platform would hold; the calls go to REGBOOT_REGISTRY_ENDPOINT


def corporate_ca(directory: Path) -> tuple[Path, ssl.SSLContext]:
    """A CA's bundle file, and a server context whose certificate for 127.0.0.1 that CA signed."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder(issuer_name=name("Corp TLS inspection CA"), subject_name=name("Corp TLS inspection CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server = (
        x509.CertificateBuilder(issuer_name=ca.subject, subject_name=name("127.0.0.1"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    bundle, chain, private = directory / "corp-ca.pem", directory / "server.pem", directory / "server.key"
    bundle.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, private)
    return bundle, context


@pytest.fixture
def tls_registry(tmp_path, canaries, monkeypatch):
    """A registry over https whose certificate only the corporate CA's bundle trusts, and bot's password for it."""
    for variable in CA_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    bundle, context = corporate_ca(tmp_path)
    password = canaries.new("pw")
    registry = RegistryEmulator(Accounts().add("bot", password, repositories={"team/app"}).authorize)
    registry.repositories["team/app"] = ["1.0"]
    monkeypatch.setenv("REGBOOT_REGISTRY_ENDPOINT", registry.start(tls=context))
    yield bundle, password
    registry.stop()


def verify(regboot_process, password: str, **env: str):
    args = ("verify", "--server", SERVER, "--username", "bot", "--password-stdin", "--repository", "team/app")
    return regboot_process(*args, input=password, env={"REGBOOT_VERIFY_TIMEOUT": "2", **env})


@pytest.mark.parametrize("variable", CA_VARIABLES)
def test_a_ca_bundle_in_any_usual_variable_is_trusted(tls_registry, regboot_process, variable):
    bundle, password = tls_registry
    done = verify(regboot_process, password, **{variable: str(bundle)})
    assert done.code == 0, done.stderr


def test_without_the_bundle_the_certificate_is_refused(tls_registry, regboot_process):
    _, password = tls_registry
    done = verify(regboot_process, password)
    assert done.code == 1 and "certificate" in done.stderr.lower(), done.stderr
