"""The address this process really serves, for servers started by plain gunicorn
(`gunicorn wsgi:app -b HOST:PORT`): the node registers and links its logs with it, not with
`http.port` from seatunnel.yaml, which gunicorn never read."""

from __future__ import annotations

import psutil

from app.config import Settings, default_advertised_host


def listening_address() -> tuple[str, int] | None:
    """(host, port) of the one TCP socket this process listens on; None when there are none
    or several (then nothing can be inferred)."""
    try:
        connections = psutil.Process().net_connections(kind="tcp")
    except (psutil.Error, OSError):
        return None
    listening = {
        (conn.laddr.ip, conn.laddr.port)
        for conn in connections
        if conn.status == psutil.CONN_LISTEN and conn.laddr
    }
    ports = {port for _host, port in listening}
    if len(ports) != 1:
        return None
    hosts = sorted(host for host, _port in listening)
    return hosts[0], ports.pop()


def with_served_address(settings: Settings) -> Settings:
    """`settings` with the port (and bind host) of the socket this process serves, if any.

    An `http.advertised-host` set in the file is kept; one derived from the configured bind
    host is derived again from the real one.
    """
    address = listening_address()
    if address is None:
        return settings
    host, port = address
    changes: dict = {"port": port, "host": host}
    if settings.advertised_host == default_advertised_host(settings.host):
        changes["advertised_host"] = default_advertised_host(host)
    return settings.with_overrides(**changes)
