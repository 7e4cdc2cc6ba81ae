"""Time from "Book" to the confirmation, on a realistic database (an owner with 400 meetings).

Run from the repository root: `python -m bench.confirm` (or `python -m bench`).
(a) server: the booking service the guest page calls (`slotapp.services.booking.book`);
(b) end to end: Playwright in Debian's Chromium fills the guest form of the production build
and clicks Book; timed in the page from the click to `#confirmation` entering the page.
Median and p95 over 30 bookings each; exits non-zero if the server median reaches 100 ms.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.server import (
    Demo,
    chromium,
    demo_app,
    free_starts,
    guest_request,
    prepare_database,
    warm_up,
)
from slotapp.clock import utcnow
from slotapp.db import make_engine
from slotapp.services import booking

BOOKINGS = 30
WARM_UP = 3  # first bookings of a fresh process (imports, caches) are not counted
SERVER_TARGET_MS = 100.0
# Stamps the click on Book and the moment the confirmation view enters the page.
WATCH = """() => {
  window.__bench = {};
  document.querySelector('#book-submit').addEventListener(
    'click', () => { window.__bench.click = performance.now(); }, {capture: true, once: true});
  new MutationObserver((_, observer) => {
    if (document.querySelector('#confirmation')) {
      window.__bench.shown = performance.now();
      observer.disconnect();
    }
  }).observe(document.body, {childList: true, subtree: true});
}"""


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def spread(starts: list[Any], count: int) -> list[Any]:
    """`count` starts spread over the whole booking window, not only its first day."""
    every = max(1, len(starts) // count)
    return starts[::every][:count]


def time_service(demo: Demo, bookings: int = BOOKINGS) -> list[float]:
    """Milliseconds per `booking.book` call, each a new guest on a free time."""
    engine = make_engine(demo.db_url)
    starts = spread(free_starts(demo), bookings + WARM_UP)
    if len(starts) < bookings + WARM_UP:
        raise RuntimeError(f"only {len(starts)} free times to book")
    timings = []
    for n, start in enumerate(starts):
        request = guest_request(demo.token, start, n, "Service Guest")
        began = time.perf_counter()
        booking.book(engine=engine, request=request, now=utcnow())
        timings.append((time.perf_counter() - began) * 1000)
    engine.dispose()
    return timings[WARM_UP:]


def book_in_page(page: Any, url: str, n: int) -> float:
    """Open the guest page, pick the first free time, fill the form, Book; returns ms."""
    page.goto(url)
    page.locator("[aria-label=Times] button").first.click()
    page.fill("#guest-name", f"Browser Guest {n}")
    page.fill("#guest-email", f"browser.guest{n}@example.com")
    page.evaluate(WATCH)
    page.click("#book-submit")
    page.wait_for_selector("#confirmation")
    stamps = page.evaluate("window.__bench")
    return float(stamps["shown"] - stamps["click"])


def time_browser(browser: Any, url: str, bookings: int = BOOKINGS) -> list[float]:
    """Milliseconds from the click on Book to the confirmation view, phone-sized page.

    Every booking is a new guest (a fresh browser context): a reloaded tab would first show
    its previous, stale list of times.
    """
    timings = []
    for n in range(bookings + WARM_UP):
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(30_000)
        timings.append(book_in_page(page, url, n))
        context.close()
    return timings[WARM_UP:]


def report(service_ms: list[float], browser_ms: list[float] | None) -> list[str]:
    """Print both timings; return what missed its target (empty when all met)."""
    print("| confirm -> confirmation | bookings | median ms | p95 ms |")
    print("| --- | ---: | ---: | ---: |")
    rows = [("(a) server: booking service", service_ms)]
    if browser_ms is not None:
        rows.append(("(b) end to end: click to view", browser_ms))
    for label, values in rows:
        print(f"| {label} | {len(values)} | {statistics.median(values):.1f} | {p95(values):.1f} |")
    median = statistics.median(service_ms)
    if median >= SERVER_TARGET_MS:
        return [f"server median {median:.1f} ms >= {SERVER_TARGET_MS:.0f} ms"]
    return []


def measure_service() -> list[float]:
    """(a) on a database of its own, prepared like the served one."""
    with tempfile.TemporaryDirectory(prefix="slotapp-bench-") as tmp:
        return time_service(prepare_database(Path(tmp)))


def main() -> int:
    service_ms = measure_service()
    with demo_app() as (demo, url), chromium() as browser:
        warm_up(browser, f"{url}/book/{demo.token}")
        browser_ms = time_browser(browser, f"{url}/book/{demo.token}")
    failures = report(service_ms, browser_ms)
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
