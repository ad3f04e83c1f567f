"""The house's import rules (README, « The house »), enforced with import-linter.

``tests/importlinter.ini`` holds the contracts: imports point down (the base imports no
app but for its root URL file; the annual report and the back office stand above the
apps), no view module imports another app's view module, and no import loop inside a
package. A broken contract fails this test with import-linter's report of the imports
that break it.
"""

import configparser
from pathlib import Path

from django.conf import settings
from importlinter.cli import lint_imports

CONTRACTS = Path(__file__).with_name("importlinter.ini")


def test_imports_point_down_and_never_loop(capsys):
    status = lint_imports(config_filename=str(CONTRACTS), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert status == 0, report
    assert "Contracts: 3 kept, 0 broken." in report


def test_every_package_of_the_house_is_held_to_the_rules():
    """A new app must join the contracts, or its imports would go unchecked."""
    config = configparser.ConfigParser(inline_comment_prefixes=(";",))
    config.read(CONTRACTS, encoding="utf-8")
    listed = config["importlinter"]["root_packages"].split()
    # Every package of the project's own that holds an app (the base included).
    packages = [path.parent.name for path in Path(settings.BASE_DIR).glob("*/apps.py")]
    assert sorted(listed) == sorted(packages)
