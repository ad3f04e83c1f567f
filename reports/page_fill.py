"""How the report's pages are composed: how full each is, and the composition rules they break.

Fill — each page rendered to an image, its text area measured.

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

Composition — ``check_pdf`` reads the PDF itself (its words and lines with their positions,
from poppler's ``pdftotext -bbox-layout``, and the named destinations WeasyPrint writes for
each element's ``id``) and returns each ``Violation`` of the rules of issue 24:

- ``half-empty``: an inner page whose content reaches less than half way down its text area,
  other than a chapter's last page;
- ``lone-chapter``: a chapter alone on a page it fills less than half, when it would have fit
  under the page before it (reports/pdf.py lets such a chapter follow that page);
- ``continuation``: a list or table split across pages without « (suite) » at the head of each
  page it runs onto (the template marks a list's start ``list-…`` and its end ``list-…-end``);
- ``orphan`` / ``widow``: a paragraph leaving a single line at the foot of a page, or a single
  line at the head of the next;
- ``hyphens``: more than ``MAX_HYPHENATED_LINES`` consecutive lines of a paragraph ending
  with a hyphen;
- ``chart``: an objective of the report neither in the chart « Participants par objectif »
  nor named by a note saying why it is absent.
"""

import re
import subprocess
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
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
# The room a chapter following the page before it takes besides its content, in per cent of the
# text area: the 26 pt above it (report-print.css, .flows), 4 %, and 2 % for the measure's rounding.
FLOW_ROOM = 6
# Consecutive hyphenated line ends allowed in a paragraph.
MAX_HYPHENATED_LINES = 2


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


def destinations(pdf_path):
    """The named destinations of the PDF: the 0-based index of the page each lies on, by name.

    WeasyPrint writes one for each ``id`` of the page, where the element's box starts.
    """
    with pikepdf.open(pdf_path) as pdf:
        names = pdf.Root.get("/Names")
        if names is None or "/Dests" not in names:
            return {}
        indexes = {page.objgen: index for index, page in enumerate(pdf.pages)}
        tree = pikepdf.NameTree(names.Dests)
        return {str(name): indexes[tree[name][0].objgen] for name in tree.keys()}


def chapter_pages(pdf_path):
    """The 0-based indexes of the pages where a ``chapter-…`` anchor lies, by anchor."""
    return {name: index for name, index in destinations(pdf_path).items() if name.startswith("chapter-")}


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


# --- Composition --------------------------------------------------------------------------------

POINTS_PER_INCH = 72
_XHTML = "{http://www.w3.org/1999/xhtml}"
# What a hyphenated line ends with: the report's hyphenate-character (report.css) or U+2010.
HYPHENS = ("-", "\u2010")
# A line ending thus ends its sentence, its heading or its list's introduction.
CLOSING = tuple(".!?:;»)…”")
# The running head a continued list prints (report-print.css, @top-left), in French and English.
CONTINUED = re.compile(r"\((?:suite|continued)\)")
KICKER = re.compile(r"(?:OBJECTIF STRATÉGIQUE|STRATEGIC OBJECTIVE) (\d+)")
CHART_TITLES = ("Participants par objectif", "Participants by objective")
# The chart's note on the objectives it leaves out (reports/report.py, _chart_notes).
ABSENT_NOTE = re.compile(
    r"objectifs? (.+?) (?:ne figure(?:nt)? pas au graphique|(?:is|are) not in the chart) ?: ?\S", re.IGNORECASE
)


@dataclass
class Violation:
    """A composition rule a page breaks: ``rule`` (``half-empty``, ``lone-chapter``,
    ``continuation``, ``orphan``, ``widow``, ``hyphens``, ``chart``), the page's number and what a
    reader sees there."""

    rule: str
    page: int
    detail: str

    def __str__(self):
        return f"page {self.page}: {self.rule}: {self.detail}"


@dataclass
class Line:
    text: str
    x_min: float
    x_max: float
    y_min: float
    y_max: float


@dataclass
class Paragraph:
    """Lines of one column set one under the other at the text's line spacing.

    Poppler's own blocks are not paragraphs: it may cut a paragraph's lines into blocks of one
    line, or join paragraphs. Lines are grouped again here by their left edge, their height (the
    size of their type) and the space between them: a space larger than the line spacing (a
    paragraph's margin, ``.text p``) starts another.
    """

    lines: list = field(default_factory=list)

    @property
    def x_min(self):
        return min(line.x_min for line in self.lines)

    @property
    def y_min(self):
        return self.lines[0].y_min

    @property
    def y_max(self):
        return self.lines[-1].y_max

    @property
    def text(self):
        return _join(line.text for line in self.lines)


