"""Photos of a lokus's days: kept by its team (an image checked by its content, decoded and written
again without its metadata, stored under ``LINI_HOME/media/campaigns`` with a name Lini chooses),
deleted by the team or a planner of the campaign. Each change runs in one transaction and is
recorded in the audit trail."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from lini.audit.services import audit_change, delete_with_audit
from lini.campaigns.models import Lokus, Photo
from lini.campaigns.recording import within_campaign
from lini.campaigns.services import add_error, can_plan, can_record, require_record

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from lini.accounts.models import User

# The image types accepted, by their first bytes (what the file is, not what its name says).
IMAGE_TYPES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", ".png"),
    (b"WEBP", 8, "image/webp", ".webp"),
)


def photo_dir() -> Path:
    return Path(settings.LINI_HOME) / "media" / "campaigns"


def sniff_image(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an image from its first bytes; None for anything else."""
    for magic, offset, content_type, extension in IMAGE_TYPES:
        if head[offset : offset + len(magic)] == magic and (offset == 0 or head[:4] == b"RIFF"):
            return content_type, extension
    return None


def photo_add(
    *, actor: User | None, lokus: Lokus, day: dt.date, upload: UploadedFile, caption: str = ""
) -> Photo:
    """Keep a photo of a lokus's day: a JPEG, PNG or WebP image (by its content) of at most
    LINI_PHOTO_MAX_BYTES, stored under a name Lini chooses."""
    require_record(actor, lokus)
    errors: dict[str, list[str]] = {}
    within_campaign(errors, "day", day, lokus.campaign)
    limit = settings.LINI_PHOTO_MAX_BYTES
    size = upload.size or 0
    kind = None
    if size > limit:
        add_error(errors, "photo", _("The photo is %(size)s; at most %(limit)s is accepted.") % {
            "size": _megabytes(size), "limit": _megabytes(limit)})  # fmt: skip
    elif size == 0:
        add_error(errors, "photo", _("The file is empty."))
    else:
        upload.seek(0)
        kind = sniff_image(upload.read(16))
        if kind is None:
            add_error(errors, "photo", _("%(name)s is not a JPEG, PNG or WebP image.") % {
                "name": (upload.name or "")[:80]})  # fmt: skip
    if errors or kind is None:
        raise ValidationError(errors)
    content_type, extension = kind
    upload.seek(0)
    raw = upload.read(limit + 1)
    if len(raw) > limit:  # the declared size lied
        raise ValidationError({"photo": _("The photo is larger than it said.")})
    content = _clean_image(raw, content_type, upload.name or "")
    folder = photo_dir()
    folder.mkdir(parents=True, exist_ok=True)
    file_name = f"{secrets.token_hex(16)}{extension}"
    path = folder / file_name
    try:
        path.write_bytes(content)
        with transaction.atomic():
            photo = Photo.objects.create(
                lokus=lokus, day=day, caption=" ".join(caption.split())[:200],
                file_name=file_name, content_type=content_type, size=len(content),
                uploaded_by=actor,
            )  # fmt: skip
            audit_change(actor=actor, obj=photo, before=None, region_code=lokus.village.code)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return photo


MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger ones are refused before being decoded
_SAVE_AS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def _clean_image(raw: bytes, content_type: str, name: str) -> bytes:
    """The photo decoded and written again in its own format without its metadata (EXIF: the
    place where it was taken, the phone, the time), turned upright as its EXIF said. Refuses an
    image that cannot be decoded or is too large to decode safely."""
    import io

    from PIL import Image, ImageOps

    unreadable = ValidationError(
        {"photo": _("%(name)s cannot be read as an image.") % {"name": name[:80]}}
    )
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError({"photo": _(
                    "The photo has %(pixels)s megapixels; at most %(max)s are accepted."
                ) % {"pixels": number_format(image.width * image.height / 1_000_000, 1),
                     "max": number_format(MAX_PIXELS // 1_000_000)}})  # fmt: skip
            image.load()
            upright = ImageOps.exif_transpose(image)
            if content_type == "image/jpeg" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            options: dict[str, Any] = {"quality": 88} if content_type != "image/png" else {}
            upright.save(out, format=_SAVE_AS[content_type], **options)
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise unreadable from exc
    return out.getvalue()


def photo_delete(*, actor: User | None, photo: Photo) -> None:
    lokus = photo.lokus
    if actor is not None and not (can_record(actor, lokus) or can_plan(actor, lokus.campaign)):
        raise PermissionDenied
    path = photo_dir() / photo.file_name
    with transaction.atomic():
        delete_with_audit(actor=actor, obj=photo, region_code=lokus.village.code)
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


def _megabytes(size: int) -> str:
    return f"{number_format(size / 1_000_000, 1)} MB"
