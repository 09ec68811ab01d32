"""HTTPS as SeaTunnel 2.3.11 configures it, on a real server, with certificates made here."""

from __future__ import annotations

import datetime
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from tests.e2e.conftest import free_port, start_server, write_config
from tests.helpers import truncate_all

pytestmark = pytest.mark.e2e


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str, issuer_key, issuer: str, key, *, ca: bool = False, server: bool = False
):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A CA, a server certificate (PEM and PKCS#12 key stores) and a client certificate."""
    directory = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("test-ca", ca_key, "test-ca", ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate("localhost", ca_key, "test-ca", server_key, server=True)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _certificate("client", ca_key, "test-ca", client_key)
    pem = serialization.Encoding.PEM
    paths = {
        name: directory / name
        for name in ("ca.pem", "server.pem", "server.p12", "client.pem", "client.key", "trust.p12")
    }
    paths["ca.pem"].write_bytes(ca.public_bytes(pem))
    paths["server.pem"].write_bytes(
        server_key.private_bytes(
            pem,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"keypass"),
        )
        + server.public_bytes(pem)
        + ca.public_bytes(pem)
    )
    paths["server.p12"].write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"server", server_key, server, [ca], serialization.BestAvailableEncryption(b"storepass")
        )
    )
    paths["trust.p12"].write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"trust", None, None, [ca], serialization.BestAvailableEncryption(b"trustpass")
        )
    )
    paths["client.pem"].write_bytes(client.public_bytes(pem))
    paths["client.key"].write_bytes(
        client_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths


def _https_port(server) -> int:
    import re

    text = server.output.read_text()
    return int(re.search(r"\(HTTPS\) will start on port (\d+)", text).group(1))


def test_https_beside_http_with_a_pem_key_store(database_url: str, tmp_path: Path, pki) -> None:
    truncate_all(database_url)
    config = write_config(
        tmp_path,
        database_url,
        free_port(),
        http={
            "enable-https": True,
            "https-port": free_port(),
            "key-store-path": str(pki["server.pem"]),
            "key-store-password": "unused-for-pem",
            "key-manager-password": "keypass",
        },
    )
    server = start_server(config, timeout=120)  # a loaded machine boots slowly
    try:
        https = f"https://localhost:{_https_port(server)}"
        response = requests.get(f"{https}/overview", verify=str(pki["ca.pem"]), timeout=10)
        assert response.status_code == 200 and response.json()["workers"] == "1"
        job = requests.post(
            f"{https}/submit-job?jobName=tls",
            data=b'{"env":{"job.mode":"batch"},"source":[{"plugin_name":"FakeSource","plugin_output":"f","schema":{"fields":{"a":"int"}}}],"sink":[{"plugin_name":"Console"}]}',
            verify=str(pki["ca.pem"]),
            timeout=10,
        ).json()
        assert job["jobName"] == "tls"
        # plain HTTP keeps working on its own port; plain HTTP to the HTTPS port does not
        assert requests.get(f"{server.url}/overview", timeout=10).status_code == 200
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(f"http://127.0.0.1:{_https_port(server)}/overview", timeout=5)
        # an unknown CA is refused by the client
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{https}/overview", timeout=10)
    finally:
        server.stop()


def test_mutual_tls_with_pkcs12_stores(database_url: str, tmp_path: Path, pki) -> None:
    truncate_all(database_url)
    config = write_config(
        tmp_path,
        database_url,
        free_port(),
        http={
            "enable-https": True,
            "https-port": free_port(),
            "key-store-path": str(pki["server.p12"]),
            "key-store-password": "storepass",
            "trust-store-path": str(pki["trust.p12"]),
            "trust-store-password": "trustpass",
        },
    )
    server = start_server(config, timeout=120)  # a loaded machine boots slowly
    try:
        https = f"https://localhost:{_https_port(server)}"
        client_cert = (str(pki["client.pem"]), str(pki["client.key"]))
        response = requests.get(
            f"{https}/overview", verify=str(pki["ca.pem"]), cert=client_cert, timeout=10
        )
        assert response.status_code == 200
        # without a client certificate the handshake fails
        with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
            requests.get(f"{https}/overview", verify=str(pki["ca.pem"]), timeout=10)
    finally:
        server.stop()


def test_bad_key_store_stops_the_server_with_the_key_named(
    tmp_path: Path, database_url: str, pki
) -> None:
    config = write_config(
        tmp_path,
        database_url,
        free_port(),
        http={
            "enable-https": True,
            "https-port": free_port(),
            "key-store-path": str(pki["server.p12"]),
            "key-store-password": "N0t-The-Pa55word",
        },
    )
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode != 0
    assert "seatunnel.engine.http.key-store-path" in result.stderr
    assert "N0t-The-Pa55word" not in result.stderr  # the password is never echoed
    assert ssl.OPENSSL_VERSION  # the server's TLS is the standard library's
