"""How full the report's pages are: each page rendered to an image, its text area measured.

For each page of a PDF, within the text area (the page less the print margins of
report-print.css, footer excluded):

- ``ink``: the share of the text area's pixels that are not paper white, in per cent;
- ``reach``: how far down the text area the page's content goes (its lowest inked pixel row),
  in per cent of the text area's height. A page whose reach is under 50 % is more than half
  empty.

A page that opens a chapter is found by the named destinations WeasyPrint writes for the
report's ``chapter-…`` anchors; the page before it ends a chapter and may be light, and so
may the covers, whose design is a full-bleed colour.

Pages are rendered with poppler's ``pdftoppm`` (Debian's poppler-utils), as a reader sees
them.
"""

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image

# The print margins (report-print.css, @page): top, right, bottom, left, in inches.
MARGINS = (0.75, 0.85, 0.85, 0.85)
# Rendering resolution: enough to see a line of text, fast.
DPI = 40
# A pixel counts as ink when any channel is darker than this (paper is 255).
PAPER_THRESHOLD = 235
# Pages other than the covers and a chapter's last page must reach this far down.
MIN_REACH = 50


@dataclass
class PageFill:
    number: int
    ink: float
    reach: float
    opens_chapter: bool
    ends_chapter: bool
    is_cover: bool

    @property
    def may_be_light(self):
        """A cover, or the last page of a chapter: deliberately light is allowed there."""
        return self.is_cover or self.ends_chapter


def chapter_pages(pdf_path):
    """The 0-based indexes of the pages where a ``chapter-…`` anchor lies, by anchor."""
    with pikepdf.open(pdf_path) as pdf:
        names = pdf.Root.get("/Names")
        if names is None or "/Dests" not in names:
            return {}
        indexes = {page.objgen: index for index, page in enumerate(pdf.pages)}
        tree = pikepdf.NameTree(names.Dests)
        found = {}
        for name in tree.keys():
            if name.startswith("chapter-"):
                destination = tree[name]
                found[name] = indexes[destination[0].objgen]
        return found


def _measure(image):
    width, height = image.size
    top, right, bottom, left = (round(margin * DPI) for margin in MARGINS)
    area = image.convert("L").crop((left, top, width - right, height - bottom))
    # Ink: pixels darker than paper. point() maps to 255 for ink, 0 for paper.
    mask = area.point(lambda value: 255 if value < PAPER_THRESHOLD else 0)
    histogram = mask.histogram()
    inked = histogram[255]
    box = mask.getbbox()
    reach = 0.0 if box is None else 100 * box[3] / area.size[1]
    return 100 * inked / (area.size[0] * area.size[1]), reach


def measure_pdf(pdf_path):
    """Return a ``PageFill`` for each page of the PDF at ``pdf_path``."""
    starts = chapter_pages(pdf_path)
    opening = set(starts.values())
    covers = {starts[name] for name in ("chapter-cover", "chapter-back-cover") if name in starts}
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf_path), f"{folder}/page"],
            check=True,
            capture_output=True,
        )
        files = sorted(Path(folder).glob("page-*.png"), key=lambda path: int(path.stem.split("-")[-1]))
        pages = []
        for index, path in enumerate(files):
            with Image.open(path) as image:
                ink, reach = _measure(image)
            pages.append(
                PageFill(
                    number=index + 1,
                    ink=ink,
                    reach=reach,
                    opens_chapter=index in opening,
                    ends_chapter=(index + 1) in opening or index == len(files) - 1,
                    is_cover=index in covers,
                )
            )
    return pages


def format_table(pages):
    """The measures as a plain-text table, one line per page."""
    lines = ["page  ink %  reach %  note"]
    for page in pages:
        notes = []
        if page.is_cover:
            notes.append("cover")
        elif page.ends_chapter:
            notes.append("ends a chapter")
        if page.opens_chapter and not page.is_cover:
            notes.append("opens a chapter")
        if not page.may_be_light and page.reach < MIN_REACH:
            notes.append(f"MORE THAN HALF EMPTY (reach < {MIN_REACH} %)")
        lines.append(f"{page.number:>4}  {page.ink:5.1f}  {page.reach:7.1f}  {', '.join(notes)}")
    return "\n".join(lines)
