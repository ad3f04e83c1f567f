"""The admin's tabular inlines label their inputs for screen readers (backoffice/admin_site.py).

Django names a tabular inline's columns in the table's header only; each input gets its
column's label as ``aria-label`` (axe's rules « label » and « select-name », WCAG 1.3.1, 4.1.2).
"""

import re

import pytest
from django.urls import reverse

from members.tests.factories import ContactFactory, MemberFactory
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db


def test_every_visible_input_of_a_tabular_inline_has_its_column_label(personnel_client):
    member = MemberFactory(name="Coopérative Alpha", fiscal_years=[FiscalYear(2016)])
    ContactFactory(member=member, first_name="Anne", last_name="Alpha")
    html = personnel_client.get(reverse("admin:members_member_change", args=[member.pk])).content.decode()

    def tag(element_id):
        return re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{element_id}"[^>]*>', html)[0]

    assert 'aria-label="Prénom"' in tag("id_contacts-0-first_name")
    assert 'aria-label="Supprimer"' in tag("id_contacts-0-DELETE")
    assert "aria-label=" in tag("id_memberships-0-fiscal_year")
    # The empty row the « Ajouter » link copies, too.
    assert 'aria-label="Prénom"' in tag("id_contacts-__prefix__-first_name")
    # Hidden inputs need no label; the main form's fields have their <label>.
    assert "aria-label" not in tag("id_contacts-0-id")
    assert "aria-label" not in tag("id_name")
    for element in re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="id_(?:contacts|memberships)-\d+-[^"]+"[^>]*>', html):
        assert 'type="hidden"' in element or "aria-label=" in element, element
