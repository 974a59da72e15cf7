"""The secretariat's forms for the register of past laureates."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField

from ..i18n import lazy_gettext as _l


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        description=_l(
            "Columns year, name, country and level, named on the first line; UTF-8 text, "
            "commas or semicolons."
        ),
    )


class ConfirmImportForm(FlaskForm):
    #: The rows to add, as the preview read them (signed; see views.confirm_import).
    token = HiddenField()
