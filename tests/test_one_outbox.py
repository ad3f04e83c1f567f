"""Every e-mail the app sends goes through the outbox (pole/outbox.py): no other code sends one itself.

Sending from a request or a task directly would bring back what the outbox removed: a mail
server down turning a saved action into an error, a message lost instead of retried, staff
blind to what failed. The test reads the code (not the tests, not the migrations) and lists any
call that sends mail by another way: ``send_mail``, ``send_mass_mail``, ``mail_admins``,
``mail_managers``, ``send_messages``, or ``.send()`` without a positional argument (an
``EmailMessage``'s; a signal's ``send`` takes its sender). Write ``outbox.enqueue(message)``.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["pole", "members", "partners", "activities", "reports", "backoffice", "demo", "performance"]
SENDERS = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "send_messages"}
THE_OUTBOX = ROOT / "pole" / "outbox.py"


def sending_calls(path, root=ROOT):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
        if name in SENDERS or (name == "send" and isinstance(function, ast.Attribute) and not node.args):
            yield f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(node)[:80]}"


def code_files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts or path == THE_OUTBOX:
                continue
            yield path


def test_no_code_sends_an_e_mail_but_the_outbox():
    found = [call for path in code_files() for call in sending_calls(path)]
    assert found == [], "Send these through pole.outbox.enqueue:\n" + "\n".join(found)


def test_the_check_finds_a_direct_send(tmp_path):
    sample = tmp_path / "sender.py"
    sample.write_text(
        "from django.core.mail import EmailMessage, send_mail\n"
        "EmailMessage('s', 'b', to=['a@exemple.org']).send()\n"
        "send_mail('s', 'b', None, ['a@exemple.org'])\n"
        "signal.send('sender')\n",
        encoding="utf-8",
    )
    assert [line.split(": ", 1)[0] for line in sending_calls(sample, root=tmp_path)] == ["sender.py:2", "sender.py:3"]
