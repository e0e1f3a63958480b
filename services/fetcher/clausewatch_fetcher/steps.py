"""Page steps: what the browser does on a page before it is read (decision 0173).

Some policies are not all in the page a browser first renders: the text sits behind a cookie dialog or a "Show the
full policy" button, an accordion builds each section's text only when it is opened, a section loads when it is
scrolled into view. A document declares the steps that reveal it in the catalogue (`steps:`), in order:

    steps:
      - click: '#onetrust-accept-btn-handler'   # the first visible match, once it can be clicked
        optional: true                          # the dialog is not shown everywhere
      - click_all: 'button.accordion[aria-expanded="false"]'   # every match, at most MAX_CLICKS
      - wait_for: '#policy section:nth-of-type(12)'   # until it exists
      - scroll: bottom                          # until the page stops growing
      - select: '#region'                       # choose in a <select>, by the option's label or value
        option: United Kingdom
      - fill: '#birth-year'                     # type into a field (an age gate): never a password field
        text: '1990'
      - wait: 500ms

A step that fails stops the steps with its number and what it looked for; the capturer then reports `step_failed`
(needs attention) unless the page is an error page or a wall, which is reported as that: the page is no longer laid
out as its steps say, and what it shows without them may be a part of the document, which must not be recorded as a
new version. An `optional` step that finds nothing is passed over. A click that takes the browser to another page
fails too: the document is the page at the declared URL.

Selectors are Playwright's (CSS, plus `text=…`, `:has-text(…)`, `>>` chains), checked by the browser when the
step runs, not by `catalogue validate`. What was done is kept with the capture's evidence ("clicked
'#load-full'", "clicked 3 of 'button.toggle'", "scrolled to the bottom in 4 rounds", "chose 'United Kingdom' in
'#region'", "filled '#birth-year' (4 characters)": what was typed is the catalogue's, not repeated in the evidence).

A capture must be what any visitor sees: a step never fills a password field, which `optional` does not excuse.
A region chooser that loads another address is not a step (it leaves the page): declare that region's URL.
"""

from __future__ import annotations

import re
import time
from typing import Any, Literal
from urllib.parse import urldefrag

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# A `click_all` that matches more than this is not an accordion: stop there rather than click a page's every link.
MAX_CLICKS = 200
# One match of a `click_all` waits this long at most to be clickable; the step gets this much more time per match.
CLICK_TIMEOUT_MS = 1000
CLICK_ALLOWANCE_MS = 25
# Scrolling stops when the page has not grown for this many rounds, or after MAX_SCROLL_ROUNDS.
MAX_SCROLL_ROUNDS = 30
SCROLL_PAUSE_MS = 250
MAX_WAIT_SECONDS = 10.0
ACTIONS = ("click", "click_all", "wait_for", "scroll", "wait", "select", "fill")
# The second field each of these actions needs, and no other allows.
_OPERANDS = {"select": "option", "fill": "text"}


class StepError(Exception):
    """A step could not be done; the message names the step, `done` says what the steps before it did. `broken`:
    the step itself is wrong (a selector that does not parse), which `optional` does not excuse."""

    def __init__(self, message: str, done: list[str] | None = None, *, broken: bool = False) -> None:
        super().__init__(message)
        self.done = list(done or [])
        self.broken = broken


class Step(BaseModel):
    """One thing the browser does on the page: exactly one of the actions, optionally allowed to find nothing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    click: str | None = Field(default=None, min_length=1, max_length=500)
    click_all: str | None = Field(default=None, min_length=1, max_length=500)
    wait_for: str | None = Field(default=None, min_length=1, max_length=500)
    scroll: Literal["bottom"] | None = None
    wait: float | None = Field(default=None, description="Seconds, or a string like '500ms' or '2s'.")
    select: str | None = Field(default=None, min_length=1, max_length=500)
    option: str | None = Field(default=None, min_length=1, max_length=200, description="Label or value.")
    fill: str | None = Field(default=None, min_length=1, max_length=500)
    text: str | None = Field(default=None, max_length=200)
    optional: bool = False

    @field_validator("wait", mode="before")
    @classmethod
    def _seconds(cls, value: object) -> object:
        return None if value is None else parse_wait(value)

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        given = [name for name in ACTIONS if getattr(self, name) is not None]
        if len(given) != 1:
            what = f"got {', '.join(given)}" if given else "got none"
            msg = f"a step does exactly one of {', '.join(ACTIONS)}; {what}"
            raise ValueError(msg)
        for name in ("click", "click_all", "wait_for", "select", "fill"):
            selector = getattr(self, name)
            if selector is not None and not selector.strip():
                msg = f"{name}: empty selector"
                raise ValueError(msg)
        for action, operand in _OPERANDS.items():
            if (getattr(self, action) is None) != (getattr(self, operand) is None):
                msg = (
                    f"{operand!r} goes with {action!r}: a {action} step needs it, and no other step takes it"
                )
                raise ValueError(msg)
        return self

    @property
    def action(self) -> str:
        """The step's one action."""
        return next(name for name in ACTIONS if getattr(self, name) is not None)

    def describe(self) -> str:
        """How the step reads in messages: "click '#load-full'", "scroll to the bottom", "wait 0.5s"."""
        if self.scroll is not None:
            return "scroll to the bottom"
        if self.wait is not None:
            return f"wait {self.wait:g}s"
        if self.select is not None:
            return f"select {self.option!r} in {self.select!r}"
        if self.fill is not None:
            return f"fill {self.fill!r}"
        return f"{self.action.replace('_', ' ')} {getattr(self, self.action)!r}"


