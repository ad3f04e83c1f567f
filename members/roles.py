"""The staff roles of DESIGN.md as permission groups.

``sync_role_groups`` runs after every ``migrate`` (``post_migrate``, connected in
members/apps.py), as Django creates permissions: a change of the roles below takes
effect at the next ``migrate``, without a migration. It uses only the ``apps`` it is
given (the migrated state), and a flushed test database gets its groups back the same way.
"""

from django.contrib.auth.management import create_permissions

PERSONNEL = "Personnel"
DIRECTION = "Direction"

ALL = ("add", "change", "delete", "view")
VIEW = ("view",)

# app label -> model -> actions, for the Personnel group.
PERSONNEL_PERMISSIONS = {
    "members": {
        "territory": ALL,
        "sector": ALL,
        "member": ALL,
        "membership": ALL,
        "contact": ALL,
        "invitation": VIEW,
        "boardmandate": ALL,
        "staffmember": ALL,
        # Dues: staff issue and cancel invoices (a credit note is a new document) and record
        # payments; documents are never changed or deleted (members/billing/invoices.py).
        "duesrate": VIEW,
        "renewalcampaign": VIEW,
        "invoice": ("add", "view"),
        "payment": ("add", "view"),
        "duesnotice": VIEW,
    },
    "activities": {
        "objective": VIEW,
        "activity": ALL,
        "measure": ALL,
        "project": ALL,
        "projectyear": ALL,
        "campaign": ALL,
        "campaignmetric": ALL,
        "registration": ALL,
    },
    "partners": {
        "organisation": ALL,
        "partnership": ALL,
        "affiliation": ALL,
        "committeeseat": ALL,
    },
    "reports": {
        "annualreport": VIEW,
        "reportmessage": VIEW,
        "signatory": VIEW,
        "sectionintro": VIEW,
        "declaredfigure": VIEW,
    },
    # The network's identity (name, mark, contact details, colours): the Direction edits it.
    # Consents are recorded by staff (on paper, by e-mail, in person) and unsubscriptions too.
    "pole": {
        "networkidentity": VIEW,
        "outboxmessage": VIEW,
        "consentrecord": ("add", "change", "view"),
        "unsubscription": ("add", "view"),
    },
    # Login throttling: staff see who is locked out and unlock an account by deleting its
    # attempt (README, Production).
    "axes": {"accessattempt": ("view", "delete")},
}

# Direction: everything Personnel has, plus the reports, the objectives, the users and the
# logs of every login.
DIRECTION_PERMISSIONS = {
    **PERSONNEL_PERMISSIONS,
    "activities": {**PERSONNEL_PERMISSIONS["activities"], "objective": ALL},
    "reports": {model: ALL for model in PERSONNEL_PERMISSIONS["reports"]},
    "members": {**PERSONNEL_PERMISSIONS["members"], "user": ALL, "duesrate": ALL, "renewalcampaign": ALL},
    "auth": {"group": VIEW},
    # The person in charge of personal information (by default the director): requests, the
    # incident register, the log of exports.
    "pole": {
        **PERSONNEL_PERMISSIONS["pole"],
        "networkidentity": ("add", "change", "view"),
        "privacyrequest": ("add", "change", "view"),
        "confidentialityincident": ALL,
        "personaldataaccess": VIEW,
    },
    # The logs of logins and failures (e-mail and client addresses) are Direction's only.
    "axes": {**PERSONNEL_PERMISSIONS["axes"], "accesslog": VIEW, "accessfailurelog": VIEW},
}
# The outbox (pole.OutboxMessage): staff read what was sent, what waits and what failed, and send
# failed e-mails again; nobody edits or deletes a message (the retention job does).
PERSONNEL_EXTRA = [
    ("pole", "resend_outboxmessage"),
]
DIRECTION_EXTRA = [
    *PERSONNEL_EXTRA,
    ("reports", "publish_annualreport"),
    ("members", "open_renewalcampaign"),
    ("members", "print_good_standing"),
]


def _codenames(spec, apps):
    """The (app label, codename) pairs of ``spec`` whose model exists in ``apps``.

    An early migration runs with an older state, before some models exist; the later
    migration that calls ``sync_role_groups`` again grants what was skipped.
    """
    for app_label, models in spec.items():
        for model, actions in models.items():
            try:
                apps.get_model(app_label, model)
            except LookupError:
                continue
            for action in actions:
                yield app_label, f"{action}_{model}"


def sync_role_groups(apps):
    """Create or update the Personnel and Direction groups with exactly their permissions."""
    # Permissions are normally created after migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(pairs):
        found = []
        for app_label, codename in pairs:
            found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return found

    # An extra permission exists once its model's migration declaring it has run; an earlier
    # migration's state lacks it, and the later one that calls this again grants it.
    def existing(extra):
        return [
            (app_label, codename)
            for app_label, codename in extra
            if Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists()
        ]

    personnel, _ = Group.objects.get_or_create(name=PERSONNEL)
    personnel.permissions.set(permissions([*_codenames(PERSONNEL_PERMISSIONS, apps), *existing(PERSONNEL_EXTRA)]))
    direction, _ = Group.objects.get_or_create(name=DIRECTION)
    direction.permissions.set(permissions([*_codenames(DIRECTION_PERMISSIONS, apps), *existing(DIRECTION_EXTRA)]))


def sync_role_groups_after_migrate(sender, *, apps=None, using="default", **kwargs):
    """``post_migrate`` receiver: sync the groups once the project is migrated (or flushed).

    ``migrate`` hands the migrated state's ``apps``; ``flush`` hands none: the project's.
    """
    from django.apps import apps as global_apps
    from django.db import router

    apps = apps or global_apps

    if router.allow_migrate_model(using, apps.get_model("auth", "Group")):
        sync_role_groups(apps)
