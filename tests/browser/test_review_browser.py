"""The review page in a real browser (chromium) against a real `writer review serve`.

Accepting and editing run the real evaluator (``writer.check.check``) in the server.
"""

from __future__ import annotations

import re

from test_review_support import clean_page, record

from writer.review.store import Queue

SCREENSHOT = "/tmp/gene-writer-review-page.png"


def three_clean(q: Queue, facts) -> None:
    for sym in ("MT1G", "NME1", "TP53"):
        q.add_draft(record(sym, facts_path=facts))


def test_accept_and_next(make_server, page, browser) -> None:
    server = make_server(three_clean)
    page.goto(f"{server.url}/drafts/1")
    assert page.locator("#status").inner_text() == "pending"
    assert page.locator("#findings-panel").inner_text().count("None: every claim") == 1
    page.keyboard.press("a")  # the keyboard shortcut
    page.wait_for_url(re.compile(r"/drafts/2\?done=1&action=accepted$"))
    assert "Draft 1 accepted" in page.locator("#done").inner_text()
    page.get_by_role("button", name=re.compile("Accept and next")).click()
    page.wait_for_url(re.compile(r"/drafts/3\?done=2&action=accepted$"))

    # The same with JavaScript off: plain forms.
    nojs = browser.new_context(java_script_enabled=False)
    p2 = nojs.new_page()
    p2.goto(f"{server.url}/drafts/3")
    p2.get_by_role("button", name=re.compile("Accept and next")).click()
    p2.wait_for_url(re.compile(r"/\?done=3&action=accepted$"))
    assert "Draft 3 accepted. No more open drafts" in p2.content()
    nojs.close()
    with Queue.open(server.queue) as q:
        assert [q.status(i) for i in (1, 2, 3)] == ["accepted"] * 3
        assert {q.latest_review(i).reviewer for i in (1, 2, 3)} == {"ana"}


def test_an_edit_with_a_wrong_number_shows_its_finding(make_server, page) -> None:
    server = make_server(three_clean)
    page.goto(f"{server.url}/drafts/1")
    page.get_by_text("Edit the text").click()
    editor = page.locator("#editor")
    editor.fill(editor.input_value().replace("1,336 base pairs", "1,363 base pairs"))
    page.get_by_role("button", name=re.compile("Save edit")).click()
    page.wait_for_url(re.compile(r"/drafts/1\?saved=1$"))
    mark = page.locator("#page mark.finding", has_text="1,363")
    assert mark.count() >= 1 and mark.first.is_visible()
    findings = page.locator("#findings").inner_text()
    assert "1,363" in findings and "contradicted" in findings
    assert page.locator("#status").inner_text() == "edited"
    history = page.locator("#history")
    assert history.locator(".wdel", has_text="1,336").count() == 1  # word by word
    assert history.locator(".wadd", has_text="1,363").count() == 1
    assert page.locator("#edit-diff .wadd", has_text="1,363").is_visible()
    # the controls and the findings come before the page text
    top = page.locator("#actions").bounding_box()["y"]
    assert top < page.locator("#page").bounding_box()["y"]
    assert page.locator("#findings-panel").bounding_box()["y"] < \
        page.locator("#page").bounding_box()["y"]
    page.locator("#findings a").first.click()  # the finding links to its place in the text
    page.screenshot(path=SCREENSHOT, full_page=True)
    # Accepting is refused while the finding stands.
    page.keyboard.press("a")
    page.wait_for_load_state()
    assert "not accepted" in page.locator("#error").inner_text()
    with Queue.open(server.queue) as q:
        assert q.status(1) == "edited"
        assert [f.claim for f in q.latest_review(1).findings if "1,363" in f.claim]


def test_markup_in_a_draft_is_shown_as_text(make_server, page) -> None:
    hostile = (
        clean_page("TP53")
        + "\n<script>window.__owned = 1; alert('x')</script>\n\n"
        "<img src=x onerror=\"window.__owned = 2\"> [click me](javascript:window.__owned=3)\n"
    )

    def fill(q: Queue, facts) -> None:
        q.add_draft(record("TP53", text=hostile, facts_path=facts))

    server = make_server(fill)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server.url}/drafts/1")
    shown = page.locator("#page").inner_text()
    assert "<script>window.__owned = 1; alert('x')</script>" in shown
    assert '<img src=x onerror="window.__owned = 2">' in shown
    assert page.evaluate("document.querySelectorAll('#page script, #page img').length") == 0
    page.locator("#page").get_by_text("click me").click()  # not a link: plain text
    assert page.evaluate("window.__owned === undefined")
    assert dialogs == []


def test_two_curators_the_stale_save_is_refused(make_server, browser) -> None:
    server = make_server(three_clean)
    ana = browser.new_context().new_page()
    bob = browser.new_context().new_page()
    for p in (ana, bob):
        p.goto(f"{server.url}/drafts/2")
        p.get_by_text("Edit the text").click()
    ana.locator("#editor").fill(clean_page("NME1") + "\nAna's sentence.\n")
    ana.get_by_role("button", name=re.compile("Save edit")).click()
    ana.wait_for_url(re.compile(r"\?saved=1$"))
    bob.locator("#editor").fill(clean_page("NME1") + "\nBob's sentence.\n")
    bob.get_by_role("button", name=re.compile("Save edit")).click()
    bob.wait_for_load_state()
    assert "changed after you opened it (edited by ana" in bob.locator("#error").inner_text()
    assert "Bob's sentence." in bob.locator("#editor").input_value()  # his work is kept
    with Queue.open(server.queue) as q:
        assert "Ana's sentence." in q.current_text(2) and len(q.history(2)) == 1
    ana.context.close()
    bob.context.close()
