"""Partners hold no personal information: organisations, their logos and committees (pole/privacy.py)."""

from pole.privacy import not_personal

not_personal("partners.organisation", ["name", "logo"], reason="An organisation's name and logo.")
not_personal("partners.committeeseat", ["name"], reason="A committee's name.")