@dataclass
class TextPage:
    """A page's text as poppler reads it: its paragraphs down the page, in PDF points."""

    index: int
    height: float
    paragraphs: list

    @property
    def number(self):
        return self.index + 1

    @property
    def text_top(self):
        return MARGINS[0] * POINTS_PER_INCH

    @property
    def text_bottom(self):
        return self.height - MARGINS[2] * POINTS_PER_INCH

    def body(self):
        """The paragraphs of the text area: neither the running head nor the footer."""
        return [p for p in self.paragraphs if p.y_max > self.text_top and p.y_min < self.text_bottom]

    def head(self):
        """The running head's text (above the text area): the draft mark, a list's « (suite) »."""
        return " ".join(p.text for p in self.paragraphs if p.y_max <= self.text_top)


def _join(texts):
    """Lines into one string: a line ending with a hyphen runs into the next."""
    joined = ""
    for text in texts:
        text = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
        joined += text if not joined or joined.endswith(HYPHENS) else " " + text
    return joined


def _paragraphs(lines):
    """Group a page's lines into paragraphs (see ``Paragraph``), ordered down the page.

    Lines with one left edge and one height form a column; down a column, the smallest space
    from line to line (if under one and a half lines) is the text's line spacing, and any larger
    space starts a paragraph.
    """
    columns = []
    for line in sorted(lines, key=lambda line: (line.y_min, line.x_min)):
        height = line.y_max - line.y_min
        for column in columns:
            first = column[0]
            if abs(first.x_min - line.x_min) < 1 and abs((first.y_max - first.y_min) - height) < 0.5:
                column.append(line)
                break
        else:
            columns.append([line])
    paragraphs = []
    for column in columns:
        height = column[0].y_max - column[0].y_min
        steps = [below.y_min - above.y_min for above, below in zip(column, column[1:])]
        pitch = min((step for step in steps if step > 0), default=None)
        if pitch is not None and pitch > 1.5 * height:
            pitch = None
        paragraphs.append(Paragraph([column[0]]))
        for line, step in zip(column[1:], steps):
            if pitch is None or step > pitch + 1:
                paragraphs.append(Paragraph())
            paragraphs[-1].lines.append(line)
    return sorted(paragraphs, key=lambda paragraph: (paragraph.y_min, paragraph.x_min))


