"""A session in real Chromium (Debian's, driven by Playwright from PyPI): two annotators log in with their generated
passwords, each sees only the tasks of their own project, each corrects a pre-annotated span of the same overlap
article (one with the SOURCE hotkey) and submits; then `session status` shows both submissions and a defined
agreement, and `pull --session` returns both records with the offsets they chose. The article view is checked
at 1400x900: no region's label covers another region's text, and links carry no label. Screenshots go to
test-artifacts/browser/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate.labelstudio.session import create_session, project_title
from annotate.records import AnnotatedDoc, Relation, make_doc_id, make_span, read_docs
from test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS  # the browser set-up the other UI test uses

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.filterwarnings("ignore::FutureWarning")]
PEOPLE = ["rita.nowak@example.org", "sam.adeyemi@example.org"]

ARTICLE = (
    "Council delays vote on river crossing as costs climb\n\n"
    "A spokesperson for the city council said on Thursday that the vote on the new river crossing would be "
    "postponed until the spring. The project, first proposed in 2019, was meant to ease traffic on the old "
    "stone bridge, which carries more than 40,000 vehicles a day.\n\n"
    "Engineers hired by the council warned in a report published last month that repairs to the old bridge "
    "could cost twice the original estimate. According to the report, corrosion in the steel supports is "
    "worse than inspectors expected.\n\n"
    "Councillor Priya Shah, who chairs the transport committee, told local radio that residents deserved "
    "clear figures before any money was committed. Opposition members claimed the delay was a way to avoid "
    "a difficult decision before the election, a charge the council's leader denied.\n\n"
    "Business owners near the bridge said the uncertainty was already hurting trade.")
OTHER = [
    "Rail operators said on Monday that weekend services would return to normal after the storm.",
    "The school board announced that classes would resume next week, officials told parents in a letter.",
]


def _span(text: str, span_id: str, phrase: str, label: str, score: float = 0.8):
    start = text.index(phrase)
    return make_span(text, span_id, start, start + len(phrase), label, score=score)


def article_prediction() -> AnnotatedDoc:
    t = ARTICLE
    spans = (
        _span(t, "s1", "A spokesperson for the city council", "SOURCE", 0.7),
        _span(t, "q1", "said", "CUE", 0.9),
        _span(t, "c1", "the vote on the new river crossing would be postponed until the spring", "CLAIM", 0.6),
        _span(t, "s2", "Engineers hired by the council", "SOURCE"),
        _span(t, "q2", "warned", "CUE"),
        _span(t, "c2", "repairs to the old bridge could cost twice the original estimate", "CLAIM"),
        _span(t, "q3", "According to", "CUE"),
        _span(t, "s3", "the report", "SOURCE"),
        _span(t, "c3", "corrosion in the steel supports is worse than inspectors expected", "CLAIM"),
        _span(t, "s4", "Councillor Priya Shah, who chairs the transport committee", "SOURCE"),
        _span(t, "q4", "told", "CUE"),
        _span(t, "x4", "local radio", "SUPPLEMENT"),
        _span(t, "c4", "residents deserved clear figures before any money was committed", "CLAIM"),
        _span(t, "s5", "Opposition members", "SOURCE"),
        _span(t, "q5", "claimed", "CUE"),
        _span(t, "c5", "the delay was a way to avoid a difficult decision before the election", "CLAIM"),
        _span(t, "e1", "Thursday", "DATE"),
        _span(t, "e2", "Priya Shah", "PERSON"),
    )
    relations = tuple(r for n in range(1, 6) for r in (Relation(f"c{n}", f"s{n}", "attributed_to"),
                                                       Relation(f"q{n}", f"c{n}", "cue_of")))
    return AnnotatedDoc(make_doc_id(t), t, "model:rules@1", spans, (*relations, Relation("x4", "c4", "supplement_of")))


# The box of a phrase in the rendered text (every line of it: an article is several lines), outside any region.
PHRASE_BOX = """(phrase) => {
    const textNodes = (line) => Array.from(line.childNodes).filter((node) => node.nodeType === Node.TEXT_NODE);
    const plain = Array.from(document.querySelectorAll('.lsf-richtext__line')).flatMap(textNodes);
    const node = plain.find((candidate) => candidate.textContent.includes(phrase));
    if (!node) return null;
    const range = document.createRange();
    range.setStart(node, node.textContent.indexOf(phrase));
    range.setEnd(node, node.textContent.indexOf(phrase) + phrase.length);
    const box = range.getBoundingClientRect();
    return {x: box.x, y: box.y, width: box.width, height: box.height};
}"""

# For each highlighted region: its own text's line boxes (text nodes only), and the box of its label, which
# Label Studio draws as an ::after of the region's element. A label box is measured by the region's line boxes
# with and without the label (the label is the part that the whole element has beyond its text), which is only
# meaningful if the label is in the flow; so its CSS position is returned too.
REGION_BOXES = """() => {
    const regions = Array.from(document.querySelectorAll('.lsf-richtext__line .htx-highlight'));
    return regions.map((el) => {
        const textBoxes = [];
        for (const node of el.childNodes) {
            if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const r of range.getClientRects()) textBoxes.push([r.left, r.top, r.right, r.bottom]);
        }
        const all = Array.from(el.getClientRects()).map(r => [r.left, r.top, r.right, r.bottom]);
        const after = getComputedStyle(el, '::after');
        return {label: el.dataset.label || '', text: el.textContent, textBoxes, boxes: all,
                afterPosition: after.position, afterContent: after.content,
                inside: regions.filter(o => o !== el && el.contains(o)).length > 0,
                within: regions.filter(o => o !== el && o.contains(el)).length > 0};
    });
}"""


def _overlap(a, b, slack: float = 0.5) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > slack and min(a[3], b[3]) - max(a[1], b[1]) > slack


def _label_boxes(region) -> list:
    """The label's area: the last line box of the region, from the end of its text to the box's right edge."""
    if not region["boxes"] or not region["textBoxes"]:
        return []
    last = region["boxes"][-1]
    text_end = max((box[2] for box in region["textBoxes"] if box[1] >= last[1] - 1), default=last[0])
    return [[text_end, last[1], last[2], last[3]]] if last[2] - text_end > 1 else []


def _login(browser, url: str, email: str, password: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{url}/user/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda address: "/user/login" not in address)
    return context, page


def _drag_over(page, phrase: str) -> None:
    box = page.evaluate(PHRASE_BOX, phrase)
    assert box is not None, f"{phrase!r} is not in the rendered text"
    middle = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 1, middle)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] - 1, middle, steps=10)
    page.mouse.up()


def test_two_annotators_correct_the_same_overlap_article_in_chromium(label_studio, run_cli, tmp_path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install chromium"
    name = label_studio.new_project_title("browser-session")
    others = [AnnotatedDoc(make_doc_id(text), text, "model:rules@1", (_span(text, "q1", "said" if "said" in text else "announced", "CUE"),))
              for text in OTHER]
    article = article_prediction()
    # Three documents: the article in the overlap (seed 3 draws it; the least certain model spans put it first), the others one each.
    result = create_session(name, [article, *others], PEOPLE, client=label_studio.client(), per_doc=2, overlap=0.34,
                            seed=3, base_dir=tmp_path)
    plan = result.plan
    assert plan.overlap_docs == {article.doc_id} and plan.documents[0] == article.doc_id
    passwords = result.passwords
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    corrections = {  # each annotator replaces one pre-annotated span with their own choice
        PEOPLE[0]: ("A spokesperson for the city council", "spokesperson for the city council", "SOURCE"),
        PEOPLE[1]: ("Councillor Priya Shah, who chairs the transport committee", "Councillor Priya Shah", "SOURCE"),
    }
    chosen: dict[str, tuple[str, int, int]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for number, email in enumerate(PEOPLE):
                context, page = _login(browser, label_studio.url, email, passwords[email])
                project_id = result.pushes[email].project_id
                # What this person's session is shown of their project: exactly their planned documents.
                listed = page.request.get(f"{label_studio.url}/api/tasks?project={project_id}&page_size=100").json()
                tasks = listed["tasks"] if isinstance(listed, dict) else listed
                assert sorted(task["data"]["doc_id"] for task in tasks) == sorted(plan.docs_of(email))
                task_id = next(task["id"] for task in tasks if task["data"]["doc_id"] == article.doc_id)

                page.goto(f"{label_studio.url}/projects/{project_id}/data?task={task_id}")
                highlights = page.locator(".lsf-richtext__line .htx-highlight")
                highlights.nth(15).wait_for()
                page.wait_for_timeout(1000)  # the editor settles (links are drawn after the regions)
                # The 16 attribution regions, no entity: those were not pushed.
                assert sorted(highlights.all_inner_texts()) == sorted(s.text for s in article.spans if s.label in
                                                                    ("SOURCE", "CUE", "CLAIM", "SUPPLEMENT"))
                page.screenshot(path=str(ARTIFACTS / f"session-article-{number + 1}.png"))
                if number == 0:
                    _check_readable(page)

                old, new, label = corrections[email]
                page.locator(".lsf-richtext__line .htx-highlight", has_text=old).first.click()
                page.keyboard.press("Backspace")  # Label Studio's key for deleting the selected region
                page.keyboard.press("Escape")
                page.wait_for_function("() => document.querySelectorAll('.lsf-richtext__line .htx-highlight').length == 15")
                if number == 0:
                    page.keyboard.press("2")  # the SOURCE hotkey
                else:
                    page.locator(".lsf-labels .lsf-label", has_text=label).first.click()
                _drag_over(page, new)
                page.locator(".lsf-richtext__line .htx-highlight", has_text=new).first.wait_for()
                page.screenshot(path=str(ARTIFACTS / f"session-corrected-{number + 1}.png"))
                with page.expect_response(lambda response: f"/api/tasks/{task_id}/annotations" in response.url
                                          and response.request.method == "POST") as saved:
                    page.get_by_role("button", name="Submit").click()
                assert saved.value.status == 201, saved.value.text()
                start = ARTICLE.index(new)
                chosen[email] = (label, start, start + len(new))
                context.close()
        finally:
            browser.close()

    status = json.loads(run_cli("session", "status", name, "--json", "--session-dir", tmp_path,
                                env=label_studio.env, check=True).stdout)
    for email in PEOPLE:
        assert status["annotators"][email]["submitted"] == 1
        assert status["annotators"][email]["assigned"] == 2
    assert status["overlap"]["documents"] == 1 and status["overlap"]["complete"] == 1
    assert status["overlap"]["spans_f1"]["value"] is not None and 0 < status["overlap"]["spans_f1"]["value"] < 1
    assert status["overlap"]["token_alpha"]["value"] is not None

    pulled = tmp_path / "pulled.jsonl"
    run_cli("pull", "--session", name, "--session-dir", tmp_path, "-o", pulled, env=label_studio.env, check=True)
    records = {doc.annotator: doc for doc in read_docs(pulled)}
    assert sorted(records) == sorted(PEOPLE)
    for email, (label, start, end) in chosen.items():
        doc = records[email]
        assert doc.doc_id == article.doc_id
        assert (label, start, end) in {(s.label, s.start, s.end) for s in doc.spans}
        old = corrections[email][0]
        assert old not in {s.text for s in doc.spans}
        assert len(doc.spans) == 16 and not any(s.label in ("DATE", "PERSON") for s in doc.spans)


def _check_readable(page) -> None:
    """At 1400x900: labels take their own place after their region's text and cover no other region's text;
    links are drawn without labels."""
    regions = page.evaluate(REGION_BOXES)
    assert len(regions) == 16
    assert all(region["afterPosition"] in ("static", "relative") for region in regions), \
        {region["afterPosition"] for region in regions}
    assert all(region["afterContent"] not in ("none", "normal", "") for region in regions)  # labels are shown
    for region in regions:
        for label_box in _label_boxes(region):
            for other in regions:
                if other is region:
                    continue
                covered = [box for box in other["textBoxes"] if _overlap(label_box, box)]
                assert not covered, f"the label of {region['text']!r} covers the text of {other['text']!r}"
    links = page.locator("svg.relations-overlay")
    assert links.locator("path").count() >= 11  # the pre-annotated links are drawn ...
    assert links.locator("text").count() == 0  # ... without labels
