"""The monthly figures of a region as a DHIS2 dataValueSet (JSON) and as ADX XML.

The values are the figures of the monthly report (:func:`lini.indicators.report.monthly_report`,
read through :func:`lini.dhis2.figures.report_figures`), one data value per mapped figure; a
figure with no value (a percentage over nothing) is left out. Aggregates only: no names, no NIK.

- dataValueSet: ``{"dataSet", "period": "201911", "orgUnit", "dataValues": [{"dataElement",
  "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value", "comment"}]}``
  with DHIS2 codes (load with ``idScheme=CODE``); the default combos are left out.
- ADX (IHE QRPH, ``urn:ihe:qrph:adx:2015``): ``<adx exported=...>`` with one ``<group orgUnit=
  period="2019-11-01/P1M" dataSet=...>`` per data set (and attribute categories), each holding
  ``<dataValue dataElement= value=>`` with the disaggregation as attributes named after the
  DHIS2 category codes.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET  # only writes XML, never parses it
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.core.privacy import Hidden
from lini.dhis2.figures import report_figures, value_text
from lini.dhis2.models import Use
from lini.dhis2.selectors import figure_mappings, org_unit_of
from lini.dhis2.services import adx_pairs
from lini.indicators.report import month_name, monthly_report, report_period, report_region_check
from lini.indicators.suppression import hide_in_file, report_withheld

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User
    from lini.indicators.selectors import Period
    from lini.regions.models import Region

ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
FORMATS: dict[str, tuple[str, str]] = {  # format -> (content type, file suffix)
    "json": ("application/json", ".json"),
    "adx": ("application/adx+xml", ".adx.xml"),
}
AUDIT_MODEL = "dhis2.data_value_set"

Pairs = tuple[tuple[str, str], ...]


class ExportError(ValueError):
    """The figures cannot be exported (no data for the month, a mapping that names a figure the
    report does not have); the message says why."""


@dataclass(frozen=True)
class DataValue:
    figure: str
    data_set: str
    data_element: str
    category_option_combo: str
    attribute_option_combo: str
    adx_categories: Pairs
    adx_attributes: Pairs
    value: str


@dataclass(frozen=True)
class Dhis2Values:
    region: Region
    period: Period
    org_unit: str
    values: tuple[DataValue, ...]

    @property
    def dhis2_period(self) -> str:
        """DHIS2's monthly period: ``201911``."""
        return self.period.first.strftime("%Y%m")

    @property
    def adx_period(self) -> str:
        """ADX's period: the first day and the duration, ``2019-11-01/P1M``."""
        return f"{self.period.first.isoformat()}/P1M"


def dhis2_values(*, region: Region, period: Period | str) -> Dhis2Values:
    """The mapped figures of ``region``'s monthly report for ``period``. The caller has checked
    the right to view the region. ValueError for a year or a region below the village,
    ExportError when the month has no data or the mapping names an unknown figure."""
    if isinstance(period, str):
        period = report_period(period)
    report_region_check(region)
    report = monthly_report(region=region, period=period)
    figures = report_figures(report)
    if not any(f.value for f in figures.values()):
        raise ExportError(
            _("%(region)s has no figures for %(month)s: nothing was counted in that month")
            % {"region": region.display_name, "month": month_name(report.period.first)}
        )
    mappings = list(figure_mappings(use=Use.EXPORT).order_by("figure"))
    unknown = sorted(m.figure for m in mappings if m.figure not in figures)
    if unknown:
        raise ExportError(
            _("The DHIS2 mapping names figures the monthly report does not have: %(figures)s. "
              "Correct or delete them on the mapping page.") % {"figures": ", ".join(unknown)}
        )  # fmt: skip
    if not mappings:
        raise ExportError(_("No figure is mapped to DHIS2: add the mapping first."))
    # A village's small counts leave Lini hidden, as in every other file (DOMAIN privacy rule,
    # lini.indicators.suppression): the hidden values are left out, which DHIS2 reads as no value.
    shown = report_figures(report_withheld(report)) if hide_in_file(region) else figures
    order = {code: i for i, code in enumerate(figures)}
    values = []
    for m in sorted(mappings, key=lambda m: order[m.figure]):
        value = shown[m.figure].value
        if value is None or isinstance(value, Hidden):
            continue
        values.append(
            DataValue(
                figure=m.figure,
                data_set=m.data_set,
                data_element=m.data_element,
                category_option_combo=m.category_option_combo,
                attribute_option_combo=m.attribute_option_combo,
                adx_categories=adx_pairs(m.adx_categories),
                adx_attributes=adx_pairs(m.adx_attributes),
                value=value_text(value),
            )
        )
    return Dhis2Values(region, report.period, org_unit_of(region), tuple(values))


