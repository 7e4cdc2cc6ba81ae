"""Reflex configuration. Everything deployment-specific comes from the environment."""

import os

import reflex as rx
from reflex_base.constants.installer import PackageJson

# The dev server otherwise listens on every interface (Reflex internal; reflex is pinned).
if os.environ.get("SLOTAPP_DEV_HOST", "127.0.0.1") == "127.0.0.1":
    PackageJson.Commands.DEV = "react-router dev --host 127.0.0.1"

os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")

# `reflex run --env prod` serves pages, websocket and API routes on one port, the public
# address; its build bakes the websocket URL into the pages. Reflex sets REFLEX_ENV_MODE before
# it reloads this file. In dev the backend has its own port and Reflex's defaults are right.
PROD = os.environ.get("REFLEX_ENV_MODE") == "prod"
BASE_URL = os.environ.get("SLOTAPP_BASE_URL", "http://localhost:3000").rstrip("/")
public_urls = {"api_url": BASE_URL, "deploy_url": BASE_URL} if PROD else {}


if PROD:
    import granian.server

    class RespawningServer(granian.server.Server):  # type: ignore[misc,valid-type]
        """Granian's server, but a worker that dies (a crash, the OOM killer) is replaced.

        Reflex builds it without `respawn_failed_workers`, and with Granian's default (False)
        the supervisor stops every worker as soon as one exits: one crash ends the whole site.
        tests/faults/test_worker_kill.py SIGKILLs a worker and checks the others keep serving.
        """

        def __init__(self, *args: object, **kwargs: object) -> None:
            kwargs.setdefault("respawn_failed_workers", True)
            super().__init__(*args, **kwargs)

    # Reflex imports `granian.server.Server` when it starts serving, after reading this file.
    if granian.server.Server.__name__ != "RespawningServer":  # this file is read again
        granian.server.Server = RespawningServer

config = rx.Config(
    app_name="slotapp",
    db_url=os.environ.get("DATABASE_URL", "sqlite:///.data/slotapp.db"),
    telemetry_enabled=False,
    show_built_with_reflex=False,
    backend_host=os.environ.get("SLOTAPP_BACKEND_HOST", "127.0.0.1"),
    frontend_compression_formats=["brotli", "gzip"],
    plugins=[rx.plugins.TailwindV4Plugin()],
    disable_plugins=[rx.plugins.SitemapPlugin],
    **public_urls,
)
