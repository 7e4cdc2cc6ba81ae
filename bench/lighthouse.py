"""Lighthouse (npm `lighthouse`, mobile) on the guest page of the production build.

Run from the repository root: `python -m bench.lighthouse` (or `python -m bench` for every
web benchmark on one server). Three runs in Debian's Chromium; prints each run and the
medians, keeps the JSON reports in `.artifacts/lighthouse/` and exits non-zero below target.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.server import CHROMIUM, ROOT, chromium, demo_app, warm_up

LIGHTHOUSE = ROOT / ".tools/node_modules/.bin/lighthouse"
REPORTS = ROOT / ".artifacts/lighthouse"
RUNS = 3
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95}
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)


@dataclass(frozen=True)
class Run:
    """One Lighthouse run: category scores (0-100) and the main metrics."""

    scores: dict[str, int]
    lcp_ms: float
    cls: float
    tbt_ms: float
    fcp_ms: float
    misses: tuple[str, ...]  # audits that lost points outside performance


def _parse(report: dict) -> Run:  # type: ignore[type-arg]
    audits = report["audits"]
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    misses = sorted(
        {
            ref["id"]
            for c in CATEGORIES[1:]
            for ref in report["categories"][c]["auditRefs"]
            if ref["weight"] > 0 and (audits[ref["id"]].get("score") or 0) < 1
        }
    )
    return Run(
        scores=scores,
        lcp_ms=audits["largest-contentful-paint"]["numericValue"],
        cls=audits["cumulative-layout-shift"]["numericValue"],
        tbt_ms=audits["total-blocking-time"]["numericValue"],
        fcp_ms=audits["first-contentful-paint"]["numericValue"],
        misses=tuple(misses),
    )


def lighthouse_once(url: str, out: Path) -> Run:
    """One mobile run (Lighthouse's default simulated throttling) written to `out`."""
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--form-factor=mobile",
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            f"--output-path={out}",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", CHROMIUM)},
        check=True,
    )
    return _parse(json.loads(out.read_text()))


def measure(url: str, runs: int = RUNS) -> list[Run]:
    """`runs` Lighthouse runs of `url`; reports land in `.artifacts/lighthouse/`."""
    if not LIGHTHOUSE.exists():
        sys.exit("lighthouse is missing: `make bench` installs it into .tools/")
    shutil.rmtree(REPORTS, ignore_errors=True)
    REPORTS.mkdir(parents=True)
    return [lighthouse_once(url, REPORTS / f"guest-page-{i + 1}.json") for i in range(runs)]


def report(runs: list[Run]) -> list[str]:
    """Print the runs and their medians; return what missed its target (empty when all met)."""
    print("| run | perf | a11y | best practices | SEO | LCP s | CLS | TBT ms | FCP s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = [(str(i + 1), r) for i, r in enumerate(runs)]
    median = Run(
        scores={c: round(statistics.median(r.scores[c] for r in runs)) for c in CATEGORIES},
        lcp_ms=statistics.median(r.lcp_ms for r in runs),
        cls=statistics.median(r.cls for r in runs),
        tbt_ms=statistics.median(r.tbt_ms for r in runs),
        fcp_ms=statistics.median(r.fcp_ms for r in runs),
        misses=(),
    )
    for label, r in [*rows, ("**median**", median)]:
        s = r.scores
        print(
            f"| {label} | {s['performance']} | {s['accessibility']} | {s['best-practices']} "
            f"| {s['seo']} | {r.lcp_ms / 1000:.2f} | {r.cls:.3f} | {r.tbt_ms:.0f} "
            f"| {r.fcp_ms / 1000:.2f} |"
        )
    misses = sorted({m for r in runs for m in r.misses})
    if misses:
        print(f"Audits that lost points (a11y, best practices, SEO): {', '.join(misses)}")
    print(f"Reports: {REPORTS.relative_to(ROOT)}/")
    return [
        f"Lighthouse {c} {median.scores[c]} < {target}"
        for c, target in TARGETS.items()
        if median.scores[c] < target
    ]


def main() -> int:
    with demo_app() as (demo, url):
        with chromium() as browser:
            warm_up(browser, f"{url}/book/{demo.token}")
        runs = measure(f"{url}/book/{demo.token}")
    failures = report(runs)
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
