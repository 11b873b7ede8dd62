"""`fieldsync worker --listen HOST:PORT`: the webhook receiver, served by uvicorn in a thread
beside the worker's loop, with the secrets of the configuration's ``webhook_secret`` keys."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fieldsync.cli._config import Config
from fieldsync.exceptions import ConfigurationError
from fieldsync.service import SyncService

__all__ = ["listening", "parse_listen", "webhook_secrets"]

_START_TIMEOUT = 10.0  # seconds uvicorn may take to bind


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6) as a host and a port.

    Raises:
        ConfigurationError: it is not of that form.
    """
    host, colon, port = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isdigit() or int(port) > 65535:
        raise ConfigurationError(f"--listen takes HOST:PORT, such as 0.0.0.0:8080, not {text!r}")
    return host, int(port)


def webhook_secrets(config: Config) -> dict[str, str]:
    """Each integration's ``webhook_secret`` (resolved), for those that have one."""
    return {
        name: str(integration.settings["webhook_secret"])
        for name, integration in config.integrations.items()
        if integration.settings.get("webhook_secret")
    }


@contextmanager
def listening(service: SyncService, config: Config, address: str) -> Iterator[Any]:
    """Serve the webhook receiver at ``address`` until the block ends, then stop taking
    hooks and wait for the runs they started. Yields the receiver's app.

    Raises:
        ConfigurationError: a bad address, no integration with a ``webhook_secret``, the
            ``web`` extra missing, or the address cannot be bound.
    """
    host, port = parse_listen(address)
    secrets = webhook_secrets(config)
    if not secrets:
        raise ConfigurationError(
            "--listen needs webhook_secret in at least one [integrations.NAME] table of "
            f"{config.path}"
        )
    try:
        import uvicorn

        from fieldsync.web import webhooks
    except ImportError:
        raise ConfigurationError(
            "--listen needs the web extra: pip install 'fieldsync[web]'"
        ) from None
    app = webhooks(service, secrets=secrets)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="fieldsync-listen", daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        thread.join(0.01)
    if not server.started:
        raise ConfigurationError(f"--listen could not serve on {address} (see the log above)")
    bound = server.servers[0].sockets[0].getsockname()
    where = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    names = ", ".join(sorted(secrets))
    print(
        f"fieldsync: receiving webhooks on http://{where}:{bound[1]}/hooks/{{integration}} "
        f"for {names}",
        file=sys.stderr,
        flush=True,
    )
    try:
        yield app
    finally:
        server.should_exit = True
        thread.join(_START_TIMEOUT)
        app.state.hooks.close()
        app.state.hooks.wait(timeout=3600.0)
