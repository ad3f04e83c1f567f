"""The personal fields of the annual report (pole/privacy.py): who signs the messages, who took the cover photo."""

from django.utils.translation import gettext_lazy as _

from pole.privacy import not_personal, register

register(
    "reports.signatory",
    ["name", "role"],
    category="role",
    purpose=_("print who signs the report's messages"),
    seen_by="public",
    retention=_("kept with the annual reports, which are the network's archives"),
)
register(
    "reports.annualreport",
    ["cover_photo_credit"],
    category="identity",
    purpose=_("credit the photographer of the report's cover"),
    seen_by="public",
    retention=_("kept with the annual reports, which are the network's archives"),
)
not_personal(
    "reports.annualreport", ["cover_photo", "cover_photo_description"], reason="The cover's photo and its description."
)
not_personal("reports.reportmessage", ["body"], reason="A message of the report, published.")
not_personal("reports.sectionintro", ["body", "photo", "photo_caption"], reason="A section's text and photo.")
not_personal("reports.declaredfigure", ["note"], reason="The source of a declared figure.")
