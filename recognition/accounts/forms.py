"""Sign-in, registration, profile and password forms."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..config import LANGUAGES
from ..i18n import country_choices, language_choices, language_name
from ..i18n import lazy_gettext as _l
from ..workflow.registry import definition_for
from ..workflow.security import SITE
from .operations import email_taken

PASSWORD_MIN = 10


def timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))
    return [("UTC", "UTC"), *((z, z.replace("_", " ")) for z in zones)]


class AccountForm(FlaskForm):
    """Base of the accounts forms. (Control characters never reach them: the request drops
    them, see web.CleanRequest.)"""


class LoginForm(AccountForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])
    next = HiddenField()


class PasswordRules:
    """A new password: long enough, and not absurdly long."""

    validators = [
        DataRequired(),
        Length(
            min=PASSWORD_MIN,
            max=500,
            message=_l("Use at least %(min)d characters.", min=PASSWORD_MIN),
        ),
    ]


class RegistrationForm(AccountForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password"),
        validators=PasswordRules.validators,
        description=_l("At least %(num)d characters.", num=PASSWORD_MIN),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    locale = SelectField(_l("Preferred language"), choices=[])
    # UTC without JavaScript; app.js picks the browser's zone when the page first shows.
    timezone = SelectField(
        _l("Time zone"),
        choices=[],
        default="UTC",
        description=_l("Dates and deadlines are shown in this time zone."),
    )
    city_name = StringField(_l("City"), validators=[DataRequired(), Length(max=160)])
    country = SelectField(_l("Country"), choices=[], validators=[DataRequired()])
    region = StringField(_l("Region or province"), validators=[Optional(), Length(max=160)])
    population = IntegerField(
        _l("Population"),
        validators=[Optional(), NumberRange(min=1, max=100_000_000)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()
        self.timezone.choices = timezone_choices()
        self.country.choices = [("", _l("Choose a country")), *country_choices()]

    def validate_email(self, field) -> None:
        if email_taken(field.data):
            raise ValidationError(_l("An account with this e-mail address already exists."))


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes. (As programmes.formbuilder's, which this package cannot
    import: programmes imports accounts.)"""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReadsLanguages:
    """Part of a form with a ``languages`` field: the languages someone reads, as checkboxes,
    each language named in itself (whoever reads a language recognises its own name)."""

    def _offer_languages(self) -> None:
        self.languages.choices = [(code, language_name(code)) for code in LANGUAGES]

    def validate_languages(self, field) -> None:
        if any(code not in LANGUAGES for code in field.data or ()):
            raise ValidationError(_l("Choose among the languages offered."))

    def languages_read(self) -> list[str]:
        """The languages ticked, in the site's order, each once."""
        ticked = set(self.languages.data or ())
        return [code for code in LANGUAGES if code in ticked]


class ProfileForm(ReadsLanguages, AccountForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Preferred language"), choices=[])
    timezone = SelectField(_l("Time zone"), choices=[])
    country = SelectField(
        _l("Country you work in"),
        choices=[],
        validators=[Optional()],
        description=_l("You are not assigned nominations from this country."),
    )
    affiliations = TextAreaField(
        _l("Affiliations"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "Organisations and cities you work for or with, one per line. You are not assigned "
            "nominations they name."
        ),
    )
    # The choices are checked by validate_languages, with a message of ours.
    languages = MultiCheckboxField(
        _l("Languages you read"),
        validate_choice=False,
        description=_l(
            "You are assigned nominations written in these languages. If you tick none, the "
            "language you chose for this site counts."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()
        self.timezone.choices = timezone_choices()
        self.country.choices = [("", _l("Not set")), *country_choices()]
        self._offer_languages()

    def validate_locale(self, field) -> None:
        if field.data not in LANGUAGES:
            raise ValidationError(_l("Choose one of the languages offered."))


class PasswordChangeForm(AccountForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=500)])
    password = PasswordField(
        _l("New password"),
        validators=PasswordRules.validators,
        description=_l("At least %(num)d characters.", num=PASSWORD_MIN),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class RequestResetForm(AccountForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])


class SetPasswordForm(AccountForm):
    password = PasswordField(
        _l("New password"),
        validators=PasswordRules.validators,
        description=_l("At least %(num)d characters.", num=PASSWORD_MIN),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class InviteForm(ReadsLanguages, AccountForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[])
    locale = SelectField(_l("Language of the invitation"), choices=[])
    country = SelectField(_l("Country"), choices=[], validators=[Optional()])
    affiliations = TextAreaField(
        _l("Affiliations"),
        validators=[Optional(), Length(max=2000)],
        description=_l("One per line; used to avoid conflicts of interest."),
    )
    languages = MultiCheckboxField(
        _l("Languages the reviewer reads"),
        validate_choice=False,
        description=_l(
            "Nominations are assigned only in these languages. If none is ticked, the language "
            "of the invitation counts."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set here, not in the declaration: WTForms 3.3 warns about tuples passed there.
        # The roles are those site.yaml lets an invitation give, titled as it titles them.
        site = definition_for(SITE)
        self.role.choices = [(role, _l(site.roles[role])) for role in site.invitable]
        self.locale.choices = language_choices()
        self.country.choices = [("", _l("Not set")), *country_choices()]
        self._offer_languages()

    def validate_email(self, field) -> None:
        if email_taken(field.data):
            raise ValidationError(_l("An account with this e-mail address already exists."))

    def role_title(self) -> Any:
        """The chosen role as the invitation names it."""
        return dict(self.role.choices)[self.role.data]