def parse_wait(value: object) -> float:
    """Return seconds from a number or "500ms" / "2s"; at most MAX_WAIT_SECONDS (a longer pause hides a problem)."""
    if isinstance(value, bool):
        msg = "a wait is a number of seconds or a string like '500ms' or '2s'"
        raise ValueError(msg)
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        scale = 0.001 if text.endswith("ms") else 1.0
        number = text.removesuffix("ms").removesuffix("s").strip()
        try:
            seconds = float(number) * scale
        except ValueError:
            msg = f"not a wait: {value!r} (use e.g. '500ms' or '2s')"
            raise ValueError(msg) from None
    else:
        msg = f"not a wait: {value!r}"
        raise ValueError(msg)
    if not 0 < seconds <= MAX_WAIT_SECONDS:
        msg = f"a wait must be more than 0 and at most {MAX_WAIT_SECONDS:g} seconds"
        raise ValueError(msg)
    return seconds


def parse_steps(raw: object) -> list[Step]:
    """Return the steps stored in a document's spec (as `Step.model_dump` wrote them)."""
    if not raw:
        return []
    if not isinstance(raw, list | tuple):
        msg = f"steps must be a list, not {type(raw).__name__}"
        raise ValueError(msg)
    return [step if isinstance(step, Step) else Step.model_validate(step) for step in raw]


def _page_of(url: str) -> str:
    return urldefrag(url)[0]


async def run_steps(page: Any, steps: list[Step], timeout_ms: float) -> list[str]:
    """Do the steps on a Playwright page, in order; return what was done, one line per step.

    Raises StepError naming the first step that could not be done. `timeout_ms` bounds each step's wait for its
    selector; the capture's own deadline bounds them all.
    """
    done: list[str] = []
    for number, step in enumerate(steps, 1):
        where = page.url
        try:
            line = await _run(page, step, timeout_ms)
        except StepError as exc:
            if not step.optional or exc.broken:
                msg = f"step {number} ({step.describe()}): {exc}"
                raise StepError(msg, done) from None
            line = f"passed over optional {step.describe()}: {exc}"
        if _page_of(page.url) != _page_of(where):
            msg = f"step {number} ({step.describe()}) left the page for {page.url}"
            raise StepError(msg, done)
        done.append(line)
    return done


async def _run(page: Any, step: Step, timeout_ms: float) -> str:
    from playwright.async_api import Error as PlaywrightError

    try:
        if step.click is not None:
            return await _click(page, step.click, timeout_ms)
        if step.click_all is not None:
            return await _click_all(page, step.click_all, timeout_ms)
        if step.wait_for is not None:
            await page.locator(step.wait_for).first.wait_for(state="attached", timeout=timeout_ms)
            return f"found {step.wait_for!r}"
        if step.select is not None and step.option is not None:
            return await _select(page, step.select, step.option, timeout_ms)
        if step.fill is not None and step.text is not None:
            return await _fill(page, step.fill, step.text, timeout_ms)
        if step.scroll is not None:
            rounds = await _scroll_to_bottom(page)
            return f"scrolled to the bottom in {rounds} round{'s' if rounds != 1 else ''}"
        seconds = step.wait or 0.0
        await page.wait_for_timeout(seconds * 1000)
        return f"waited {seconds:g}s"
    except PlaywrightError as exc:
        reason = _reason(exc, timeout_ms)
        raise StepError(reason, broken="while parsing" in reason) from None


