"""The post-login redirect stays on this site, whatever the ?next= parameter holds."""

from __future__ import annotations

import pytest

from slotapp.routes import HOME, safe_next


@pytest.mark.parametrize("target", ["/calendar", "/book/abc?x=1", "/meetings/3#top"])
def test_local_paths_are_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",  # browsers strip the tab: "//evil.example"
        "/\n/evil.example",
        "/ /evil.example",
        "/\x7f",
        "",
        "calendar",
    ],
)
def test_anything_that_could_leave_the_site_goes_home(target: str) -> None:
    assert safe_next(target) == HOME
