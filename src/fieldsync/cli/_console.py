"""`fieldsync console`: the Sync Services console, served by uvicorn on this machine only.

On the configured store and integrations, or (``--demo``) on the data ``fieldsync demo``
left behind, with the same emulated Zoho account rebuilt in memory.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from fieldsync.cli._exit import ExitCode
from fieldsync.exceptions import ConfigurationError

__all__ = ["cmd_console", "local_host"]


def local_host(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve(app: Any, host: str, port: int) -> None:
    import uvicorn

    print(f"Sync Services console on http://{host}:{port}/ (Ctrl-C stops it)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def cmd_console(args: argparse.Namespace) -> int:
    """Serve the console until Ctrl-C; returns the exit code."""
    if not local_host(args.host):
        raise ConfigurationError(
            f"`fieldsync console` serves this machine only (127.0.0.1), not {args.host}: to "
            "serve others, mount fieldsync.web.console in your app behind an authorize hook"
        )
    try:
        from fieldsync.web import console
    except ImportError:
        print("fieldsync: the console needs `pip install 'fieldsync[web]'`", file=sys.stderr)
        return ExitCode.CONFIG
    if args.demo:
        return _demo(args, console)
    from fieldsync.cli._app import open_app

    app = open_app(args.config, json=False)
    try:
        _serve(console(app.service, local_only=True), args.host, args.port)
    finally:
        app.close()
    return 0


def _demo(args: argparse.Namespace, console: Any) -> int:
    from fieldsync.cli._demo import START, demo_world
    from fieldsync.service import SyncService
    from fieldsync.stores.sqlite import SQLiteStore
    from fieldsync.testing.clock import FakeClock

    database = Path(args.dir) / "demo.db"
    if not database.exists():
        raise ConfigurationError(f"no demo data in {args.dir}: run `fieldsync demo` first")
    # Simulated time goes on after the demo's last run; Zoho's limits stay in simulated time.
    clock = FakeClock(START + timedelta(days=2))
    zoho = demo_world(contacts=args.contacts, seed=args.seed, clock=clock)
    store = SQLiteStore(database)
    try:
        service = SyncService(store=store, clock=clock)
        service.register_integration("zoho-invoice", source=zoho.source, target=zoho.target)
        _serve(console(service, local_only=True), args.host, args.port)
    finally:
        store.close()
        zoho.close()
    return 0