def data_value_set(values: Dhis2Values) -> dict[str, Any]:
    """The DHIS2 dataValueSet (JSON-ready)."""
    data_sets = {v.data_set for v in values.values}
    document: dict[str, Any] = {}
    if len(data_sets) == 1:
        document["dataSet"] = next(iter(data_sets))
    document["period"] = values.dhis2_period
    document["orgUnit"] = values.org_unit
    rows = []
    for v in values.values:
        row = {"dataElement": v.data_element, "period": values.dhis2_period,
               "orgUnit": values.org_unit}  # fmt: skip
        if v.category_option_combo:
            row["categoryOptionCombo"] = v.category_option_combo
        if v.attribute_option_combo:
            row["attributeOptionCombo"] = v.attribute_option_combo
        row["value"] = v.value
        row["comment"] = f"Lini {v.figure}"
        rows.append(row)
    document["dataValues"] = rows
    return document


def data_value_set_json(values: Dhis2Values) -> bytes:
    return json.dumps(data_value_set(values), ensure_ascii=False, indent=2).encode("utf-8")


def adx_xml(values: Dhis2Values, *, exported: dt.datetime | None = None) -> bytes:
    """The ADX message: one group per data set and attribute categories."""
    exported = (exported or timezone.now()).astimezone(dt.UTC).replace(microsecond=0)
    ET.register_namespace("", ADX_NAMESPACE)
    root = ET.Element(
        f"{{{ADX_NAMESPACE}}}adx", {"exported": exported.isoformat().replace("+00:00", "Z")}
    )
    groups: dict[tuple[str, Pairs], ET.Element] = {}
    for v in values.values:
        key = (v.data_set, v.adx_attributes)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ET.SubElement(
                root, f"{{{ADX_NAMESPACE}}}group",
                {"orgUnit": values.org_unit, "period": values.adx_period,
                 "dataSet": v.data_set, **dict(v.adx_attributes)},
            )  # fmt: skip
        ET.SubElement(
            group, f"{{{ADX_NAMESPACE}}}dataValue",
            {"dataElement": v.data_element, **dict(v.adx_categories), "value": v.value},
        )  # fmt: skip
    ET.indent(root)
    buffer = io.BytesIO()
    ET.ElementTree(root).write(buffer, encoding="UTF-8", xml_declaration=True)
    return buffer.getvalue() + b"\n"


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    content_type: str
    filename: str
    values: Dhis2Values


def export_filename(region: Region, period: Period, fmt: str) -> str:
    return f"lini-dhis2-{region.code}-{period.text}{FORMATS[fmt][1]}"


def dhis2_export(
    *,
    actor: User | AnonymousUser | None,
    region: Region,
    period: Period | str,
    fmt: str,
) -> ExportFile:
    """The figures of ``region`` for the month as ``fmt`` (json, adx) for ``actor`` (None: the
    system), recorded in the audit trail as an export. PermissionDenied when the actor may not
    view the region (checked before anything is read)."""
    if fmt not in FORMATS:
        raise ValueError(_("%(value)s is not a DHIS2 format; choose json or adx") % {"value": fmt})
    if actor is not None:
        scope.require(actor, Action.VIEW, region)
    values = dhis2_values(region=region, period=period)
    data = data_value_set_json(values) if fmt == "json" else adx_xml(values)
    name = export_filename(region, values.period, fmt)
    audit_record(
        actor=actor, action=AuditAction.EXPORT, model=AUDIT_MODEL, description=name,
        region_code=region.code,
        after={"period": values.period.text, "format": fmt, "values": len(values.values),
               "org_unit": values.org_unit, "bytes": len(data), "personal": False},
    )  # fmt: skip
    return ExportFile(data=data, content_type=FORMATS[fmt][0], filename=name, values=values)
