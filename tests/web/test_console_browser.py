"""The whole product flow in a real browser: create a sync with a New Field, initiate
through the disclaimer, follow the bell to the configuration, pause, resume, edit and
re-initiate, export the skipped records, disable the integration through its dialog.

Every state of every page on the way passes axe-core with no violation and has no
horizontal scroll; then every page is walked again at a phone's width (390 px), with a
5,000-character value among the skipped records. The console's CSP is on throughout:
a console error (a refused inline script or style) fails the test.

With ``FIELDSYNC_SCREENSHOTS=docs/console`` the run also saves a screenshot of each screen
there (``make screenshots``); the docs show them.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import Any

from browser_helpers import Served

from fieldsync.testing import EmulatedZoho

SHOTS = os.environ.get("FIELDSYNC_SCREENSHOTS")
LONG = "x" * 5000  # one unbroken value (the store keeps 255): it wraps, never widens the page


class Audit:
    """axe-core and the page's width, for each state of a page."""

    def __init__(self, axe: Any) -> None:
        self.axe = axe
        self.problems: list[str] = []
        self.states: list[str] = []

    def self_check(self, browser: Any) -> None:
        """axe does find a violation here: a passing audit is not a silent no-op."""
        page = browser.new_page()
        page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main>')
        found = {v["id"] for v in self.axe.run(page).response["violations"]}
        page.close()
        assert "image-alt" in found

    def __call__(self, page: Any, state: str) -> None:
        self.states.append(state)
        results = self.axe.run(page)
        for violation in results.response["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:3]
            self.problems.append(f"{state}: {violation['id']} ({violation['impact']}) {targets}")
        wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if wide[0] > wide[1]:
            self.problems.append(f"{state}: scrolls sideways ({wide[0]} > {wide[1]} px)")


def shot(page: Any, name: str, *, full: bool = True) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full)


def console_error(errors: list[str], message: Any) -> None:
    """Keep the console's errors (a script or style the CSP refused, a script error);
    a page answering 400 or 409 on purpose (a form with problems) is not one."""
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(message.text)


def wait_for_run_to_end(page: Any) -> None:
    """The progress script reloads the page when the run ends."""
    page.wait_for_selector("section.progress[hidden]", state="attached", timeout=20_000)


