"""Post admin forms the way a browser does: every field of the page, as shown, with some changed."""

from django.urls import reverse


def _field_values(form):
    data = {}
    for bound in form:
        # A browser sends no file it was not given; a disabled field is not sent at all.
        if bound.field.disabled or getattr(bound.field.widget, "input_type", None) == "file":
            continue
        value = bound.value()
        name = bound.html_name
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif value is None:
            data[name] = ""
        else:
            data[name] = str(value)
    return data


def page_data(response):
    """Return the data an unchanged submit of the admin page in ``response`` would post, inlines included."""
    context = response.context
    data = _field_values(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_field_values(formset.management_form))
        for form in formset.forms:
            data.update(_field_values(form))
    return data


def add_inline_row(data, prefix, values):
    """Add one row to the inline ``prefix`` of ``data`` (as « Ajouter un objet … » does)."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = value
    return data


def save_change_page(client, model, obj, *, changes=None, inline_rows=None):
    """Open ``obj``'s admin change page, change ``changes``, add ``inline_rows`` ({prefix: [values]}), save.

    Returns the response of the save, which redirects when the admin accepted it.
    """
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    data = page_data(client.get(url))
    data.update(changes or {})
    for prefix, rows in (inline_rows or {}).items():
        for values in rows:
            add_inline_row(data, prefix, values)
    data["_save"] = "Enregistrer"
    return client.post(url, data)
