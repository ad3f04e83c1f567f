from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.mail import EmailMessage
from django.utils.translation import gettext_lazy as _

from pole import outbox
from pole.forms import ControlCharacterFormMixin, privacy_notice_html
from pole.identity import from_address
from pole.text import normalize_email_identifier

from .models import Contact, Member


class EmailAuthenticationForm(AuthenticationForm):
    """The login form: an e-mail address and a password."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Enter a correct e-mail address and password. Note that the password is case-sensitive."),
    }

    def clean_username(self):
        # The account's key, as django-axes counts it (members/lockout.py).
        return normalize_email_identifier(self.cleaned_data["username"])


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's password reset, its e-mail written to the outbox (a mail server down fails nothing).

    The message carries the reset link: staff never read it in the outbox (``sensitive``).
    """

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject, body = outbox.render_email(subject_template_name, email_template_name, context)
        outbox.enqueue(
            EmailMessage(subject, body, from_email or from_address(), to=[to_email]),
            kind="accounts.password_reset",
            sensitive=True,
        )


NEWS_CONSENT_WORDING = _(
    "I agree to receive the network’s news by e-mail (at most once a month). I can unsubscribe at any time."
)


class MemberProfileForm(ControlCharacterFormMixin, forms.ModelForm):
    """What a representative may change of their organisation: its public profile.

    Two consents, separate and off until given: the organisation's listing in the directory
    (a model field) and the representative's own news e-mails (``news_consent``, recorded by
    the view).
    """

    news_consent = forms.BooleanField(label=NEWS_CONSENT_WORDING, required=False)

    class Meta:
        model = Member
        fields = ["description", "sector", "address", "phone", "email", "website", "directory_consent", "logo"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "address": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "sector": _("Not in the list? Ask the network's staff to add it."),
            "description": _("A few sentences about what the organisation does, shown in the public directory."),
            "website": _("For example https://www.exemple.org"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("Presentation"), "description", "sector", Field("logo")),
            Fieldset(
                _("Contact details"),
                "address",
                Div(Div("phone", css_class="col-md-6"), Div("email", css_class="col-md-6"), css_class="row"),
                "website",
            ),
            Fieldset(_("Public directory"), "directory_consent"),
            Fieldset(_("Your e-mails"), "news_consent"),
            HTML(
                privacy_notice_html(
                    _(
                        "The network uses these details to reach your organisation and to prepare its annual report; "
                        "the directory shows them only if you tick the box. They are kept while you are a member."
                    )
                )
            ),
        )


class ContactForm(ControlCharacterFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "role", "email", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Div(Div("first_name", css_class="col-md-6"), Div("last_name", css_class="col-md-6"), css_class="row"),
            "role",
            Div(Div("email", css_class="col-md-6"), Div("phone", css_class="col-md-6"), css_class="row"),
            HTML(
                privacy_notice_html(
                    _(
                        "The network uses these details to reach this person about your membership, dues and events. "
                        "They are kept while your organisation is a member, then anonymised %(years)s years after its last membership; let the person know."
                    )
                    % {"years": settings.POLE_RETENTION_FORMER_MEMBER_YEARS}
                )
            ),
            Submit("save", _("Save"), css_class="btn-primary"),
        )


class DirectorySearchForm(ControlCharacterFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    territory = forms.ChoiceField(label=_("Territory"), required=False)

    def __init__(self, *args, sectors=(), territories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", _("All sectors")), *((str(s.pk), s.name) for s in sectors)]
        self.fields["territory"].choices = [("", _("All territories")), *((str(t.pk), t.name) for t in territories)]
        self.fields["q"].widget.attrs["placeholder"] = _("Name, sector or keyword")


class RenewalForm(forms.Form):
    """The representative confirms the profile is current; the invoice is then issued."""

    confirm = forms.BooleanField(
        label=_("I have reviewed our organisation's profile above and it is current."),
        error_messages={"required": _("Confirm that the profile is current, or update it first.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
