"""The alert e-mail, as received over SMTP, rendered in Chromium: the change is visible and marked."""

from __future__ import annotations

import struct

import pytest
from playwright.async_api import async_playwright

from clausewatch_notifier.alerts import unsubscribe_link
from clausewatch_notifier.preview import CHROMIUM_FLAGS, example_alert, find_chromium
from clausewatch_notifier.render import build_message, render_alert
from clausewatch_notifier.senders import EmailSender
from clausewatch_notifier.settings import NotifierSettings
from tests.integration.notifier.servers import Inbox

pytestmark = pytest.mark.browser


async def test_alert_email_renders_the_change_clearly_in_chromium(
    smtp: tuple[Inbox, int],
) -> None:
    """The HTML part received by SMTP shows struck-through red deletions, green insertions, severity and a working change link in Chromium, and photographs to a PNG."""
    inbox, port = smtp
    alert = example_alert()
    unsubscribe = unsubscribe_link("https://clausewatch.example", "tok")
    message = build_message(
        render_alert(alert, tier="monitor", unsubscribe_url=unsubscribe),
        sender="clausewatch <alerts@clausewatch.example>",
        to="ana@example.org",
        unsubscribe_url=unsubscribe,
        message_key="preview",
    )
    outcome = await EmailSender(NotifierSettings(smtp_host="127.0.0.1", smtp_port=port)).send(message)
    assert outcome.ok
    html = inbox.messages[0].get_body(("html",)).get_content()  # type: ignore[union-attr]

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=find_chromium(), args=list(CHROMIUM_FLAGS))
        page = await browser.new_page(viewport={"width": 760, "height": 820})
        await page.set_content(html)
        deleted = page.locator("del").first
        inserted = page.locator("ins").first
        assert await deleted.is_visible()
        assert await inserted.is_visible()
        assert "anonymised usage statistics" in await deleted.inner_text()
        assert "train and improve our AI models" in await inserted.inner_text()
        style = "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).textDecorationLine]"
        assert await deleted.evaluate(style) == ["rgb(254, 226, 226)", "line-through"]
        assert (await inserted.evaluate(style))[0] == "rgb(220, 252, 231)"
        body = await page.inner_text("body")
        assert "HIGH SEVERITY" in body
        assert "(was medium)" in body
        assert "EU AI Act" in body
        assert "eu_ai_act" not in body  # ids are shown by the names the analyzer recorded
        link = page.get_by_role("link", name="See the full change record →")
        assert await link.get_attribute("href") == "https://clausewatch.example/changes/01J8Z6C2W5"
        box = await link.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] < 820  # the call to action is above the fold
        data = await page.screenshot()
        await browser.close()

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (760, 820)
