"""The load test's machinery: figures, form reading, the lost-edit check, and one short real run."""

import pytest

from performance import launcher, loadtest
from performance.loadtest import Recorder, check_edits, form_fields, percentile


def test_percentile_is_nearest_rank():
    values = [0.5, 0.1, 0.4, 0.2, 0.3]
    assert percentile(values, 0.5) == 0.3
    assert percentile(values, 0.95) == 0.5
    assert percentile(list(range(1, 101)), 0.99) == 99
    assert percentile([7], 0.99) == 7
    assert percentile([], 0.5) is None


def test_summary_counts_requests_errors_and_rates():
    recorder = Recorder()
    for seconds in (0.1, 0.2, 0.3):
        recorder.request("directory-list", seconds)
    recorder.request("report-pdf", 2.0, "GET /rapports/2016-2017.pdf: status 500")
    summary = recorder.summary(elapsed=2.0)
    assert summary["requests_per_second"] == 2.0
    assert summary["overall"]["requests"] == 4
    assert summary["overall"]["p50_ms"] == 200.0
    assert summary["kinds"]["directory-list"] == {
        "requests": 3,
        "p50_ms": 200.0,
        "p95_ms": 300.0,
        "p99_ms": 300.0,
        "max_ms": 300.0,
    }
    assert summary["errors"] == 1 and summary["error_samples"][0]["kind"] == "report-pdf"


def edit(member, marker, outcome="accepted"):
    return {"member": member, "marker": marker, "description": f"texte [charge:{marker}]", "outcome": outcome}


M1, M2, M3 = "a" * 32, "b" * 32, "c" * 32


def test_check_edits_passes_when_the_last_accepted_edit_is_final_and_all_are_in_history():
    edits = [edit(1, M1), edit(1, M2), edit(2, M3)]
    final = {1: f"texte [charge:{M2}]", 2: f"texte [charge:{M3}]"}
    history = {1: [f"texte [charge:{M2}]", f"texte [charge:{M1}]", "avant"], 2: [f"texte [charge:{M3}]"]}
    assert check_edits(edits, final, history) == {
        "edits_sent": 3,
        "edits_accepted": 3,
        "edits_verified": 3,
        "lost": [],
    }


def test_check_edits_finds_an_overwritten_final_description():
    edits = [edit(1, M1), edit(1, M2)]
    final = {1: f"texte [charge:{M1}]"}  # the later accepted edit was lost
    history = {1: [f"texte [charge:{M1}]", f"texte [charge:{M2}]"]}
    result = check_edits(edits, final, history)
    assert result["lost"] == [{"member": 1, "marker": M2, "problem": "not the final description"}]


def test_check_edits_finds_an_edit_missing_from_the_history():
    edits = [edit(1, M1), edit(1, M2)]
    final = {1: f"texte [charge:{M2}]"}
    history = {1: [f"texte [charge:{M2}]"]}
    result = check_edits(edits, final, history)
    assert result["edits_verified"] == 1
    assert result["lost"] == [{"member": 1, "marker": M1, "problem": "missing from the history"}]


def test_check_edits_allows_a_later_unanswered_edit_to_be_final_but_not_a_refused_one():
    final = {1: f"texte [charge:{M2}]"}
    history = {1: [f"texte [charge:{M1}]", f"texte [charge:{M2}]"]}
    assert check_edits([edit(1, M1), edit(1, M2, "unknown")], final, history)["lost"] == []
    lost = check_edits([edit(1, M1), edit(1, M2, "refused")], final, history)["lost"]
    assert lost == [{"member": 1, "marker": M1, "problem": "not the final description"}]


PAGE = """
<form method="post" action="/deconnexion/"><input type="hidden" name="csrfmiddlewaretoken" value="t0"></form>
<form method="post" enctype="multipart/form-data">
  <input type="hidden" name="csrfmiddlewaretoken" value="t1">
  <textarea name="description">
Première ligne &amp; suite</textarea>
  <input type="text" name="sector" value="Alimentation">
  <input type="checkbox" name="directory_consent" checked>
  <input type="checkbox" name="other">
  <select name="territory"><option value="1">A</option><option value="2" selected>B</option></select>
  <input type="file" name="logo">
  <input type="submit" value="Enregistrer">
</form>
"""


def test_form_fields_reads_the_form_holding_the_field_as_a_browser_submits_it():
    assert form_fields(PAGE, "description") == {
        "csrfmiddlewaretoken": "t1",
        "description": "Première ligne & suite",
        "sector": "Alimentation",
        "directory_consent": "on",
        "territory": "2",
    }
    assert form_fields(PAGE, "username") == {}


