"""Time-based one-time codes (TOTP, RFC 6238) for the second login step: new secrets, the text and
QR code an authenticator app reads, and checking a code against a secret that is not stored yet."""

from __future__ import annotations

import re
import time
from base64 import b32encode
from binascii import unhexlify

import qrcode
import qrcode.image.svg
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from lini.accounts.models import User

KEY_BYTES = 20  # 160 bits, as RFC 4226 recommends
TOLERANCE = 1  # accept the code of the previous and the next 30-second step too (clock drift)
_KEY = re.compile(r"[0-9a-f]{40}")


def new_key() -> str:
    """A new random secret, hex-encoded (as django-otp stores it)."""
    return str(random_hex(KEY_BYTES))


def is_key(value: object) -> bool:
    return isinstance(value, str) and _KEY.fullmatch(value) is not None


def key_text(key: str) -> str:
    """The secret as the base32 text an authenticator app accepts, in groups of four."""
    text = b32encode(unhexlify(key)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(user: User, key: str) -> str:
    """The ``otpauth://`` address of the secret (what the QR code holds)."""
    return str(TOTPDevice(user=user, key=key).config_url)


def qr_svg(text: str) -> str:
    """An inline SVG element of a QR code of ``text``: one path with presentation attributes
    (no style attribute, so the Content-Security-Policy allows it), no XML declaration."""
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=4,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg: str = image.to_string(encoding="unicode")
    return re.sub(r"^<\?xml[^>]*\?>\s*", "", svg).replace("<svg ", '<svg class="qr" role="img" ', 1)


def code_step(key: str, code: str) -> int | None:
    """The time step at which ``code`` is right for ``key`` (within the tolerance), or None."""
    if not code.isdigit():
        return None
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=TOLERANCE):
        return None
    return int(totp.t())


def code_now(key: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows for ``key`` now (or at the Unix time ``at``)."""
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"