def test_the_whole_flow_in_chromium(
    browser: Any, axe: Any, served: Served, zoho: EmulatedZoho, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    zoho.invoice.add_contact(first_name=LONG, email="not-an-email", last_name=LONG)
    audit = Audit(axe)
    audit.self_check(browser)
    visited: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: console_error(errors, m))
    page.on("load", lambda p: visited.append(p.url))

    # Sync Services -> Zoho Invoice -> Create Sync
    page.goto(served.url + "/")
    expect(page.get_by_role("heading", name="Sync Services")).to_be_visible()
    shot(page, "sync-services")
    audit(page, "sync services")
    page.get_by_role("link", name="Syncs of Zoho Invoice").click()
    expect(page.get_by_role("heading", name="Syncs", exact=True)).to_be_visible()
    audit(page, "an integration's syncs, none yet")
    page.get_by_role("link", name="Create Sync").click()
    # Only the schedule inputs of the chosen kind show.
    expect(page.get_by_label("At", exact=True)).to_be_hidden()
    audit(page, "create sync")

    # The mapping step: the email row, Map more fields, a New Field
    page.get_by_label("Sync name").fill("Invoice customers")
    page.get_by_label("Mailing list").select_option(label="Invoice customers")
    expect(page.get_by_label("Email field (required)")).to_have_value("email")
    page.get_by_label("Source field 2").select_option("first_name")
    page.get_by_label("Target field 2").fill("First Name")
    page.get_by_role("button", name="Map more fields").click()
    page.get_by_label("Source field 3").select_option("Region")
    page.get_by_label("Target field 3").fill("Region")
    page.get_by_label("Only sync records where").fill('status == "active"')
    page.get_by_label("Runs", exact=True).select_option("every")
    expect(page.get_by_label("Every", exact=True)).to_be_visible()
    expect(page.get_by_label("Weekday")).to_be_hidden()
    page.get_by_label("Runs", exact=True).select_option("daily")
    expect(page.get_by_label("Every", exact=True)).to_be_hidden()
    page.get_by_label("At", exact=True).fill("02:00")
    page.get_by_label("Time zone", exact=True).fill("Asia/Kolkata")
    page.get_by_role("button", name="Next").click()
    # Region is not a Campaigns field yet: the problem shows beside its row.
    row = page.locator("li.map-row").nth(2)
    expect(row.locator(".problems")).to_contain_text('no field "Region"')
    shot(page, "mapping-problem")
    audit(page, "create sync with a problem")
    row.get_by_label("New Field").check()
    page.get_by_role("button", name="Next").click()

    # Preview -> Initiate -> the disclaimer dialog -> Go Ahead
    expect(page.get_by_role("heading", name="Preview: Invoice customers")).to_be_visible()
    expect(page.get_by_text("will be created in the target")).to_be_visible()
    shot(page, "preview")
    audit(page, "preview")
    page.get_by_role("button", name="Initiate").click()
    dialog = page.locator("#disclaimer-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("auto-upgrade", ignore_case=True)
    shot(page, "disclaimer", full=False)
    audit(page, "disclaimer dialog")
    dialog.get_by_role("button", name="Go Ahead").click()

    # The run goes on in the background; the page shows its progress, then reloads.
    expect(page.get_by_role("heading", name="Sync in progress")).to_be_visible()
    shot(page, "progress", full=False)
    audit(page, "a running sync")
    wait_for_run_to_end(page)
    # The page followed the run to its end and says so, with a link to its history.
    finished = page.get_by_role("status").filter(has_text="Sync completed")
    expect(finished).to_contain_text("records, added")
    expect(finished.get_by_role("link", name="See it in the Sync History")).to_be_visible()
    expect(page.locator("dd", has_text="completed")).to_be_visible()
    shot(page, "completed", full=False)
    audit(page, "a sync that completed")

    # The bell -> the notification -> the Configuration tab, marked read
    bell = page.get_by_role("link", name=re.compile(r"Notifications, 1 unread"))
    expect(bell).to_be_visible()
    bell.click()
    shot(page, "notifications")
    audit(page, "notifications")
    page.get_by_role("button", name=re.compile("completed")).click()
    expect(page.get_by_role("link", name="Configuration")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Notifications, 0 unread")).to_be_visible()
    shot(page, "configuration")
    audit(page, "configuration")

    # Pause Sync / Resume Sync at the top right
    page.get_by_role("button", name="Pause Sync").click()
    expect(page.get_by_role("status")).to_contain_text("Sync paused")
    page.get_by_role("button", name="Resume Sync").click()
    expect(page.get_by_role("status")).to_contain_text("Sync resumed")

    # Edit -> Next -> Initiate again (a new configuration version)
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("At", exact=True)).to_be_visible()  # a daily sync
    audit(page, "edit sync")
    page.get_by_role("button", name="Map more fields").click()
    page.get_by_label("Source field 4").select_option("last_name")
    page.get_by_label("Target field 4").fill("Last Name")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Preview: Invoice customers")).to_be_visible()
    page.get_by_role("button", name="Initiate").click()
    if page.locator("#disclaimer-dialog").is_visible():
        page.locator("#disclaimer-dialog").get_by_role("button", name="Go Ahead").click()
    wait_for_run_to_end(page)
    version = page.locator(".facts div", has_text="Configuration version").locator("dd")
    expect(version).to_have_text("2")

    page.get_by_role("link", name="Field Mapping").click()
    expect(page.get_by_role("cell", name="last_name")).to_be_visible()
    shot(page, "field-mapping")
    audit(page, "field mapping")
    page.get_by_role("link", name="Sync History").click()
    expect(page.locator("table.history tbody tr")).to_have_count(2)
    shot(page, "history")
    audit(page, "sync history")

    # The export icon downloads the skipped records
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export the skipped records of this run (CSV)").last.click()
    saved = tmp_path / "skipped.csv"
    download_info.value.save_as(saved)
    with saved.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    assert {"key", "email", "reason_code", "Region"} <= set(rows[0])
    # The store keeps 255 characters of a value: still one unbroken word to wrap.
    assert any(r["First Name"].startswith(LONG[:255]) for r in rows)
    with page.expect_download() as excel_info:
        page.get_by_role("link", name=re.compile("for Excel")).last.click()
    assert Path(excel_info.value.path()).read_bytes().startswith(b"\xef\xbb\xbfkey,")
    page.get_by_role("link", name="View").last.click()
    expect(page.get_by_role("heading", name="Skipped records")).to_be_visible()
    shot(page, "skipped", full=False)
    audit(page, "skipped records")

    # Settings -> Apps -> View details -> Deny -> the dialog -> Go Ahead
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    shot(page, "apps")
    audit(page, "apps")
    page.get_by_role("link", name="View details").click()
    expect(page.get_by_text("refresh token", exact=False).first).to_be_visible()
    shot(page, "app-details")
    audit(page, "app details")
    page.get_by_role("link", name="Deny").click()
    deny = page.locator("#deny-dialog")
    expect(deny).to_be_visible()
    expect(deny).to_contain_text("Invoice customers")
    expect(deny).to_contain_text("These credentials are revoked")
    shot(page, "deny", full=False)
    audit(page, "deny dialog")
    deny.get_by_role("button", name="Go Ahead").click()
    expect(page.get_by_text("Disabled on")).to_be_visible()
    audit(page, "a disabled app")

    # The history stays readable
    page.get_by_role("link", name="Invoice customers").click()
    expect(page.locator("table.history tbody tr")).to_have_count(2)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sync Services").click()

    # A phone's width: every page seen on the way, again, and the deny page without
    # its dialog (what a browser without JavaScript gets).
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    small = phone.new_page()
    small.on("console", lambda m: console_error(errors, m))
    pages = dict.fromkeys(u.split("?")[0] for u in visited)
    pages[served.url + "/settings/apps/zoho-invoice/deny"] = None
    for url in pages:
        small.goto(url)
        audit(small, f"390 px {url.removeprefix(served.url)}")
    small.goto(served.url + "/integrations/zoho-invoice")
    expect(small.get_by_role("heading", name="Zoho Invoice")).to_be_visible()
    shot(small, "phone-active-syncs")
    small.get_by_role("link", name="Invoice customers").click()
    small.get_by_role("link", name="Sync History").click()
    icon = small.get_by_role("link", name="Export the skipped records of this run (CSV)").last
    box = icon.bounding_box()
    assert box is not None
    assert box["x"] >= 0  # on screen, not off to the right
    assert box["x"] + box["width"] <= 390
    shot(small, "phone-history")
    small.get_by_role("link", name="View").last.click()
    expect(small.get_by_text(LONG[:100]).first).to_be_visible()
    audit(small, "390 px skipped records with a long unbroken value")
    shot(small, "phone-skipped", full=False)
    phone.close()
    context.close()
    assert errors == []
    assert audit.problems == [], "\n".join(audit.problems)
    assert len(audit.states) >= 30
