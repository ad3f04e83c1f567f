"""Forms of the public calendar, the registration, the door and the staff e-mail."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout, Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from members.forms import NEWS_CONSENT_WORDING
from members.models import Member, Territory
from pole.collation import french_order
from pole.forms import ControlCharacterFormMixin, privacy_notice_html
from pole.text import normalize_email_identifier

from .models import Objective, Registration

HONEYPOT_FIELD = "site_web"


class CalendarFilterForm(forms.Form):
    objective = forms.ModelChoiceField(
        label=_("Objective"),
        queryset=Objective.objects.all(),
        required=False,
        empty_label=_("All objectives"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.all(),
        required=False,
        empty_label=_("All territories"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def member_choices():
    """Every member, for staff (the door)."""
    return Member.objects.order_by(french_order("name")).only("pk", "name")




class PersonFieldsMixin(ControlCharacterFormMixin):
    """Name, e-mail, organisation (a member or free text) and phone, shared by registration and walk-in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = member_choices()
        self.fields["member"].empty_label = _("— not a member (write the organisation below) —")
        self.fields["member"].label = _("Member organisation")

    def clean_email(self):
        return normalize_email_identifier(self.cleaned_data.get("email"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("member") is not None:
            cleaned["organisation"] = ""
        return cleaned


class RegistrationForm(PersonFieldsMixin, forms.ModelForm):
    """The public registration form; ``site_web`` is a honeypot that people never see."""

    site_web = forms.CharField(label=_("Leave this field empty"), required=False)
    # Separate, specific and off by default (Québec's act, s. 14; Canada's anti-spam law).
    news_consent = forms.BooleanField(label=NEWS_CONSENT_WORDING, required=False, initial=False)

    class Meta:
        model = Registration
        fields = ["name", "email", "member", "organisation", "phone", "needs"]
        widgets = {"needs": forms.Textarea(attrs={"rows": 2})}
        labels = {"name": _("First and last name")}
        help_texts = {"needs": _("Optional: allergies, diet, accessibility, …")}

    def __init__(self, *args, activity, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.fields["email"].required = True
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.fields[HONEYPOT_FIELD].widget.attrs.update(tabindex="-1", autocomplete="off")
        if member is not None:
            # A representative registers for their own organisation.
            self.fields["member"].queryset = Member.objects.filter(pk=member.pk)
            self.fields["member"].initial = member.pk
            self.fields["member"].disabled = True
            self.fields["member"].empty_label = None
            del self.fields["organisation"]
        else:
            # Registering as a member needs proof: a representative logged in to the portal.
            # Anyone else registers as a non-member, naming their organisation; picking a member
            # from a list would let anyone register as any member, at the member price.
            del self.fields["member"]
            self.fields["organisation"].help_text = _(
                "A member organisation's representative logs in to the member portal first, to register for "
                "their organisation at the member price."
            )
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page writes the <form>: a second one inside it is invalid HTML
        layout = [Div(Div("name", css_class="col-md-6"), Div("email", css_class="col-md-6"), css_class="row")]
        if "member" in self.fields:
            layout.append("member")
        if "organisation" in self.fields:
            layout.append("organisation")
        layout += [
            "phone",
            "needs",
            "news_consent",
            HTML(
                privacy_notice_html(
                    _(
                        "These details serve to register you and tell you of any change; your needs, only to plan "
                        "the meal and access: they are erased %(days)s\u00a0days after the activity."
                    )
                    % {"days": settings.POLE_RETENTION_NEEDS_DAYS}
                )
            ),
            # The honeypot: out of sight and out of the tab order; a robot fills it.
            Div(Field(HONEYPOT_FIELD), css_class="visually-hidden", aria_hidden="true"),
            Submit("register", _("Register"), css_class="btn-primary"),
        ]
        self.helper.layout = Layout(*layout)

    def clean_organisation(self):
        organisation = self.cleaned_data.get("organisation", "")
        if not organisation:
            raise forms.ValidationError(_("Write the name of your organisation."))
        return organisation


class WalkInForm(PersonFieldsMixin, forms.ModelForm):
    """A person who came without registering, added at the door."""

    class Meta:
        model = Registration
        fields = ["name", "email", "member", "organisation", "phone"]
        labels = {"name": _("First and last name")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page writes the <form>
        self.helper.layout = Layout(
            "name",
            "email",
            "member",
            "organisation",
            "phone",
            Submit("add", _("Add as present"), css_class="btn-primary"),
        )


class RegistrantEmailForm(ControlCharacterFormMixin, forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 10}), max_length=10_000)
    include_waiting = forms.BooleanField(label=_("Also send to the waiting list"), required=False)

    def __init__(self, *args, recipients_note="", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page writes the <form>
        self.helper.layout = Layout(
            "subject",
            "body",
            "include_waiting",
            HTML(recipients_note),
            Submit("send", _("Send"), css_class="btn-primary"),
        )


class DoorSearchForm(ControlCharacterFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
