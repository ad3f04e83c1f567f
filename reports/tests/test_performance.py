"""Performance: the cached PDF, constant query counts, and the benchmark command (``bench_report``)."""

import json
import os
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity
from demo.loader import load_demo
from members.models import Member
from members.tests.factories import MemberFactory, UserFactory
from performance import benchmark
from pole.identity import get_identity
from reports import pdf
from reports.pdf import render_report_html, render_report_pdf
from reports.report import build_report_context

REPORT_QUERIES = 29  # 28, and whether the year's renewal campaign is open (a year in progress says so)


@pytest.fixture
def weasyprint_runs(monkeypatch):
    """Count the PDFs WeasyPrint actually renders (the real renderer still runs)."""
    calls = []
    real = pdf.html_to_pdf

    def counting(html, context, **kwargs):
        calls.append(html)
        return real(html, context, **kwargs)

    monkeypatch.setattr(pdf, "html_to_pdf", counting)
    return calls


@pytest.mark.django_db
def test_unchanged_report_comes_from_the_cache_and_any_change_renders_again(weasyprint_runs):
    load_demo()
    first = render_report_pdf("2016-2017")
    assert first.startswith(b"%PDF")
    assert render_report_pdf("2016-2017") == first
    assert len(weasyprint_runs) == 1

    activity = Activity.objects.in_fiscal_year("2016-2017").reported().first()
    activity.title = "Formation en comptabilité à Portneuf, deuxième édition"
    activity.save()
    after_activity = render_report_pdf("2016-2017")
    assert len(weasyprint_runs) == 2
    assert after_activity != first
    assert "deuxième édition" in weasyprint_runs[-1]
    assert render_report_pdf("2016-2017") == after_activity
    assert len(weasyprint_runs) == 2

    # A member moving to a rural setting changes the year's rural share, hence the PDF.
    member = Member.objects.in_fiscal_year("2016-2017").filter(setting=Member.Setting.URBAN).first()
    member.setting = Member.Setting.RURAL
    member.save()
    after_member = render_report_pdf("2016-2017")
    assert len(weasyprint_runs) == 3
    assert after_member not in (first, after_activity)


@pytest.mark.django_db
def test_a_replaced_image_file_renders_again(weasyprint_runs, media_root):
    from reports.tests.factories import give_portraits_and_logos

    load_demo()
    give_portraits_and_logos()
    first = render_report_pdf("2016-2017")
    printed = re.search(r'src="/media/([^"]+)"', weasyprint_runs[0]).group(1)
    logo = media_root / printed
    stat = logo.stat()
    os.utime(logo, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    render_report_pdf("2016-2017")
    assert len(weasyprint_runs) == 2
    assert render_report_pdf("2016-2017", use_cache=False).startswith(b"%PDF")
    assert len(weasyprint_runs) == 3
    assert first.startswith(b"%PDF")


@pytest.mark.django_db
def test_report_html_runs_the_same_few_queries_at_any_size(django_assert_num_queries):
    created = benchmark.Created()
    territories, objectives = benchmark.reference_data(created)
    benchmark.write_reports(created, objectives)
    benchmark.write_units(created, 0, 1, territories, objectives)
    year = benchmark.REPORT_YEAR
    small = Activity.objects.in_fiscal_year(year).count()
    get_identity()  # read once, then from the cache: both renders below count the same
    with django_assert_num_queries(REPORT_QUERIES):
        render_report_html(build_report_context(year))

    benchmark.write_units(created, 1, 8, territories, objectives)
    assert Activity.objects.in_fiscal_year(year).count() >= 5 * small
    with django_assert_num_queries(REPORT_QUERIES):
        html = render_report_html(build_report_context(year))
    assert "Bench activité 0007-" in html
    assert REPORT_QUERIES <= 30


@pytest.mark.django_db
def test_admin_changelists_run_the_same_queries_at_any_size(client, django_assert_num_queries):
    created = benchmark.Created()
    territories, objectives = benchmark.reference_data(created)
    benchmark.write_units(created, 0, 1, territories, objectives)
    client.force_login(UserFactory(email="admin@exemple.org", is_staff=True, is_superuser=True))
    urls = [reverse(name) for name in benchmark.CHANGELISTS.values()]
    counts = {}
    for url in urls:
        assert client.get(url).status_code == 200  # warm: content types, permissions
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts[url] = len(captured.captured_queries)

    benchmark.write_units(created, 1, 6, territories, objectives)
    assert Activity.objects.count() > 100  # more than a page of the list
    for url in urls:
        with django_assert_num_queries(counts[url]):
            response = client.get(url)
        assert response.status_code == 200


@pytest.mark.django_db
def test_bench_report_refuses_a_database_holding_data():
    MemberFactory()
    with pytest.raises(CommandError, match="--force"):
        call_command("bench_report", "--scale", "1")


@pytest.mark.slow
@pytest.mark.django_db
def test_bench_report_smoke(tmp_path, capsys):
    output = tmp_path / "bench.json"
    call_command("bench_report", "--scale", "1", "--runs", "1", "--import-rows", "200", "--json", str(output))
    results = json.loads(output.read_text(encoding="utf-8"))
    for key in [
        "scale",
        "queries_html_base",
        "queries_html_scaled",
        "html_seconds_base",
        "html_seconds_scaled",
        "pdf_seconds",
        "pdf_bare_seconds",
        "pdf_overhead_ratio",
        "pdfa_seconds",
        "pdfa_ratio",
        "admin_queries_base",
        "admin_queries_scaled",
        "import_rows_per_second",
        "import_ratio_vs_bulk",
        "member_import_rows_per_second",
        "member_import_ratio_vs_bulk",
        "publish_request_seconds",
        "publish_request_queries",
        "publish_task_seconds",
    ]:
        assert key in results, key
    # The click queued its publication (nothing rendered in the request); the task made the version.
    assert "publish_error" not in results and results["publish_pages"] > 1
    assert results["publish_request_queries"] <= 25
    assert results["publish_request_seconds"] > 0 and results["publish_task_seconds"] > 0
    assert results["scale"] == 1
    assert results["queries_html_base"] == results["queries_html_scaled"] == REPORT_QUERIES
    assert results["admin_queries_base"] == results["admin_queries_scaled"]
    assert results["pdf_seconds"] > 0 and results["pdf_bare_seconds"] > 0
    assert results["pdfa_seconds"] > 0
    assert results["pdfa_ratio"] == round(results["pdfa_seconds"] / results["pdf_seconds"], 3)
    assert results["import_rows"] == 200 and results["import_rows_per_second"] > 0
    assert results["member_import_rows"] == 200 and results["member_import_rows_per_second"] > 0
    assert "pdf_error" not in results
    assert "queries_html_base" in capsys.readouterr().out
    # The import ran in a transaction rolled back at once: none of its rows stayed.
    assert not Activity.objects.filter(title__startswith="Bench import").exists()
    assert not Member.objects.filter(name__startswith="Bench import").exists()
