"""Fixtures: the demo-like world (built once), copied to a fresh database for each test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from slotapp.clock import utcnow
from slotapp.db import get_engine
from slotapp.services.keys import secret_key
from slotapp.settings import get_settings
from tests.access.world import SECRET_TEXT, World, build_world


@dataclass
class App:
    """The database the app under test uses (`get_engine()`) and what is in it."""

    engine: Engine
    world: World
    url: str


@pytest.fixture(scope="session")
def world_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    path = tmp_path_factory.mktemp("access") / "world.db"
    return path, build_world(path, utcnow())


def _forget_caches() -> None:
    get_settings.cache_clear()
    get_engine.cache_clear()
    secret_key.cache_clear()


@pytest.fixture
def app(
    world_file: tuple[Path, World], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[App]:
    """A copy of the world that the app's own `get_engine()` (states, routes) reads."""
    source, world = world_file
    target = tmp_path / "app.db"
    shutil.copyfile(source, target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SLOTAPP_SECRET_KEY", SECRET_TEXT)
    monkeypatch.setenv("SLOTAPP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SLOTAPP_BASE_URL", "http://slotapp.test")
    _forget_caches()
    yield App(get_engine(), world, url)
    get_engine().dispose()
    _forget_caches()