def test_loadtest_database_url_never_names_the_configured_database():
    assert launcher.loadtest_database_url("postgres://u:p@h:5432/pole") == "postgres://u:p@h:5432/pole_loadtest"
    assert launcher.loadtest_database_url("sqlite:////srv/pole/db.sqlite3") == "sqlite:////srv/pole/db_loadtest.sqlite3"


def test_a_counted_run_ends_even_when_the_server_never_answers():
    """No server listens: the visitor's requests fail but count; the others cannot log in and give up."""
    base_url = f"http://127.0.0.1:{launcher.free_port()}"
    recorder, _elapsed = loadtest.drive(
        base_url,
        requests_per_kind=1,
        representatives=[{"email": "charge-0@charge.exemple.org", "member": 1}],
        visitors=1,
        listed=[1],
        password="x",
    )
    gave_up = sorted(error["kind"] for error in recorder.errors if error["error"].startswith("gave up"))
    assert gave_up == ["director", "representative"]
    assert {kind: len(timings) for kind, timings in recorder.timings.items()} == {
        "directory-list": 1,
        "directory-search": 1,
        "directory-detail": 1,
        "report-html": 1,
        # Each login attempt is a GET of the page that fails, until the step limit: 2 + 3 × 1 × kinds.
        "login": (2 + 3 * 2) + (2 + 3 * 1),
    }


def test_ab_figures_are_read_and_failures_refused(monkeypatch):
    import subprocess

    output = "Complete requests:      100\nFailed requests:        0\nRequests per second:    1234.56 [#/sec] (mean)\n"

    def fake_ab(arguments, **kwargs):
        return subprocess.CompletedProcess(arguments, 0, stdout=output, stderr="")

    monkeypatch.setattr(subprocess, "run", fake_ab)
    assert loadtest.ab_rate("http://127.0.0.1:1/", requests=100, concurrency=4) == 1234.56
    output = output.replace("Failed requests:        0", "Failed requests:        3")
    with pytest.raises(RuntimeError, match="3 of 100"):
        loadtest.ab_rate("http://127.0.0.1:1/", requests=100, concurrency=4)


def test_drive_needs_either_a_duration_or_counts():
    with pytest.raises(ValueError):
        loadtest.drive("http://127.0.0.1:1", representatives=[], visitors=0, listed=[], password="x")
    with pytest.raises(ValueError):
        loadtest.drive(
            "http://127.0.0.1:1",
            seconds=1,
            requests_per_kind=1,
            representatives=[],
            visitors=0,
            listed=[],
            password="x",
        )


@pytest.mark.slow
def test_a_short_real_run_serves_every_kind_without_error_or_lost_edit(tmp_path):
    """Two gunicorns (2 workers each) on a fresh SQLite file with the demo; each person makes 2 requests
    of each kind; first, 20 requests of each public page and of the bare view.

    Bounded by counts, not by the clock: on a busy machine the run takes longer, never does less.
    """
    results = loadtest.run(
        database_url=f"sqlite:///{tmp_path / 'load.sqlite3'}",
        requests_per_kind=2,
        representatives=2,
        visitors=2,
        workers=2,
        servers=2,
        page_requests=20,
        page_tool="client",
        workdir=tmp_path / "run",
        debug=True,  # spares collectstatic's minute and a half
        out=lambda line: None,
    )
    pages = results["page_rates"]["pages"]
    assert set(pages) == {
        "home",
        "directory",
        "member page",
        "calendar",
        "event page",
        "report list",
        "published report",
    }
    # Every public page was served from the cache once rendered, and each has a rate and a ratio.
    assert {page["cache"] for page in pages.values()} == {"hit"}
    assert all(page["requests_per_second"] > 0 and page["ratio"] > 0 for page in pages.values())
    assert results["page_rates"]["bare_view"]["mean"] > 0
    assert any(line.startswith("published report") for line in loadtest.report_lines(results))
    assert results["errors"] == 0, results["error_samples"]
    assert {kind: figures["requests"] for kind, figures in results["kinds"].items()} == {
        "login": 2 * (2 + 1),  # the page and the POST, for each representative and the director
        "profile-form": 2 * 2,
        "profile-save": 2 * 2,
        "directory-list": 2 * 2,
        "directory-search": 2 * 2,
        "directory-detail": 2 * 2,
        "report-html": 2 * 2,
        "report-pdf": 2,
    }
    assert results["edits"] == {"edits_sent": 4, "edits_accepted": 4, "edits_verified": 4, "lost": []}
    assert not loadtest.failed(results)
    assert not (tmp_path / "load.sqlite3").exists()  # the run's database is dropped after
