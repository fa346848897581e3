"""The HTML report in headless Chromium: renders, fetches nothing, names stay text.

Network use is read from Chromium's own NetLog (`--log-net-log`): every request the page
makes appears as a URL_REQUEST_START_JOB whose initiator is the page's origin; Chromium's
background traffic (update checks) has the initiator "not an origin" and is ignored. A
canary page with two external resources proves the detector sees page fetches.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.support.paths import TEST_DATA
from vmbench.pipeline import execute as report

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE_DIR = TEST_DATA / "report" / "hostile-criterion"
HOSTILE = "<script>alert(1)</script>"


def _chromium(page: Path, tmp: Path) -> tuple[str, str, list[str]]:
    """(dumped DOM, stderr log, URLs the page requested) for `page` opened offline."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian package `chromium`)")
    profile = tmp / "profile"
    netlog = tmp / "netlog.json"
    result = subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
            f"--log-net-log={netlog}", "--dump-dom", page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    log = json.loads(netlog.read_text())
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    fetched = [
        e["params"]["url"]
        for e in log["events"]
        if names.get(e["type"]) == "URL_REQUEST_START_JOB"
        and "url" in e.get("params", {})  # the begin event (the end event has net_error)
        and e["params"].get("initiator") != "not an origin"
        and not str(e.get("params", {}).get("url", "")).startswith(("file:", "data:"))
    ]
    return result.stdout, result.stderr, fetched


class _Scripts(HTMLParser):
    """Collects the text inside <script> elements and the src of every <img>."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.images: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def test_netlog_detector_sees_page_fetches(tmp_path: Path) -> None:
    canary = tmp_path / "canary.html"
    canary.write_text(
        '<p>canary</p><img src="http://127.0.0.1:9/x.png">'
        '<script src="https://cdn.invalid/x.js"></script>'
    )
    dom, _, fetched = _chromium(canary, tmp_path)
    assert "canary" in dom
    assert "http://127.0.0.1:9/x.png" in fetched
    assert "https://cdn.invalid/x.js" in fetched


@pytest.fixture(scope="module")
def regression_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser-report")
    result = report.run_report(
        "regression",
        parameters={"criterion_dir": str(HOSTILE_DIR), "noise_runs": []},
        output_dir=out,
    )
    return result.html


def test_report_opens_offline_without_errors(regression_html: Path, tmp_path: Path) -> None:
    dom, log, fetched = _chromium(regression_html, tmp_path)
    assert fetched == []
    assert "Regression report" in dom
    assert "regression" in dom  # "Suspected regression" with one run a side
    assert "Uncaught" not in log  # no script error on the page
    parsed = _Scripts()
    parsed.feed(dom)
    assert parsed.images, "plots are embedded"
    assert all(src.startswith("data:image/png;base64,") for src in parsed.images)


def test_hostile_benchmark_name_is_text_not_markup(regression_html: Path, tmp_path: Path) -> None:
    dom, _, _ = _chromium(regression_html, tmp_path)
    parsed = _Scripts()
    parsed.feed(dom)
    assert not any("alert(1)" in script for script in parsed.scripts)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # shown as text
    assert HOSTILE not in dom
