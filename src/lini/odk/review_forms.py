"""Forms of the review pages (the Django forms; ``forms/`` holds the XLSForms). The correction
form is built from the submission's XLSForm definition: one field per answer, each repeat entry
in its own section, every field optional (the values are checked by the same validation as a
submission when the reviewer applies them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from lini.odk import media
from lini.odk.definitions import FormDefinition, Question
from lini.register.identity import mask

if TYPE_CHECKING:
    from lini.accounts.models import User

BoundRow = tuple[forms.BoundField, list[str]]


class DateInput(forms.DateInput):
    input_type = "date"


def _language() -> str:
    return translation.get_language() or "id"


class CorrectionForm(forms.Form):
    """The answers of a submission, to correct. Identity numbers (NIK, No. KK) are shown masked
    and cannot be changed by a reviewer who may not see them (``identity`` False)."""

    def __init__(
        self,
        data: Any = None,
        *,
        definition: FormDefinition,
        values: dict[str, Any],
        user: User,
        identity: bool,
        editable: bool,
    ) -> None:
        super().__init__(data)
        self.definition = definition
        self.original = values
        self.user = user
        self.identity = identity
        self.masked: set[str] = set()
        # Sections in the form's order: top-level answers, then each entry of a repeat in a
        # section of its own, then the answers after the repeat.
        self.layout: list[tuple[str, list[str]]] = [("", [])]  # (section title, field keys)
        repeat_questions: dict[str, list[Question]] = {}
        for repeat, question in definition.questions():
            if repeat:
                repeat_questions.setdefault(repeat, []).append(question)
        inside = ""
        for question in definition.survey:
            if question.base_type == "begin_repeat":
                inside = question.name
                entries = values.get(question.name)
                for number, entry in enumerate(entries if isinstance(entries, list) else [], 1):
                    keys = []
                    for inner in repeat_questions.get(question.name, []):
                        key = f"{question.name}.{number}.{inner.name}"
                        keys.append(key)
                        value = entry.get(inner.name) if isinstance(entry, dict) else None
                        self.fields[key] = self._field(inner, value, values, key=key)
                    self.layout.append((f"{question.label.get(_language())} · {number}", keys))
                self.layout.append(("", []))
            elif question.base_type == "end_repeat":
                inside = ""
            elif question.is_input and not inside:
                self.layout[-1][1].append(question.name)
                self.fields[question.name] = self._field(
                    question, values.get(question.name), values
                )
        if not editable:
            for field in self.fields.values():
                field.disabled = True

    def _field(
        self, question: Question, value: Any, values: dict[str, Any], *, key: str = ""
    ) -> forms.Field:
        key = key or question.name
        language = _language()
        text = value if isinstance(value, str) else ""
        options: dict[str, Any] = {"label": question.label.get(language), "required": False}
        if question.hint.id:
            options["help_text"] = question.hint.get(language)
        if question.identity and not self.identity:
            self.masked.add(key)
            return forms.CharField(initial=mask(text) if text else "", disabled=True, **options)
        base = question.base_type
        if base in ("select_one", "select_multiple"):
            choices = [
                (c.name, c.label.get(language))
                for c in self.definition.choices.get(question.list_name, ())
            ]
        elif base.endswith("_from_file"):
            choices = [(row["name"], row["label"]) for row in self._file_rows(question, values)]
        else:
            choices = []
        if base.startswith("select_multiple"):
            chosen = text.split()
            known = {name for name, _label in choices}
            choices += [(name, name) for name in chosen if name not in known]
            return forms.MultipleChoiceField(
                choices=choices, initial=chosen, widget=forms.CheckboxSelectMultiple, **options
            )
        if base.startswith("select_one"):
            if text and text not in {name for name, _label in choices}:
                choices.append((text, text))
            return forms.ChoiceField(choices=[("", "—"), *choices], initial=text, **options)
        widget: forms.Widget
        if base == "date":
            widget = DateInput()
        elif base == "integer":
            widget = forms.TextInput(attrs={"inputmode": "numeric"})
        elif question.identity:
            widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        elif question.appearance == "multiline":
            widget = forms.Textarea(attrs={"rows": 3})
        else:
            widget = forms.TextInput()
        return forms.CharField(initial=text, widget=widget, max_length=2000, **options)

    def _file_rows(self, question: Question, values: dict[str, Any]) -> list[dict[str, str]]:
        """The reviewer's own choices of a list the phone reads from a CSV file, narrowed the
        way the form narrows them (the families of the village chosen, ...)."""
        village = values.get("kode_desa") if isinstance(values.get("kode_desa"), str) else ""
        name = question.list_name
        if name == "villages.csv":
            return media.village_rows(self.user)
        if name == "families.csv":
            return media.family_rows(self.user, village_code=village or "")
        if name == "poktan.csv":
            return media.poktan_rows(self.user, village_code=village or "")
        if name == "poktan_members.csv":
            poktan = values.get("poktan")
            if (
                isinstance(poktan, str)
                and poktan.isascii()
                and poktan.isdigit()
                and len(poktan) <= 18
            ):
                return media.poktan_member_rows(self.user, poktan_id=int(poktan))
            return []
        if name == "facilities.csv":
            return media.facility_rows(self.user)
        return []

    def _value(self, key: str, original: Any) -> str:
        if key in self.masked:
            return original if isinstance(original, str) else ""
        value = self.cleaned_data.get(key)
        if isinstance(value, list):
            return " ".join(value)
        return "" if value is None else str(value).strip()

    def corrected_values(self) -> dict[str, Any]:
        """The answers as corrected (call after ``is_valid``), in the shape of ``values``."""
        result = dict(self.original)
        for repeat, question in self.definition.questions():
            if not repeat:
                result[question.name] = self._value(question.name, self.original.get(question.name))
        for name in self.definition.repeats:
            entries = self.original.get(name)
            rebuilt = []
            for number, entry in enumerate(entries if isinstance(entries, list) else [], start=1):
                entry = dict(entry) if isinstance(entry, dict) else {}
                for repeat, question in self.definition.questions():
                    if repeat == name:
                        key = f"{name}.{number}.{question.name}"
                        entry[question.name] = self._value(key, entry.get(question.name))
                rebuilt.append(entry)
            result[name] = rebuilt
        return result

    def sections(self, errors: list[dict[str, str]]) -> Iterator[tuple[str, list[BoundRow]]]:
        """Each section's fields with the stored errors of each field."""
        by_field: dict[str, list[str]] = {}
        for error in errors:
            by_field.setdefault(error.get("field", ""), []).append(error.get("message", ""))
        for title, keys in self.layout:
            yield title, [(self[key], by_field.get(key, [])) for key in keys]

    def general_errors(self, errors: list[dict[str, str]]) -> list[str]:
        """Errors of the submission as a whole, or of no field shown here."""
        return [e.get("message", "") for e in errors if e.get("field", "") not in self.fields]

    @property
    def shows_identity(self) -> bool:
        """Whether an unmasked NIK or No. KK is on the page (a view recorded in the audit trail)."""
        return self.identity and any(
            (self.initial.get(k) or self.fields[k].initial)
            for k in self.fields
            if k.rsplit(".", 1)[-1] in ("nik", "nik_istri", "no_kk")
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
