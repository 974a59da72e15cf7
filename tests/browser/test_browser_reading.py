"""Journey: a reviewer opens an evidence PDF from the scoring page and reads it in the page —
drawn by PDF.js under the site's Content-Security-Policy, turned with the buttons and the
keys, zoomed; in Arabic the arrows follow the writing direction; a scanned page (a JPEG 2000
image, decoded by PDF.js's JavaScript decoder) is drawn too."""

from __future__ import annotations

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import sign_in
from factories import make_assignment, make_call, make_focal_point, make_nomination, make_reviewer
from playwright.sync_api import Page, expect
from werkzeug.datastructures import FileStorage

from recognition.extensions import db
from recognition.nominations.operations import attach

#: Dark pixels in the canvas: ink drawn, not just a white page.
INK = """() => {
  const canvas = document.querySelector('[data-canvas]');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let dark = 0;
  for (let i = 0; i < data.length; i += 4) { if (data[i] < 128) { dark++; } }
  return dark;
}"""


def scanned_pdf() -> bytes:
    """One page holding a JPEG 2000 image (a black box), as scanners often write them."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 380, 180), fill="black")
    out = io.BytesIO()
    image.save(out, "JPEG2000")
    jpx, content = out.getvalue(), b"q 400 0 0 200 100 500 cm /Im1 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width 400 /Height 200 /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /JPXDecode /Length %d >>\nstream\n%s\nendstream"
        % (len(jpx), jpx),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    pdf, offsets = bytearray(b"%PDF-1.5\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


def three_page_pdf() -> bytes:
    from weasyprint import HTML

    pages = "".join(
        f'<p style="break-after: page; font-size: 28pt">{word} page of the evidence</p>'
        for word in ("First", "Second", "Third")
    )
    return HTML(string=f"<html><body>{pages}</body></html>").write_pdf()


@pytest.fixture
def assignment(db):
    call = make_call(state="reviewing")
    focal = make_focal_point(email="city@lyon.example")
    nomination = make_nomination(call, focal.memberships[0].city, state="under_review")
    attach(
        nomination,
        "motivation_letter",
        FileStorage(io.BytesIO(three_page_pdf()), filename="motivation.pdf"),
        focal,
    )
    attach(
        nomination,
        "other_evidence",
        FileStorage(io.BytesIO(scanned_pdf()), filename="scan.pdf"),
        focal,
    )
    reviewer = make_reviewer(email="reviewer@example.org")
    assignment = make_assignment(nomination, reviewer, state="accepted")
    db.session.commit()
    return assignment


def open_preview(page: Page, assignment, problems: list[str], name="motivation.pdf") -> None:
    """From the scoring page, as the reviewer; script errors and CSP refusals go to problems."""
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in(page, assignment.reviewer.email)
    page.goto(f"/reviews/{assignment.id}")
    # The preview link of that file (its label names the file, in the reviewer's language).
    page.locator(f"a.reading-preview[aria-label*='{name}']").first.click()
    page.wait_for_url("**/preview")


def test_the_reviewer_reads_an_evidence_pdf_in_the_page(page: Page, assignment, shoot):
    problems: list[str] = []
    open_preview(page, assignment, problems)
    canvas = page.locator("[data-canvas]")
    status = page.locator("[data-status]")

    expect(canvas).to_have_attribute("data-drawn", "1")
    expect(status).to_have_text("Page 1 of 3")
    expect(canvas).to_have_attribute("aria-label", "Page 1 of 3")
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    assert page.evaluate(INK) > 0
    expect(page.locator("[data-text-layer]")).to_contain_text("First page of the evidence")
    expect(page.get_by_role("button", name="Previous page")).to_be_disabled()
    shoot(page, "01-first-page")

    page.get_by_role("button", name="Next page").click()
    expect(canvas).to_have_attribute("data-drawn", "2")
    expect(status).to_have_text("Page 2 of 3")
    expect(page.locator("[data-text-layer]")).to_contain_text("Second page of the evidence")

    # With the keyboard: the page frame takes the focus; Page Down turns, + zooms in.
    page.locator("[data-frame]").focus()
    page.keyboard.press("PageDown")
    expect(canvas).to_have_attribute("data-drawn", "3")
    expect(page.get_by_role("button", name="Next page")).to_be_disabled()
    width = canvas.bounding_box()["width"]
    page.keyboard.press("+")
    page.wait_for_function(
        f"document.querySelector('[data-canvas]').getBoundingClientRect().width > {width + 1}"
    )
    page.get_by_label("Go to page").fill("1")
    page.get_by_label("Go to page").press("Enter")
    expect(canvas).to_have_attribute("data-drawn", "1")
    shoot(page, "02-zoomed")

    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
    # Nothing refused by the Content-Security-Policy, no script error.
    assert problems == []


def test_in_arabic_the_arrows_turn_pages_in_the_writing_direction(page: Page, assignment, shoot):
    assignment.reviewer.locale = "ar"
    db.session.commit()
    problems: list[str] = []
    open_preview(page, assignment, problems)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    canvas = page.locator("[data-canvas]")
    expect(canvas).to_have_attribute("data-drawn", "1")
    # The PDF is drawn as it is written: the canvas's text is not laid out right to left.
    assert canvas.evaluate("c => getComputedStyle(c).direction") == "ltr"
    expect(page.locator("[data-text-layer]")).to_contain_text("First page of the evidence")
    page.locator("[data-frame]").focus()
    page.keyboard.press("ArrowLeft")  # forward, right to left
    expect(canvas).to_have_attribute("data-drawn", "2")
    page.keyboard.press("ArrowRight")
    expect(canvas).to_have_attribute("data-drawn", "1")
    shoot(page, "03-arabic")
    assert problems == []


def test_a_scanned_page_is_drawn(page: Page, assignment, shoot):
    problems: list[str] = []
    open_preview(page, assignment, problems, name="scan.pdf")
    expect(page.locator("[data-canvas]")).to_have_attribute("data-drawn", "1")
    # The black box of the image, not only the white page.
    page.wait_for_function(f"({INK})() > 10000")
    shoot(page, "04-scan")
    assert problems == []
