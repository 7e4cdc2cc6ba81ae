"""The guest page's speed benchmarks on one production server: `python -m bench`.

Lighthouse first (on an idle server), then the confirm timings; prints both and exits
non-zero if any target is missed. `python -m bench.engine` times the availability engine.
"""

from __future__ import annotations

import sys

from bench import confirm, lighthouse
from bench.server import chromium, demo_app, warm_up


def main() -> int:
    service_ms = confirm.measure_service()
    with demo_app() as (demo, url), chromium() as browser:
        page_url = f"{url}/book/{demo.token}"
        warm_up(browser, page_url)
        runs = lighthouse.measure(page_url)
        browser_ms = confirm.time_browser(browser, page_url)
    print("\n## Guest page, production build: Lighthouse (mobile)\n")
    failures = lighthouse.report(runs)
    print("\n## Confirm to confirmation view\n")
    failures += confirm.report(service_ms, browser_ms)
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
