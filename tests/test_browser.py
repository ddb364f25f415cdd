"""A real person's path through the Label Studio UI, in real Chromium (Debian's, driven by Playwright from PyPI).

Log in at /user/login/, open a pushed task, see its pre-annotated regions (screenshots of it before and after
labelling are saved under test-artifacts/browser/), select a word that stands after an emoji with the mouse, label it SOURCE, submit; then
`annotate pull` must return that span with the right offsets and text.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from annotate.labelstudio.sync import push
from annotate.records import AnnotatedDoc, make_doc_id, make_span, read_docs

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.filterwarnings("ignore::FutureWarning")]
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TEXT = "Rocket news 🚀🔥 today: the agency said 😀 officials confirmed the launch."

# The bounding box of the first occurrence of a word inside Label Studio's rendered text.
WORD_BOX = """(word) => {
    const line = document.querySelector('.lsf-richtext__line');
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent.indexOf(word);
        if (at >= 0) {
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + word.length);
            const box = range.getBoundingClientRect();
            return {x: box.x, y: box.y, width: box.width, height: box.height};
        }
    }
    return null;
}"""


def test_annotate_after_an_emoji_in_the_ui_and_pull_it_back(label_studio, tmp_path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install chromium"
    client = label_studio.client()
    title = label_studio.new_project_title("browser")
    agency, said = TEXT.index("the agency"), TEXT.index("said")
    model = AnnotatedDoc(make_doc_id(TEXT), TEXT, "model:rules@1",
                         (make_span(TEXT, "s1", agency, agency + 10, "SOURCE", score=0.9),
                          make_span(TEXT, "q1", said, said + 4, "CUE", score=0.8)))
    summary = push([model], project=title, client=client)
    (task_id, _, _), = client.task_doc_ids(summary.project_id)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            page.goto(f"{label_studio.url}/user/login/")
            page.fill("input[name=email]", label_studio.email)
            page.fill("input[name=password]", label_studio.password)
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "/user/login" not in url)

            page.goto(f"{label_studio.url}/projects/{summary.project_id}/data?task={task_id}")
            highlights = page.locator(".lsf-richtext__line .htx-highlight")
            highlights.nth(1).wait_for()
            assert highlights.all_inner_texts() == ["the agency", "said"]  # the model's regions, pre-annotated
            page.screenshot(path=str(ARTIFACTS / "preannotated-task.png"))

            # As a person would: pick the SOURCE label, then drag across the word after the emoji.
            page.locator(".lsf-labels .lsf-label", has_text="SOURCE").first.click()
            box = page.evaluate(WORD_BOX, "officials")
            assert box is not None, "the word is not in the rendered text"
            middle = box["y"] + box["height"] / 2
            page.mouse.move(box["x"] + 1, middle)
            page.mouse.down()
            page.mouse.move(box["x"] + box["width"] - 1, middle, steps=8)
            page.mouse.up()
            highlights.nth(2).wait_for()
            assert "officials" in highlights.all_inner_texts()
            page.screenshot(path=str(ARTIFACTS / "labelled-before-submit.png"))
            with page.expect_response(lambda response: f"/api/tasks/{task_id}/annotations" in response.url
                                      and response.request.method == "POST") as saved:
                page.get_by_role("button", name="Submit").click()
            assert saved.value.status == 201, saved.value.text()
        finally:
            browser.close()

    output = tmp_path / "annotations.jsonl"
    pulled = subprocess.run([sys.executable, "-m", "annotate.cli", "pull", "--project", title, "-o", str(output)],
                            capture_output=True, text=True, env=label_studio.env, cwd=ROOT, timeout=600)
    assert pulled.returncode == 0, pulled.stderr
    (doc,) = read_docs(output)
    assert doc.annotator == label_studio.email and doc.text == TEXT
    start = TEXT.index("officials")
    chosen = [span for span in doc.spans if span.text == "officials"]
    assert [(span.label, span.start, span.end) for span in chosen] == [("SOURCE", start, start + len("officials"))]
    assert {(span.label, span.start, span.end) for span in doc.spans} >= {("SOURCE", agency, agency + 10),
                                                                        ("CUE", said, said + 4)}
    assert (ARTIFACTS / "preannotated-task.png").stat().st_size > 10_000
