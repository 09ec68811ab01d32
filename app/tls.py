"""HTTPS as SeaTunnel 2.3.11 configures it (`enable-https`, `https-port`, key store, trust store;
mutual TLS when a trust store is set), served by gunicorn's TLS support.

SeaTunnel's stores are Java key stores; ours are files Python's ssl reads:
- `key-store-path`: a PEM file holding the private key and the certificate chain (the key may be
  encrypted with `key-manager-password`, else `key-store-password`), or a PKCS#12 file
  (`.p12` / `.pfx`, which Java also uses as a key store) opened with `key-store-password`;
- `trust-store-path`: a PEM bundle of CA certificates, or a PKCS#12 file of certificates. When it
  is set, clients must present a certificate signed by one of them (`needClientAuth`).
JKS files are refused at start with a clear message (convert them with `keytool -importkeystore
-deststoretype PKCS12`).

HTTP and HTTPS may run together, as in SeaTunnel: one gunicorn serves both sockets, and
`TlsThreadWorker` wraps in TLS only the connections accepted on the HTTPS one.
"""

from __future__ import annotations

import os
import secrets
import ssl
import tempfile
from pathlib import Path
from typing import Any

from app.config import Settings

HTTPS_PORT_ENV = "SEATUNNEL_HTTPS_LISTEN_PORT"  # set by `serve` for the workers it forks


class TlsConfigError(ValueError):
    """The key store or trust store cannot be used; the message names the key."""


def _is_pem(data: bytes) -> bool:
    return b"-----BEGIN " in data[:4096]


def _pkcs12(data: bytes, password: str, key: str) -> tuple[Any, Any, list]:
    try:
        from cryptography.hazmat.primitives.serialization import pkcs12
    except ImportError as exc:  # pragma: no cover - declared in setup.cfg
        raise TlsConfigError(f"{key}: PKCS#12 stores need the 'cryptography' package") from exc
    try:
        return pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except (ValueError, TypeError) as exc:
        raise TlsConfigError(
            f"{key}: not a PEM or PKCS#12 file, or a wrong password ({exc})"
        ) from exc


def _read(path: str, key: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise TlsConfigError(f"{key}: cannot read {path}: {exc.strerror}") from exc


def build_context(settings: Settings) -> ssl.SSLContext:
    """The server SSLContext for the configured key store (and trust store: mutual TLS)."""
    if not settings.key_store_path:
        raise TlsConfigError("seatunnel.engine.http.key-store-path is required with enable-https")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    _load_key_store(context, settings)
    if settings.trust_store_path:
        _load_trust_store(context, settings)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def _load_key_store(context: ssl.SSLContext, settings: Settings) -> None:
    key = "seatunnel.engine.http.key-store-path"
    data = _read(settings.key_store_path, key)
    if _is_pem(data):
        password = settings.key_manager_password or settings.key_store_password or None
        try:
            context.load_cert_chain(settings.key_store_path, password=password)
        except (ssl.SSLError, ValueError) as exc:
            raise TlsConfigError(
                f"{key}: the PEM file needs a private key and its certificate, and the right "
                f"key-manager-password ({exc})"
            ) from exc
        return
    private_key, certificate, chain = _pkcs12(data, settings.key_store_password, key)
    if private_key is None or certificate is None:
        raise TlsConfigError(f"{key}: the PKCS#12 file holds no private key and certificate")
    from cryptography.hazmat.primitives import serialization

    # ssl loads keys from files only: a private directory, the key encrypted with a one-off
    # password, both files removed as soon as they are loaded
    one_off = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="seatunnel-tls-") as directory:
        os.chmod(directory, 0o700)
        key_file = Path(directory) / "key.pem"
        cert_file = Path(directory) / "chain.pem"
        key_file.write_bytes(
            private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(one_off.encode()),
            )
        )
        cert_file.write_bytes(
            b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [certificate, *chain])
        )
        context.load_cert_chain(str(cert_file), str(key_file), password=one_off)


def _load_trust_store(context: ssl.SSLContext, settings: Settings) -> None:
    key = "seatunnel.engine.http.trust-store-path"
    data = _read(settings.trust_store_path, key)
    try:
        if _is_pem(data):
            context.load_verify_locations(cafile=settings.trust_store_path)
            return
        _key, certificate, chain = _pkcs12(data, settings.trust_store_password, key)
        from cryptography.hazmat.primitives import serialization

        certs = [c for c in [certificate, *chain] if c is not None]
        if not certs:
            raise TlsConfigError(f"{key}: the PKCS#12 file holds no certificate")
        context.load_verify_locations(
            cadata="".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)
        )
    except ssl.SSLError as exc:
        raise TlsConfigError(f"{key}: no usable CA certificate ({exc})") from exc


def worker_class(settings: Settings) -> type:
    """gunicorn's gthread worker, TLS-wrapping the connections of the HTTPS socket only."""
    from gunicorn.workers.gthread import ThreadWorker

    class TlsThreadWorker(ThreadWorker):
        """A ThreadWorker whose HTTPS listener's connections get our SSLContext."""

        def init_process(self) -> None:
            self._https_port = int(os.environ.get(HTTPS_PORT_ENV) or 0)
            self._tls_cfg = _TlsConfig(self.cfg, build_context(settings))
            super().init_process()

        def accept(self, listener: Any) -> None:
            import errno

            from gunicorn.workers.gthread import TConn

            try:
                client_sock, client_addr = listener.accept()
                self.nr_conns += 1
                client_sock.setblocking(True)
                address = listener.getsockname()
                https = isinstance(address, tuple) and address[1] == self._https_port
                cfg = self._tls_cfg if https else self.cfg
                self.enqueue_req(TConn(cfg, client_sock, client_addr, address))
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                    raise

    return TlsThreadWorker


class _TlsConfig:
    """gunicorn's config as seen by one HTTPS connection: TLS on, our SSLContext."""

    def __init__(self, cfg: Any, context: ssl.SSLContext) -> None:
        self._cfg = cfg
        self._context = context

    @property
    def is_ssl(self) -> bool:
        return True

    def ssl_context(self, _conf: Any, _default_factory: Any) -> ssl.SSLContext:
        return self._context

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cfg, name)
