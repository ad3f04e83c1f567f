"""The suite's parallel run keeps together the tests that share one costly fixture.

``make test`` runs ``--dist loadgroup``: the modules marked ``xdist_group("demo-report")`` share one
render of the demo report, and the accessibility audits one demo site, in one worker. pytest 9.2
broke the grouping silently (pytest-xdist 3.8 adds the group to a node id pytest no longer reads):
each worker then rendered the report again, minutes of the suite. This test fails if that returns.
"""

import pytest

pytestmark = pytest.mark.xdist_group("demo-report")


def test_a_grouped_test_is_scheduled_with_its_group(request):
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("not run by pytest-xdist with --dist loadgroup (make test does)")
    assert request.node.nodeid.endswith("@demo-report"), request.node.nodeid
