"""A channel's settings: defaults, and every bad value refused with its field named."""

from __future__ import annotations

from typing import Any

import pytest

from slotapp.core.channel_settings import (
    ChannelSettings,
    SettingsError,
    dump_settings,
    parse_settings,
)


def test_defaults_round_trip() -> None:
    settings = parse_settings({})
    assert settings == ChannelSettings(**{**settings.__dict__})
    assert parse_settings(dump_settings(settings)) == settings


def test_numbers_from_a_form_are_converted() -> None:
    settings = parse_settings(
        {
            "idle_minutes": "45",
            "kpi_initial_minutes": "5",
            "kpi_next_minutes": "",
            "holidays": ["2026-12-26", "2026-12-25", "2026-12-25"],
        }
    )
    assert settings.idle_minutes == 45
    assert settings.kpi_initial_minutes == 5 and settings.kpi_next_minutes is None
    assert settings.holidays == ("2026-12-25", "2026-12-26")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"distribution": "random"}, "distribution"),
        ({"idle_minutes": 0}, "idle_minutes"),
        ({"idle_minutes": 721}, "idle_minutes"),
        ({"idle_minutes": ""}, "idle_minutes"),
        ({"idle_minutes": None}, "idle_minutes"),
        ({"limit": 0}, "limit"),
        ({"limit_exclude": ["needs_answer"]}, "limit_exclude"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "localtime"}, "time_zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone"),
        ({"weekly": {"0": [["18:00", "09:00"]]}}, "weekly"),
        ({"weekly": {"0": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "weekly"),
        ({"weekly": {"0": [["09:00"]]}}, "weekly"),
        ({"weekly": {"0": ["09:00-12:00"]}}, "weekly"),
        ({"weekly": {"7": [["09:00", "12:00"]]}}, "weekly"),
        ({"weekends": [7]}, "weekends"),
        ({"holidays": ["25/12/2026"]}, "holidays"),
        ({"kpi_initial_minutes": 0}, "kpi_initial_minutes"),
        ({"kpi_next_minutes": "soon"}, "kpi_next_minutes"),
        ({"language": "xx"}, "language"),
        ({"agent_info": "everything"}, "agent_info"),
    ],
)
def test_bad_values_are_refused_by_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(SettingsError) as refused:
        parse_settings(raw)
    assert refused.value.field == field
    assert refused.value.message
