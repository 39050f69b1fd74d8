"""An OpenRosa client for the tests: Basic credentials, filling a downloaded XForm's instance
and posting it as ODK Collect does (multipart, ``xml_submission_file``)."""

from __future__ import annotations

import base64
import copy
import uuid
import xml.etree.ElementTree as ET
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lini.accounts.models import User
from lini.accounts.tests.factories import TEST_PASSWORD

XF = "{http://www.w3.org/2002/xforms}"
HTML = "{http://www.w3.org/1999/xhtml}"
FORM_LIST = "{http://openrosa.org/xforms/xformsList}"
MANIFEST = "{http://openrosa.org/xforms/xformsManifest}"


def basic(user: User | str, password: str = TEST_PASSWORD) -> dict[str, str]:
    """The header ODK Collect sends once it knows the server wants Basic credentials."""
    name = user if isinstance(user, str) else user.username
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}", "HTTP_X_OPENROSA_VERSION": "1.0"}


def form_list(client: Client, user: User) -> dict[str, dict[str, str]]:
    """formID -> {name, version, hash, downloadUrl, manifestUrl} of the user's form list."""
    response = client.get(reverse("odk:form_list"), **basic(user))
    assert response.status_code == 200, response.content
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's answer
    assert root.tag == f"{FORM_LIST}xforms"
    forms = {}
    for form in root.findall(f"{FORM_LIST}xform"):
        fields = {child.tag.removeprefix(FORM_LIST): child.text or "" for child in form}
        forms[fields["formID"]] = fields
    return forms


def manifest(client: Client, user: User, url: str) -> dict[str, dict[str, str]]:
    response = client.get(url, **basic(user))
    assert response.status_code == 200, response.content
    root = ET.fromstring(response.content)  # noqa: S314
    files = {}
    for media in root.findall(f"{MANIFEST}mediaFile"):
        fields = {child.tag.removeprefix(MANIFEST): child.text or "" for child in media}
        files[fields["filename"]] = fields
    return files


def blank_instance(xform: bytes) -> ET.Element:
    """The primary instance of a downloaded XForm (what Collect fills in), repeat templates
    removed as Collect removes them."""
    root = ET.fromstring(xform)  # noqa: S314
    instance = root.find(f"{HTML}head/{XF}model/{XF}instance")
    assert instance is not None
    data = copy.deepcopy(next(iter(instance)))
    for parent in data.iter():
        for child in list(parent):
            if child.get("{http://openrosa.org/javarosa}template") is not None:
                parent.remove(child)
    return data


def fill(data: ET.Element, values: dict[str, Any], *, instance_id: str | None = None) -> bytes:
    """``data`` with ``values`` (a repeat: a list of dicts) and a new instanceID, as XML."""
    for name, value in values.items():
        matches = data.findall(f"{XF}{name}")
        assert matches, f"the form has no field {name}"
        if isinstance(value, list):
            template = copy.deepcopy(matches[0])
            for match in matches:
                data.remove(match)
            position = (
                list(data).index(data.find(f"{XF}meta"))
                if data.find(f"{XF}meta") is not None
                else len(data)
            )
            for offset, entry in enumerate(value):
                item = copy.deepcopy(template)
                for leaf in item:
                    leaf.text = None
                for key, text in entry.items():
                    leaf = item.find(f"{XF}{key}")
                    assert leaf is not None, f"the repeat has no field {key}"
                    leaf.text = text
                data.insert(position + offset, item)
        else:
            matches[0].text = value
    meta = data.find(f"{XF}meta/{XF}instanceID")
    assert meta is not None
    meta.text = instance_id or f"uuid:{uuid.uuid4()}"
    ET.register_namespace("", XF.strip("{}"))
    return ET.tostring(data, encoding="utf-8", xml_declaration=True)


def instance_xml(form_id: str, values: dict[str, Any], *, instance_id: str | None = None) -> bytes:
    """A filled instance of one of Lini's forms, made from the XForm it serves."""
    from lini.odk.xforms import xform

    return fill(blank_instance(xform(form_id).xml), values, instance_id=instance_id)


def submit(client: Client, user: User | None, data: bytes, **extra: str) -> Any:
    upload = SimpleUploadedFile("submission.xml", data, content_type="text/xml")
    headers = basic(user) if user is not None else {}
    return client.post(
        reverse("odk:submission"), {"xml_submission_file": upload}, **headers, **extra
    )


def message(response: Any) -> str:
    """The message of an OpenRosa response envelope."""
    root = ET.fromstring(response.content)  # noqa: S314
    found = root.find("{http://openrosa.org/http/response}message")
    return (found.text or "") if found is not None else ""
