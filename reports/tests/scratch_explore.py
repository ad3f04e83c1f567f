import subprocess
from django.utils import translation
from reports.demo import load_demo
from reports.pdf import render_report_pdf, render_report_html
from reports.report import build_report_context

def test_dump(db):
    load_demo(images=False)
    with translation.override("fr-ca"):
        ctx = build_report_context("2016-2017")
        open("/tmp/scratch/r.html", "w").write(render_report_html(ctx, for_print=True))
        pdf = render_report_pdf("2016-2017", context=ctx)
    open("/tmp/scratch/r.pdf", "wb").write(pdf)
    for t in ctx["portrait_tiles"] + ctx["highlight_tiles"]:
        print(repr(t))
    for s in ctx["sections"]:
        for a in s.activities:
            print(repr(a))
