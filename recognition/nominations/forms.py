"""Forms of the nominating side that are not generated from a programme."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..i18n import country_choices, language_choices
from ..i18n import lazy_gettext as _l
from ..nominees.labels import NOMINEE_KIND_TITLES, ORGANISATION_TYPE_TITLES


class StartForm(FlaskForm):
    """Who nominates (a city for itself, a partner, oneself) and whom (a registered city, an
    organisation, a person), in which language. The choices come from the programme's
    ``nomination`` block and from what the user acts for."""

    nominator = RadioField(_l("Who nominates"), validators=[DataRequired()])
    kind = RadioField(_l("Who is nominated"), validators=[Optional()])
    city = SelectField(
        _l("The nominated city"),
        coerce=int,
        validators=[Optional()],
        description=_l("Cities registered and verified here. The city is asked to accept."),
    )
    name = StringField(_l("Name of the nominee"), validators=[Optional(), Length(max=200)])
    organisation_type = SelectField(_l("Type of organisation"), validators=[Optional()])
    country = SelectField(_l("Country of the nominee"), validators=[Optional()])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=160)])
    contact_email = EmailField(
        _l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)]
    )
    language = SelectField(
        _l("Language of the nomination"),
        description=_l("The language you will write in. Reviewers read it as written."),
    )
    #: Start from the city's last nomination to the programme (a renewal, a new cycle).
    previous = BooleanField(
        _l("Start from our last nomination to this programme"),
        description=_l(
            "Its answers and evidence are carried over, each marked for you to check; "
            "reviewers see what changed."
        ),
    )

    def __init__(self, nominators, kinds, cities, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nominator.choices = nominators
        self.kind.choices = [(k, NOMINEE_KIND_TITLES[k]) for k in kinds]
        self.city.choices = [(0, _l("Choose a city"))] + cities
        self.organisation_type.choices = [("", _l("Choose a type"))] + [
            (k, v) for k, v in ORGANISATION_TYPE_TITLES.items()
        ]
        self.country.choices = [("", _l("Choose a country"))] + country_choices()
        self.language.choices = language_choices()

    def validate_for(self, for_itself: bool) -> bool:
        """The nominee's fields a nomination on someone's behalf needs, each refused beside
        its field."""
        if for_itself:
            return True
        kind = self.kind.data
        if kind not in dict(self.kind.choices):
            self.kind.errors.append(_l("Choose who is nominated."))
            return False
        if kind == "city":
            if not self.city.data or self.city.data not in dict(self.city.choices[1:]):
                self.city.errors.append(_l("Choose the nominated city."))
            return not self.city.errors
        if not (self.name.data or "").strip():
            self.name.errors.append(_l("Write the nominee's name."))
        if not self.country.data:
            self.country.errors.append(_l("Choose the nominee's country."))
        if kind == "organisation" and not self.organisation_type.data:
            self.organisation_type.errors.append(_l("Choose the type of organisation."))
        return not (self.name.errors or self.country.errors or self.organisation_type.errors)


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change something."""
