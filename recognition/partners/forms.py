"""Forms of the partner pages: the organisation's profile (applying and editing it), the
account a visitor applies with, and the members."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..accounts.forms import PASSWORD_MIN, PasswordRules, timezone_choices
from ..accounts.operations import email_taken
from ..config import LANGUAGES
from ..i18n import country_choices, language_choices
from ..i18n import lazy_gettext as _l
from .labels import GLOBAL, KIND_TITLES, essential_titles
from .models import PARTNER_KINDS, Partner

#: The longest name and offer, per language.
NAME_LENGTH = 200
OFFER_LENGTH = 5000


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _stripped(value):
    return " ".join(value.split()) if isinstance(value, str) else value


def _trimmed(value):
    return value.strip() if isinstance(value, str) else value


def _with_scheme(value):
    """A website typed without its scheme ("www.example.org") is read as https."""
    value = (value or "").strip()
    if value and "://" not in value:
        return "https://" + value
    return value


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WebAddress:
    """A web page's address: http or https, with a host name."""

    field_flags: dict = {}

    def __call__(self, form, field) -> None:
        if not field.data:
            return
        parts = urlsplit(field.data)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or "." not in host or " " in field.data:
            raise ValidationError(
                _l("Enter the address of a website, such as https://www.example.org.")
            )


#: A select whose first option is a real choice has nothing to require (and HTML says so).
NOT_REQUIRED_IN_HTML = {"required": False}


class OrganisationForm(FlaskForm):
    """What a partner says of itself: names and offer per language, kind, where it works,
    its website and the Essentials it supports."""

    source_language = SelectField(
        _l("Source language"),
        default="en",
        validators=[DataRequired()],
        render_kw=NOT_REQUIRED_IN_HTML,
        description=_l(
            "The language you write in first: the organisation's name and offer are required "
            "in it. Readers of a language without a text read the source language's, marked "
            "as such."
        ),
    )
    kind = SelectField(_l("Kind of organisation"), validators=[DataRequired()])
    country = SelectField(
        _l("Where it works"),
        validators=[DataRequired()],
        description=_l("Its country, or “Global” if it works in many countries."),
    )
    website = URLField(
        _l("Website"),
        filters=[_with_scheme],
        validators=[Optional(), Length(max=300), WebAddress()],
    )
    essentials = MultiCheckboxField(
        _l("The Ten Essentials its offer supports"), coerce=int, validators=[Optional()]
    )
    #: The partner's version the form was filled in on (editing only).
    version = IntegerField(validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source_language.choices = _choices(language_choices())
        self.kind.choices = _choices(
            [("", _l("Choose a kind")), *((k, KIND_TITLES[k]) for k in PARTNER_KINDS)]
        )
        self.country.choices = _choices(
            [
                ("", _l("Choose a country, or Global")),
                (GLOBAL, _l("Global: works in many countries")),
                *country_choices(),
            ]
        )
        self.essentials.choices = _choices(
            (number, _l(title)) for number, title in essential_titles().items()
        )

    def name_field(self, language: str):
        return self[f"name_{language}"]

    def offer_field(self, language: str):
        return self[f"offer_{language}"]

    def names(self) -> dict[str, str]:
        return {
            code: self.name_field(code).data for code in LANGUAGES if self.name_field(code).data
        }

    def offers(self) -> dict[str, str]:
        return {
            code: self.offer_field(code).data for code in LANGUAGES if self.offer_field(code).data
        }

    def profile(self) -> dict[str, Any]:
        """The partner's columns as the form gives them."""
        return {
            "names": self.names(),
            "source_language": self.source_language.data,
            "kind": self.kind.data,
            "country": None if self.country.data == GLOBAL else self.country.data,
            "website": self.website.data or "",
            "offer": self.offers(),
            "essentials": sorted(set(self.essentials.data or ())),
        }

    def show(self, partner: Partner) -> None:
        """Fill the form with what the partner stores."""
        self.source_language.data = partner.source_language
        self.kind.data = partner.kind
        self.country.data = partner.country or GLOBAL
        self.website.data = partner.website
        self.essentials.data = list(partner.essentials or ())
        self.version.data = partner.version
        for code in LANGUAGES:
            self.name_field(code).data = (partner.names or {}).get(code, "")
            self.offer_field(code).data = (partner.offer or {}).get(code, "")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        source = self.source_language.data
        if source in LANGUAGES:
            for field, message in (
                (self.name_field(source), _l("The name in the source language is required.")),
                (
                    self.offer_field(source),
                    _l("Say what the organisation offers cities, in the source language."),
                ),
            ):
                if not field.data and not field.errors:
                    field.errors.append(message)
                    valid = False
        return valid


def _add_language_fields(form_class: type) -> None:
    """The name and the offer in each language: name_en, offer_en, name_fr…"""
    for code in LANGUAGES:
        setattr(
            form_class,
            f"name_{code}",
            StringField(
                _l("Name of the organisation"),
                filters=[_stripped],
                validators=[Length(max=NAME_LENGTH)],
            ),
        )
        setattr(
            form_class,
            f"offer_{code}",
            TextAreaField(
                _l("What it offers cities"),
                filters=[_trimmed],
                validators=[Length(max=OFFER_LENGTH)],
                render_kw={"rows": 5},
                description=_l(
                    "Expertise, tools, training, networks: how it helps cities become resilient."
                ),
            ),
        )


_add_language_fields(OrganisationForm)


class ApplyWithAccountForm(OrganisationForm):
    """Applying without an account: the focal point's account comes with the application."""

    account_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("E-mail"), filters=[_trimmed], validators=[DataRequired(), Email(), Length(max=254)]
    )
    password = PasswordField(
        _l("Password"),
        validators=PasswordRules.validators,
        description=_l("At least %(num)d characters.", num=PASSWORD_MIN),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    locale = SelectField(_l("Preferred language"), render_kw=NOT_REQUIRED_IN_HTML)
    # UTC without JavaScript; app.js picks the browser's zone when the page first shows.
    timezone = SelectField(
        _l("Time zone"),
        default="UTC",
        render_kw=NOT_REQUIRED_IN_HTML,
        description=_l("Dates and deadlines are shown in this time zone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = _choices(language_choices())
        self.timezone.choices = _choices(timezone_choices())

    def validate_email(self, field) -> None:
        if email_taken(field.data):
            raise ValidationError(_l("An account with this e-mail address already exists."))


class MemberForm(FlaskForm):
    """Add a deputy: an existing account by its e-mail address, or someone invited."""

    email = EmailField(
        _l("E-mail address of the deputy"),
        filters=[_trimmed],
        validators=[DataRequired(), Email(), Length(max=254)],
    )
    name = StringField(
        _l("Their name, to invite them"),
        filters=[_stripped],
        validators=[Optional(), Length(max=120)],
        description=_l(
            "Only for someone without an account: they receive an e-mail to choose a password."
        ),
    )


class ActionForm(FlaskForm):
    """A button that changes something: its CSRF token only."""
