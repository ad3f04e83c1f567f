"""The member portal's profile form used with the keyboard only, in a real headless Chromium.

A member representative tabs from the top of the page: every field of the form and its
« Enregistrer » button come in reading order, each shows a focus indicator (an outline or a
halo that is not there unfocused, 3:1 against the panel, WCAG 1.4.11 and 2.4.7), and the
form is sent with the keyboard.

The live server sees only committed data, so these tests use a transactional database,
emptied after each test (conftest.py's ``e2e_demo``).
"""

import io
import re

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from conftest import DESKTOP, E2E_PASSWORD
from demo.data import DEMO_MEMBER
from members.models import Member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The profile form's controls in reading order: the member has a logo (``with_logo``), hence
# the « Remove the current image » box before the file input.
PROFILE_CONTROLS = [
    "id_description",
    "id_sector",
    "logo-clear_id",
    "id_logo",
    "id_address",
    "id_phone",
    "id_email",
    "id_website",
    "id_directory_consent",
    "id_news_consent",
    "privacy-link",  # the privacy policy's link, in the notice under the consents
    "save",
]

# The style of the focused element (or of the one given), as the focus indicator shows it.
FOCUS_STYLE = """(element) => {
    element = element || document.activeElement;
    const style = getComputedStyle(element);
    return {
        outline: [style.outlineStyle, style.outlineWidth, style.outlineColor].join(' '),
        outlineVisible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        outlineColor: style.outlineColor,
        boxShadow: style.boxShadow,
        borderColor: style.borderColor,
    };
}"""

# The colour behind an element: the first ancestor's that is not transparent.
BACKGROUND = """(element) => {
    for (let node = element.parentElement; node; node = node.parentElement) {
        const colour = getComputedStyle(node).backgroundColor;
        if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
    }
    return 'rgb(255, 255, 255)';
}"""


def rgb(colour):
    """'rgb(15, 92, 115)' or 'rgba(…, 0.5)' → (r, g, b, alpha)."""
    values = [float(v) for v in re.findall(r"[\d.]+", colour)]
    return (*values[:3], values[3] if len(values) > 3 else 1.0)


def luminance(red, green, blue):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(foreground, background):
    """WCAG contrast ratio of ``foreground`` (blended over ``background`` when translucent)."""
    *front, alpha = rgb(foreground)
    back = rgb(background)[:3]
    blended = [alpha * f + (1 - alpha) * b for f, b in zip(front, back)]
    lighter, darker = sorted([luminance(*blended), luminance(*back)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def control_name(page):
    """The focused element's id (or name, or tag), or None on the page's body."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return !e || e === document.body ? null : (e.id || e.name || e.tagName.toLowerCase()); }"
    )


@pytest.fixture
def with_logo(e2e_demo):
    """The demo member with a logo (the demo generates none), as most members have."""
    buffer = io.BytesIO()
    Image.new("RGB", (240, 160), "#3d6b7a").save(buffer, format="PNG")
    member = Member.objects.get(name=DEMO_MEMBER)
    member.logo.save("logo.png", ContentFile(buffer.getvalue()), save=True)
    return member


def test_the_profile_form_is_reachable_visible_and_sent_with_the_keyboard(with_logo, new_page):
    page = new_page(DESKTOP)
    page.goto("/connexion/")
    page.get_by_label("Adresse courriel").fill("membre@exemple.org")
    page.get_by_label("Mot de passe").fill(E2E_PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    page.wait_for_url(re.compile(r"/membre/$"))
    page.goto("/membre/profil/")

    # Each control unfocused, before the first Tab.
    selectors = {"save": "main form button[type=submit]", "privacy-link": "main form[enctype] a[href=\"/confidentialite/\"]"}
    unfocused = {
        name: page.locator(selectors.get(name, f"#{name}")).evaluate(FOCUS_STYLE) for name in PROFILE_CONTROLS
    }

    # Tab from the top of the page (skip link, menus, the portal's tabs) to the form's button.
    reached, styles, problems = [], {}, []
    for _ in range(60):
        page.keyboard.press("Tab")
        name = control_name(page)
        if page.evaluate("() => document.activeElement.closest('main form[enctype]') !== null"):
            if page.evaluate("() => document.activeElement.type === 'submit'"):
                name = "save"
            elif name == "a":
                name = "privacy-link"
            reached.append(name)
            # Bootstrap eases the halo in: read the style once the transition is over.
            page.wait_for_function(
                "() => document.activeElement.getAnimations().every(a => a.playState === 'finished')"
            )
            styles[name] = page.evaluate(FOCUS_STYLE, None)
            background = page.evaluate(BACKGROUND, page.evaluate_handle("document.activeElement"))
            style = styles[name]
            if style == unfocused.get(name):
                problems.append(f"{name}: no focus indicator (same style focused and unfocused)")
            elif style["outlineVisible"]:
                ratio = contrast(style["outlineColor"], background)
                if ratio < 3:
                    problems.append(f"{name}: outline {style['outline']} reads {ratio:.1f}:1 on {background}")
            elif style["boxShadow"] == "none":
                problems.append(f"{name}: neither outline nor halo when focused")
            else:
                ratio = contrast(re.search(r"rgba?\([^)]*\)", style["boxShadow"])[0], background)
                if ratio < 3:
                    problems.append(f"{name}: halo {style['boxShadow']} reads {ratio:.1f}:1 on {background}")
        if name == "id_website":
            page.keyboard.press("Control+A")
            page.keyboard.type("https://deux-rives.exemple.org")  # a change to save
        if name == "save":
            break

    assert reached == PROFILE_CONTROLS
    assert not problems, "\n".join(problems)

    # The focus is on « Enregistrer »: Enter sends the form.
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/membre/$"))
    assert "profil de votre organisation a été enregistré" in page.locator(".alert-success").inner_text()
    assert Member.objects.get(name=DEMO_MEMBER).website == "https://deux-rives.exemple.org"


def test_space_on_a_checkbox_and_on_the_button(with_logo, new_page):
    """Space ticks the directory consent box and presses « Enregistrer » (a button, not a link)."""
    member = Member.objects.get(name=DEMO_MEMBER)
    consent = member.directory_consent
    page = new_page(DESKTOP)
    page.goto("/connexion/")
    page.get_by_label("Adresse courriel").fill("membre@exemple.org")
    page.get_by_label("Mot de passe").fill(E2E_PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    page.wait_for_url(re.compile(r"/membre/$"))
    page.goto("/membre/profil/")
    page.locator("#id_website").focus()
    page.keyboard.press("Tab")
    assert control_name(page) == "id_directory_consent"
    page.keyboard.press("Space")
    # On to « Enregistrer », past the news consent (left unticked) and the privacy policy's link.
    passed = []
    for _control in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type") == "submit":
            break
        passed.append(control_name(page))
    assert passed == ["id_news_consent", "a"]  # the box, then the privacy policy's link
    assert page.evaluate("() => document.activeElement.type") == "submit"
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"/membre/$"))
    assert "profil de votre organisation a été enregistré" in page.locator(".alert-success").inner_text()
    member.refresh_from_db()
    assert member.directory_consent is not consent