async def _click(page: Any, selector: str, timeout_ms: float) -> str:
    """Click the first visible match once it can be clicked (enabled, not moving, not covered)."""
    from playwright.async_api import Error as PlaywrightError

    matches = page.locator(selector)
    try:
        await matches.filter(visible=True).first.click(timeout=timeout_ms)
    except PlaywrightError as exc:
        count = await matches.count()
        if count and _timed_out(exc):
            # Found but never clickable: a hidden or covered element, which "nothing matched" would misname.
            msg = (
                f"{count} matched but none could be clicked within {timeout_ms / 1000:g}s (hidden or covered)"
            )
            raise StepError(msg) from None
        raise
    return f"clicked {selector!r}"


async def _click_all(page: Any, selector: str, timeout_ms: float) -> str:
    """Click every match that can be clicked; the first must appear within the timeout."""
    from playwright.async_api import Error as PlaywrightError

    matches = page.locator(selector)
    await matches.first.wait_for(state="attached", timeout=timeout_ms)
    count = min(await matches.count(), MAX_CLICKS)
    clicked = 0
    # The whole step's time: the step's own, and CLICK_ALLOWANCE_MS more per match (the capture's deadline allows
    # for it), so a page of covered matches cannot hold the capture a second per match.
    deadline = time.monotonic() + (timeout_ms + CLICK_ALLOWANCE_MS * count) / 1000
    for index in range(count):
        match = matches.nth(index)
        left_ms = (deadline - time.monotonic()) * 1000
        if left_ms <= 0:
            break
        # A hidden match (a collapsed sub-menu's toggle) is not what the step is for: passed over without waiting.
        if not await match.is_visible():
            continue
        try:
            await match.click(timeout=min(left_ms, CLICK_TIMEOUT_MS))
        except PlaywrightError:
            continue
        clicked += 1
    if clicked == 0:
        msg = f"none of the {count} matches could be clicked"
        raise StepError(msg)
    return f"clicked {clicked} of {count} {selector!r}"


_OPTIONS = """(element, wanted) => {
    if (!(element instanceof HTMLSelectElement)) return null;
    const options = [...element.options];
    const match = options.find(o => o.value === wanted || o.label.trim() === wanted || o.text.trim() === wanted);
    return {match: match ? match.value : null, offered: options.map(o => o.label.trim() || o.value)};
}"""


async def _select(page: Any, selector: str, option: str, timeout_ms: float) -> str:
    """Choose an option of the first match, a <select>, by its label or value; name what it offers if it lacks it."""
    element = page.locator(selector).first
    await element.wait_for(state="attached", timeout=timeout_ms)
    found = await element.evaluate(_OPTIONS, option)
    if found is None:
        msg = f"{selector!r} is not a <select>"
        raise StepError(msg, broken=True)
    if found["match"] is None:
        offered = ", ".join(repr(o) for o in found["offered"][:20]) or "nothing"
        msg = f"{selector!r} has no option {option!r}; it offers {offered}"
        raise StepError(msg)
    await element.select_option(value=found["match"], timeout=timeout_ms)
    return f"chose {option!r} in {selector!r}"


async def _fill(page: Any, selector: str, text: str, timeout_ms: float) -> str:
    """Type into the first visible match; a password field is refused (a capture is what any visitor sees)."""
    element = page.locator(selector).filter(visible=True).first
    await element.wait_for(state="visible", timeout=timeout_ms)
    kind = (await element.get_attribute("type") or "").strip().lower()
    if kind == "password":
        msg = f"{selector!r} is a password field: a capture must be what any visitor sees, not an account's page"
        raise StepError(msg, broken=True)
    await element.fill(text, timeout=timeout_ms)
    return f"filled {selector!r} ({len(text)} character{'s' if len(text) != 1 else ''})"


async def _scroll_to_bottom(page: Any) -> int:
    """Scroll to the end of the page until it stops growing; return the rounds taken."""
    height = -1
    still = 0
    rounds = 0
    while rounds < MAX_SCROLL_ROUNDS and still < 2:
        rounds += 1
        grown = await page.evaluate(
            "() => { const e = document.scrollingElement || document.documentElement;"
            " window.scrollTo(0, e.scrollHeight); return e.scrollHeight; }"
        )
        await page.wait_for_timeout(SCROLL_PAUSE_MS)
        still = still + 1 if grown == height else 0
        height = grown
    return rounds


def _reason(exc: Exception, timeout_ms: float) -> str:
    """Playwright's first line, shortened to what an operator needs."""
    if _timed_out(exc):
        return f"nothing matched within {timeout_ms / 1000:g}s"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    # "Locator.click: Unexpected token …" → "Unexpected token …": the step's own words say what was being done.
    return re.sub(r"^(?:Error: )?(?:\w+\.\w+: )?", "", first)


def _timed_out(exc: Exception) -> bool:
    """Whether Playwright gave up waiting (its TimeoutError, or an error whose message says so)."""
    return "Timeout" in type(exc).__name__ or "Timeout" in str(exc)
