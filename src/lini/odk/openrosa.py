"""The OpenRosa 1.0 documents (form list, manifest, response envelope), reading a submitted
instance (with defusedxml: no entities, no DTD) and the HTTP Basic credentials of a request."""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.http import HttpRequest

FORM_LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"
RESPONSE_NS = "http://openrosa.org/http/response"
MAX_INSTANCE_ID = 100  # Submission.instance_id (ODK's are "uuid:" and 36 characters)
MAX_DEPTH = 20  # groups within groups in an instance
MAX_REPEATS = 100  # instances of one repeat (members of a family card): more is not a real form

Values = dict[str, "str | list[dict[str, str]]"]


@dataclass(frozen=True)
class FormEntry:
    form_id: str
    name: str
    version: str
    hash: str
    download_url: str
    manifest_url: str = ""


@dataclass(frozen=True)
class MediaEntry:
    filename: str
    hash: str
    download_url: str


def _document(root: ET.Element) -> bytes:
    return b"<?xml version='1.0' encoding='UTF-8' ?>\n" + ET.tostring(root, encoding="utf-8")


def _child(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text


def form_list_xml(entries: Iterable[FormEntry]) -> bytes:
    root = ET.Element("xforms", xmlns=FORM_LIST_NS)
    for entry in entries:
        form = ET.SubElement(root, "xform")
        _child(form, "formID", entry.form_id)
        _child(form, "name", entry.name)
        _child(form, "version", entry.version)
        _child(form, "hash", entry.hash)
        _child(form, "downloadUrl", entry.download_url)
        if entry.manifest_url:
            _child(form, "manifestUrl", entry.manifest_url)
    return _document(root)


def manifest_xml(entries: Iterable[MediaEntry]) -> bytes:
    root = ET.Element("manifest", xmlns=MANIFEST_NS)
    for entry in entries:
        media = ET.SubElement(root, "mediaFile")
        _child(media, "filename", entry.filename)
        _child(media, "hash", entry.hash)
        _child(media, "downloadUrl", entry.download_url)
    return _document(root)


def response_xml(message: str, *, nature: str = "") -> bytes:
    """The OpenRosa response envelope with one message for the person using the phone."""
    root = ET.Element("OpenRosaResponse", xmlns=RESPONSE_NS)
    element = ET.SubElement(root, "message")
    if nature:
        element.set("nature", nature)
    element.text = message
    return _document(root)


# Reading a submission ---------------------------------------------------------------------------


class InstanceError(ValueError):
    """The submitted file is not a form instance Lini can read; the message says why."""


@dataclass(frozen=True)
class Instance:
    form_id: str
    version: str
    instance_id: str
    values: Values


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_instance(data: bytes, *, repeats: Iterable[str] = ()) -> Instance:
    """The form, version, instanceID and values of a submitted instance. Groups are flattened;
    each repeat named in ``repeats`` becomes a list of {field: value}; ``meta`` is left out."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as exc:
        raise InstanceError(_("The file is not readable XML (%(why)s).") % {"why": exc}) from exc
    form_id = (root.get("id") or "").strip()
    if not form_id:
        raise InstanceError(_("The instance names no form (no id attribute on its root)."))
    repeat_names = set(repeats)
    instance_id = ""
    values: Values = {}

    def text(element: ET.Element) -> str:
        return (element.text or "").strip()

    def walk(
        element: ET.Element, into: dict[str, object], *, in_repeat: bool, depth: int = 0
    ) -> None:
        nonlocal instance_id
        if depth > MAX_DEPTH:  # Lini's forms nest groups 2 or 3 deep; deeper is no form of ours
            raise InstanceError(
                _("The instance nests groups more than %(n)d deep: it is not one of Lini's forms.")
                % {"n": MAX_DEPTH}
            )
        for child in element:
            name = _local(child.tag)
            if name == "meta" and not in_repeat:
                for item in child:
                    if _local(item.tag) == "instanceID":
                        instance_id = text(item)
                continue
            if name in repeat_names and not in_repeat:
                rows = into.setdefault(name, [])
                if not isinstance(rows, list) or len(rows) >= MAX_REPEATS:
                    raise InstanceError(
                        _("Too many entries in %(name)s (at most %(n)d).")
                        % {"name": name, "n": MAX_REPEATS}
                    )
                row: dict[str, object] = {}
                walk(child, row, in_repeat=True, depth=depth + 1)
                rows.append(row)
            elif len(child):
                walk(
                    child, into, in_repeat=in_repeat, depth=depth + 1
                )  # a group: its fields belong to the form
            else:
                into[name] = text(child)

    walk(root, values, in_repeat=False)  # type: ignore[arg-type]
    if not instance_id:
        raise InstanceError(_("The instance has no instanceID (meta/instanceID)."))
    if len(instance_id) > MAX_INSTANCE_ID:
        raise InstanceError(
            _("The instanceID is longer than %(n)d characters.") % {"n": MAX_INSTANCE_ID}
        )
    return Instance(
        form_id=form_id, version=(root.get("version") or "").strip(), instance_id=instance_id,
        values=values,
    )  # fmt: skip


# Authentication ---------------------------------------------------------------------------------


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """The user name and password of an ``Authorization: Basic`` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "basic" or not token.strip():
        return None
    try:
        raw = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = raw.decode("latin-1")
    username, sep, password = decoded.partition(":")
    if not sep or not username:
        return None
    return username, password
