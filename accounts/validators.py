"""Django's password validators, with help texts in this project's catalogues.

Django's own Croatian (and some other) catalogues lack the newer help texts, so a
Croatian page showed them in English. The same msgids are marked here, so the
project's catalogues (which take precedence) carry them in every language.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_help_text(self) -> str:
        return _("Your password can’t be too similar to your other personal information.")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_help_text(self) -> str:
        return _("Your password can’t be a commonly used password.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_help_text(self) -> str:
        return _("Your password can’t be entirely numeric.")