def read_text_layout(pdf_path):
    """Each page's paragraphs with their lines' boxes (``pdftotext -bbox-layout``)."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for index, page in enumerate(ElementTree.fromstring(xhtml).iter(f"{_XHTML}page")):
        lines = [
            Line(
                " ".join(word.text or "" for word in line.iter(f"{_XHTML}word")),
                *(float(line.get(key)) for key in ("xMin", "xMax", "yMin", "yMax")),
            )
            for line in page.iter(f"{_XHTML}line")
        ]
        pages.append(TextPage(index, float(page.get("height")), _paragraphs(lines)))
    return pages


def _hyphenated(text):
    return text.endswith(HYPHENS) and len(text) > 1 and text[-2].isalnum()


def _continues(last, first):
    """Whether paragraph ``first`` (at the head of a page) goes on with ``last`` (at the foot of the one before).

    Yes when ``last`` ends with a hyphen, or on a full justified line (at the edge where two other
    lines of the paragraph end) without closing punctuation, or when ``first`` starts with a
    lower-case letter after a line without closing punctuation.
    """
    end = last.lines[-1]
    if _hyphenated(end.text):
        return True
    if end.text.endswith(CLOSING):
        return False
    # Justified text: lines that are not a paragraph's last end at one edge; two of them show it.
    inner = sorted(line.x_max for line in last.lines[:-1] + first.lines[:-1])
    edges = [right for left, right in zip(inner, inner[1:]) if right - left < 0.5]
    if edges and end.x_max >= max(edges) - 0.5:
        return True
    return first.lines[0].text[:1].islower()


def _half_empty(fills):
    return [
        Violation("half-empty", page.number, f"the content reaches {page.reach:.0f} % of the text area")
        for page in fills
        if not page.may_be_light and page.reach < MIN_REACH
    ]


def _lone_chapters(fills):
    found = []
    for previous, page in zip(fills, fills[1:]):
        if (
            page.opens_chapter
            and page.ends_chapter
            and not (page.is_cover or previous.is_cover)
            and page.reach < MIN_REACH
            and previous.reach + page.reach + FLOW_ROOM <= 100
        ):
            found.append(
                Violation(
                    "lone-chapter",
                    page.number,
                    f"a chapter alone on a page it fills to {page.reach:.0f} %, which fits under page "
                    f"{previous.number} (filled to {previous.reach:.0f} %)",
                )
            )
    return found


def _continuations(pages, anchors):
    """A list (``list-…`` … ``list-…-end``) running onto a page whose head does not say « (suite) »."""
    found = []
    for name, start in sorted(anchors.items(), key=lambda item: item[1]):
        end = anchors.get(f"{name}-end")
        if not name.startswith("list-") or name.endswith("-end") or end is None:
            continue
        for index in range(start + 1, end + 1):
            if not CONTINUED.search(pages[index].head()):
                found.append(
                    Violation(
                        "continuation",
                        index + 1,
                        f"the list {name} runs on from page {start + 1} without « (suite) » at the page's head",
                    )
                )
    return found


def _widows_and_orphans(pages, covers):
    found = []
    for page, following in zip(pages, pages[1:]):
        if page.index in covers or following.index in covers:
            continue
        body, next_body = page.body(), following.body()
        if not body or not next_body:
            continue
        last = max(body, key=lambda paragraph: paragraph.y_max)
        first = min(next_body, key=lambda paragraph: paragraph.y_min)
        if abs(first.x_min - last.x_min) > 2 or not _continues(last, first):
            continue
        if len(last.lines) == 1:
            found.append(Violation("orphan", page.number, f"one line of a paragraph at the foot: « {last.text} »"))
        if len(first.lines) == 1:
            found.append(Violation("widow", following.number, f"one line of a paragraph at the head: « {first.text} »"))
    return found


def _hyphen_ladders(pages, covers):
    found = []
    for page in pages:
        if page.index in covers:
            continue
        for paragraph in page.body():
            run = []
            for line in paragraph.lines[:-1]:
                run = [*run, line] if _hyphenated(line.text) else []
                if len(run) == MAX_HYPHENATED_LINES + 1:
                    ends = " / ".join(line.text.rsplit(" ", 1)[-1] for line in run)
                    found.append(
                        Violation(
                            "hyphens",
                            page.number,
                            f"more than {MAX_HYPHENATED_LINES} hyphenated line ends in a row: {ends}",
                        )
                    )
    return found


def _objectives(pages):
    """The report's objectives as printed: (number, name) from each « Objectif stratégique N » and its title."""
    found = {}
    paragraphs = [paragraph for page in pages for paragraph in page.paragraphs]
    for paragraph, title in zip(paragraphs, paragraphs[1:]):
        match = KICKER.fullmatch(paragraph.text)
        if match:
            found[int(match[1])] = title.text
    return sorted(found.items())


def _chart_omissions(pages):
    """An objective neither in the chart of participants by objective nor named by a note saying why."""
    for page in pages:
        titles = [paragraph for paragraph in page.paragraphs if paragraph.text in CHART_TITLES]
        if titles:
            break
    else:
        return []  # no chart: nothing left out of it
    title = titles[0]
    # The chart's labels: the column under its title, down to the first wide gap.
    labels, bottom = [], title.y_max
    for paragraph in sorted(page.paragraphs, key=lambda paragraph: paragraph.y_min):
        if abs(paragraph.x_min - title.x_min) < 2 and bottom < paragraph.y_min < bottom + 20:
            labels.append(paragraph.text)
            bottom = paragraph.y_max
    shown = " | ".join(labels)
    below = _join(paragraph.text for paragraph in page.paragraphs if paragraph.y_min > title.y_max)
    explained = " ".join(match[1] for match in ABSENT_NOTE.finditer(below))
    return [
        Violation("chart", page.number, f"objective {number} ({name}) is not in the chart and no note says why")
        for number, name in _objectives(pages)
        if name not in shown and f"{number} ({name})" not in explained
    ]


@dataclass
class Composition:
    """What ``check_pdf`` found: each page's fill and every violation, in page order."""

    pages: list
    violations: list


def check_pdf(pdf_path):
    """Measure the report PDF at ``pdf_path`` and check its composition rules (see the module)."""
    fills = measure_pdf(pdf_path)
    anchors = destinations(pdf_path)
    covers = {anchors[name] for name in ("chapter-cover", "chapter-back-cover") if name in anchors}
    pages = read_text_layout(pdf_path)
    violations = [
        *_half_empty(fills),
        *_lone_chapters(fills),
        *_continuations(pages, anchors),
        *_widows_and_orphans(pages, covers),
        *_hyphen_ladders(pages, covers),
        *_chart_omissions(pages),
    ]
    return Composition(fills, sorted(violations, key=lambda violation: violation.page))


def format_violations(violations):
    """One line per violation, or a line saying there is none."""
    if not violations:
        return "No composition rule broken."
    return "\n".join(str(violation) for violation in violations)
