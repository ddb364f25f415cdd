"""The claims report in real Chromium (Debian's, driven by Playwright): it renders offline, conflicts come first,
the figure is marked in its sentence; a screenshot goes to test-artifacts/claims/."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate.claims import link_claims
from annotate.claims.report import claims_report

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings("ignore::FutureWarning")]
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "gold" / "seed"
ARTIFACTS = ROOT / "test-artifacts" / "claims"
CHROMIUM = "/usr/bin/chromium"


def test_claims_report_in_chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install chromium"
    claims, html = tmp_path / "claims.jsonl", tmp_path / "claims.html"
    link_claims(SEED / "data.jsonl", claims)
    claims_report(claims, html)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda request: requests.append(request.url))
        page.goto(html.as_uri())
        statuses = page.eval_on_selector_all(".claims-group", "els => els.map(e => e.dataset.status)")
        assert statuses[0] == "conflict" and "agree" in statuses
        first = page.locator(".claims-group").first
        assert "11,000" in first.inner_text() and "12,000" in first.inner_text()
        assert page.locator(".claims-group").first.locator("mark.figure").count() >= 7
        page.screenshot(path=str(ARTIFACTS / "claims-report.png"), full_page=True)
        browser.close()
    assert all(url.startswith("file://") for url in requests), requests  # nothing fetched from the network
