"""Lighthouse 11's PWA category on the production build: `python -m bench.pwa`.

Lighthouse 12 dropped the category, so version 11 lives apart in `.tools/lh11` (`make bench`
installs it). Two pages: the guest booking page, and the home page logged in as Ben (a demo
account): Playwright logs in in the Chromium that Lighthouse then drives through its debugging
port, and `--disable-storage-reset` keeps the session. Prints every audit of the category;
exits non-zero unless both pages score 1. Reports land in `.artifacts/lighthouse-pwa/`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.appserver import free_port
from bench.server import CHROMIUM, CHROMIUM_ARGS, OWNER_EMAIL, ROOT, demo_app

LIGHTHOUSE = ROOT / ".tools/lh11/node_modules/.bin/lighthouse"
REPORTS = ROOT / ".artifacts/lighthouse-pwa"
PASSWORD = "demo-ben-pass"


def lighthouse_pwa(url: str, port: int, out: Path) -> dict[str, Any]:
    """Lighthouse 11, PWA category only, on the Chromium listening on `port`."""
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            f"--port={port}",
            "--form-factor=mobile",
            "--only-categories=pwa",
            "--disable-storage-reset",
            "--output=json",
            f"--output-path={out}",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=True,
    )
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def summary(name: str, report: dict[str, Any]) -> tuple[float, list[str]]:
    """Print the category's audits; the score and the audits that failed."""
    category = report["categories"]["pwa"]
    print(f"\n### {name}: PWA score {category['score']}\n")
    print("| audit | result |")
    print("| --- | --- |")
    failed = []
    for ref in category["auditRefs"]:
        audit = report["audits"][ref["id"]]
        mode = audit.get("scoreDisplayMode")
        result = "manual check" if mode == "manual" else f"score {audit.get('score')}"
        print(f"| {audit['title']} | {result} |")
        if mode not in ("manual", "notApplicable") and audit.get("score") != 1:
            failed.append(ref["id"])
    return float(category["score"] or 0), failed


def main() -> int:
    if not LIGHTHOUSE.exists():
        sys.exit("lighthouse 11 is missing: `make bench` installs it into .tools/lh11")
    from playwright.sync_api import sync_playwright

    shutil.rmtree(REPORTS, ignore_errors=True)
    REPORTS.mkdir(parents=True)
    port = free_port()
    results = []
    with (
        demo_app() as (demo, url),
        tempfile.TemporaryDirectory(prefix="slotapp-lh-") as profile,
        sync_playwright() as p,
    ):
        chromium = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=[*CHROMIUM_ARGS, f"--remote-debugging-port={port}"],
        )
        guest = lighthouse_pwa(f"{url}/book/{demo.token}", port, REPORTS / "guest-page.json")
        page = chromium.new_page()
        page.goto(f"{url}/login")
        page.fill("#email", OWNER_EMAIL)
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        page.locator("#whoami").wait_for(timeout=60_000)
        home = lighthouse_pwa(f"{url}/", port, REPORTS / "home-logged-in.json")
        results = [("Guest booking page", guest), ("Home page, logged in", home)]
        chromium.close()
    print("\n## Lighthouse 11: PWA category (production build)")
    failures = []
    for name, report in results:
        score, failed = summary(name, report)
        if score < 1:
            failures.append(f"{name}: PWA score {score} < 1 ({', '.join(failed)})")
    print(f"\nReports: {REPORTS.relative_to(ROOT)}/")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
