"""A real headless Chromium (the system's, driven by Playwright) against NeuralLog Local.

Playwright's own browser download is never used: the tests run the ``chromium`` package
of the machine (``.ci/run`` installs it on Debian), and skip, saying so, without it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ALPHA_KEY = "alpha-viewer-key-0001"
BETA_KEY = "beta-viewer-key-0001"
# A hang guard, not a timing assertion.
START_TIMEOUT = 60.0


def _chromium() -> str | None:
    configured = os.environ.get("NEURALLOG_TEST_CHROMIUM")
    candidates = [configured] if configured else [*CHROMIUM_PATHS, shutil.which("chromium")]
    for path in candidates:
        if path and os.access(path, os.X_OK):
            return path
    return None


@dataclass
class Viewer:
    """A running NeuralLog Local with two tenants: alpha (the banner's link) and beta."""

    base_url: str
    login_url: str
    banner: str

    def ingest(self, key: str, *entries: dict[str, Any]) -> None:
        response = httpx.post(
            self.base_url + "/v1/logs",
            json={"logs": list(entries)},
            headers={"X-API-Key": key},
            timeout=30,
        )
        assert response.status_code == 202, response.text
        assert response.json()["data"]["accepted"] == len(entries)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _chromium()
    if path is None:
        pytest.skip(
            "browser tests need Chromium at /usr/bin/chromium (Debian: apt-get install "
            "chromium; .ci/run installs it), or NEURALLOG_TEST_CHROMIUM=/path/to/chromium"
        )
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (dev extra)")
    return path


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    # Per module, not per session: Playwright's sync API keeps an event loop running on
    # this thread, which later asyncio tests could not start theirs beside.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def viewer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Viewer]:
    directory = tmp_path_factory.mktemp("viewer")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEURALLOG_")}
    env["NEURALLOG_LOCAL_STATE_FILE"] = str(directory / "state.json")
    env["NEURALLOG_LOCAL_API_KEYS"] = f"{ALPHA_KEY}:alpha {BETA_KEY}:beta"
    process = subprocess.Popen(
        [sys.executable, "-m", "neurallog_local", "--db", ":memory:", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    try:
        banner = ""
        for line in process.stdout:
            banner += line
            if line.startswith("Press Ctrl-C"):
                break
        login = re.search(r"viewer: +(\S+)", banner)
        assert login, banner
        base_url = login[1].split("/ui/")[0]
        yield Viewer(base_url, login[1], banner)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(START_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile: no cookies."""
    context = browser.new_context(viewport={"width": 1280, "height": 760})
    yield context
    context.close()


def sign_in(context: Any, viewer: Viewer, key: str) -> Any:
    """A page of ``context`` signed in with ``key`` through the sign-in form."""
    page = context.new_page()
    page.goto(viewer.base_url + "/")
    page.fill("#signin-key", key)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#app:not([hidden])")
    return page


@pytest.fixture
def page_of(context: Any, viewer: Viewer) -> Any:
    """Signs ``context`` in with a key; returns the page."""

    def open_page(key: str = ALPHA_KEY) -> Any:
        return sign_in(context, viewer, key)

    return open_page
