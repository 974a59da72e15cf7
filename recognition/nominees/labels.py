"""Titles of the kinds of nominee and of the types of organisation, for forms and pages."""

from ..i18n import lazy_gettext as _l

#: What a nominee is (models.NOMINEE_KINDS).
NOMINEE_KIND_TITLES = {
    "city": _l("A city registered here"),
    "organisation": _l("An organisation"),
    "person": _l("A person"),
}

#: The types of organisation a nominee may be (models.ORGANISATION_TYPES).
ORGANISATION_TYPE_TITLES = {
    "community_group": _l("A community group"),
    "ngo": _l("A non-governmental organisation"),
    "government_agency": _l("A local or national government agency"),
    "business": _l("A business"),
    "academic": _l("An academic or research institution"),
    "other": _l("Another kind of organisation"),
}

#: A nominee described on its nomination's page.
NOMINEE_DESCRIPTIONS = {
    "city": _l("A city"),
    "organisation": _l("An organisation"),
    "person": _l("A person"),
}
