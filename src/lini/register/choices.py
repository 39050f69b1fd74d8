"""Code lists of the family register (Pendataan Keluarga, PK21; DOMAIN.md §4.3, §4.4, §7).

Each list is a ``TextChoices`` whose value is what Lini stores; ``SYNONYMS`` maps what people
type in spreadsheets (Indonesian words, PK21 numeric codes, abbreviations) to those values.
Values marked [GK] in DOMAIN.md (e.g. the exact education list) are defaults to be checked.
"""

from __future__ import annotations

import functools

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "L", _("male")
    FEMALE = "P", _("female")


class Relation(models.TextChoices):
    """Hubungan dengan kepala keluarga (PK21 Blok I col. 9)."""

    HEAD = "kepala", _("head of family")
    SPOUSE = "pasangan", _("spouse")
    CHILD = "anak", _("child")
    OTHER = "lainnya", _("other relative")


class MaritalStatus(models.TextChoices):
    SINGLE = "belum_kawin", _("never married")
    MARRIED = "kawin", _("married")
    DIVORCED = "cerai_hidup", _("divorced")
    WIDOWED = "cerai_mati", _("widowed")


class Education(models.TextChoices):
    """PK21 Blok I education codes 1-10 [GK for the wording of each step]."""

    NONE = "1", _("no schooling / not yet in school")
    PRIMARY_INCOMPLETE = "2", _("did not finish primary school")
    PRIMARY_ONGOING = "3", _("in primary school")
    PRIMARY = "4", _("finished primary school")
    JUNIOR_ONGOING = "5", _("in junior secondary school")
    JUNIOR = "6", _("finished junior secondary school")
    SENIOR_ONGOING = "7", _("in senior secondary school")
    SENIOR = "8", _("finished senior secondary school")
    TERTIARY_ONGOING = "9", _("in higher education")
    TERTIARY = "10", _("finished higher education")


class Occupation(models.TextChoices):
    """PK21 Blok I occupation codes."""

    NONE = "1", _("not working / not yet working")
    FARMER = "2", _("farmer")
    FISHER = "3", _("fisher")
    TRADER = "4", _("trader")
    OFFICIAL = "5", _("state official")
    CIVIL_SERVANT = "6", _("civil servant / army / police")
    PRIVATE_EMPLOYEE = "7", _("private employee")
    SELF_EMPLOYED = "8", _("self-employed")
    RETIRED = "9", _("retired")
    CASUAL = "10", _("casual worker")
    OTHER = "11", _("other")


class Presence(models.TextChoices):
    PRESENT = "ada", _("lives here")
    MOVED = "pindah", _("moved away")
    DIED = "meninggal", _("died")


class KBStatus(models.TextChoices):
    USING = "pakai", _("using a method")
    NOT_USING = "tidak_pakai", _("not using")


class Method(models.TextChoices):
    """Contraceptive methods (DOMAIN.md §7.1)."""

    IUD = "iud", _("IUD (AKDR)")
    MOW = "mow", _("female sterilisation (MOW)")
    MOP = "mop", _("male sterilisation (MOP)")
    IMPLANT = "implan", _("implant")
    INJECTABLE = "suntik", _("injectable")
    PILL = "pil", _("pill")
    CONDOM = "kondom", _("condom")
    MAL = "mal", _("lactational amenorrhoea (MAL)")
    TRADITIONAL = "tradisional", _("traditional / other")


LONG_ACTING = frozenset({Method.IUD, Method.MOW, Method.MOP, Method.IMPLANT})  # MKJP
MODERN = frozenset(set(Method) - {Method.TRADITIONAL})


class NotUsingReason(models.TextChoices):
    """Why a couple does not use a method (DOMAIN.md §7.3: pregnant, IAS, IAT, TIAL)."""

    PREGNANT = "hamil", _("pregnant")
    WANTS_CHILD_SOON = "ias", _("wants a child soon (IAS)")
    WANTS_TO_DELAY = "iat", _("wants to delay (IAT)")
    NO_MORE_CHILDREN = "tial", _("wants no more children (TIAL)")
    OTHER = "lainnya", _("other reason")


UNMET_NEED = frozenset({NotUsingReason.WANTS_TO_DELAY, NotUsingReason.NO_MORE_CHILDREN})


class EventSource(models.TextChoices):
    COLLECTION = "pendataan", _("family data collection")
    SERVICE = "pelayanan", _("KB service")
    IMPORT = "impor", _("import")
    CAMPAIGN = "baksos", _("campaign")
    EDIT = "ubah", _("edited in Lini")


def _norm(text: str) -> str:
    return " ".join(str(text).strip().lower().replace("_", " ").replace("-", " ").split())


SYNONYMS: dict[type[models.TextChoices], dict[str, str]] = {
    Sex: {
        "l": Sex.MALE,
        "lk": Sex.MALE,
        "laki laki": Sex.MALE,
        "laki": Sex.MALE,
        "pria": Sex.MALE,
        "1": Sex.MALE,
        "m": Sex.MALE,
        "male": Sex.MALE,
        "p": Sex.FEMALE,
        "pr": Sex.FEMALE,
        "perempuan": Sex.FEMALE,
        "wanita": Sex.FEMALE,
        "2": Sex.FEMALE,
        "f": Sex.FEMALE,
        "w": Sex.FEMALE,
        "female": Sex.FEMALE,
    },
    Relation: {
        "1": Relation.HEAD,
        "kepala": Relation.HEAD,
        "kepala keluarga": Relation.HEAD,
        "kk": Relation.HEAD,
        "head": Relation.HEAD,
        "2": Relation.SPOUSE,
        "istri": Relation.SPOUSE,
        "isteri": Relation.SPOUSE,
        "suami": Relation.SPOUSE,
        "pasangan": Relation.SPOUSE,
        "spouse": Relation.SPOUSE,
        "suami/istri": Relation.SPOUSE,
        "3": Relation.CHILD,
        "anak": Relation.CHILD,
        "anak kandung": Relation.CHILD,
        "child": Relation.CHILD,
        "anak tiri": Relation.CHILD,
        "anak angkat": Relation.CHILD,
        "4": Relation.OTHER,
        "lainnya": Relation.OTHER,
        "lain": Relation.OTHER,
        "famili lain": Relation.OTHER,
        "orang tua": Relation.OTHER,
        "mertua": Relation.OTHER,
        "cucu": Relation.OTHER,
        "menantu": Relation.OTHER,
        "other": Relation.OTHER,
    },
    MaritalStatus: {
        "1": MaritalStatus.SINGLE,
        "belum kawin": MaritalStatus.SINGLE,
        "belum menikah": MaritalStatus.SINGLE,
        "lajang": MaritalStatus.SINGLE,
        "single": MaritalStatus.SINGLE,
        "2": MaritalStatus.MARRIED,
        "kawin": MaritalStatus.MARRIED,
        "menikah": MaritalStatus.MARRIED,
        "married": MaritalStatus.MARRIED,
        "kawin tercatat": MaritalStatus.MARRIED,
        "kawin belum tercatat": MaritalStatus.MARRIED,
        "3": MaritalStatus.DIVORCED,
        "cerai hidup": MaritalStatus.DIVORCED,
        "cerai": MaritalStatus.DIVORCED,
        "divorced": MaritalStatus.DIVORCED,
        "4": MaritalStatus.WIDOWED,
        "cerai mati": MaritalStatus.WIDOWED,
        "janda": MaritalStatus.WIDOWED,
        "duda": MaritalStatus.WIDOWED,
        "widowed": MaritalStatus.WIDOWED,
    },
    Education: {
        "tidak sekolah": Education.NONE,
        "belum sekolah": Education.NONE,
        "tidak/belum sekolah": Education.NONE,
        "tidak tamat sd": Education.PRIMARY_INCOMPLETE,
        "masih sd": Education.PRIMARY_ONGOING,
        "sd": Education.PRIMARY,
        "tamat sd": Education.PRIMARY,
        "sd sederajat": Education.PRIMARY,
        "masih smp": Education.JUNIOR_ONGOING,
        "masih sltp": Education.JUNIOR_ONGOING,
        "smp": Education.JUNIOR,
        "sltp": Education.JUNIOR,
        "tamat smp": Education.JUNIOR,
        "tamat sltp": Education.JUNIOR,
        "masih sma": Education.SENIOR_ONGOING,
        "masih slta": Education.SENIOR_ONGOING,
        "sma": Education.SENIOR,
        "slta": Education.SENIOR,
        "smk": Education.SENIOR,
        "tamat sma": Education.SENIOR,
        "tamat slta": Education.SENIOR,
        "masih pt": Education.TERTIARY_ONGOING,
        "kuliah": Education.TERTIARY_ONGOING,
        "pt": Education.TERTIARY,
        "tamat pt": Education.TERTIARY,
        "d3": Education.TERTIARY,
        "s1": Education.TERTIARY,
        "s2": Education.TERTIARY,
        "s3": Education.TERTIARY,
        "diploma": Education.TERTIARY,
        "sarjana": Education.TERTIARY,
    },
    Occupation: {
        "tidak bekerja": Occupation.NONE,
        "belum bekerja": Occupation.NONE,
        "tidak/belum bekerja": Occupation.NONE,
        "ibu rumah tangga": Occupation.NONE,
        "irt": Occupation.NONE,
        "pelajar": Occupation.NONE,
        "mahasiswa": Occupation.NONE,
        "petani": Occupation.FARMER,
        "buruh tani": Occupation.FARMER,
        "nelayan": Occupation.FISHER,
        "pedagang": Occupation.TRADER,
        "pejabat negara": Occupation.OFFICIAL,
        "pns": Occupation.CIVIL_SERVANT,
        "tni": Occupation.CIVIL_SERVANT,
        "polri": Occupation.CIVIL_SERVANT,
        "pns/tni/polri": Occupation.CIVIL_SERVANT,
        "asn": Occupation.CIVIL_SERVANT,
        "pegawai swasta": Occupation.PRIVATE_EMPLOYEE,
        "karyawan swasta": Occupation.PRIVATE_EMPLOYEE,
        "karyawan": Occupation.PRIVATE_EMPLOYEE,
        "buruh pabrik": Occupation.PRIVATE_EMPLOYEE,
        "wiraswasta": Occupation.SELF_EMPLOYED,
        "wirausaha": Occupation.SELF_EMPLOYED,
        "pensiunan": Occupation.RETIRED,
        "pekerja lepas": Occupation.CASUAL,
        "buruh harian lepas": Occupation.CASUAL,
        "buruh": Occupation.CASUAL,
        "lainnya": Occupation.OTHER,
    },
    Presence: {
        "ada": Presence.PRESENT,
        "tinggal": Presence.PRESENT,
        "1": Presence.PRESENT,
        "": Presence.PRESENT,
        "pindah": Presence.MOVED,
        "2": Presence.MOVED,
        "meninggal": Presence.DIED,
        "meninggal dunia": Presence.DIED,
        "wafat": Presence.DIED,
        "3": Presence.DIED,
    },
    KBStatus: {
        "pakai": KBStatus.USING,
        "ya": KBStatus.USING,
        "sedang pakai": KBStatus.USING,
        "1": KBStatus.USING,
        "menggunakan": KBStatus.USING,
        "aktif": KBStatus.USING,
        "peserta kb aktif": KBStatus.USING,
        "pa": KBStatus.USING,
        "using": KBStatus.USING,
        "ber kb": KBStatus.USING,
        "ber-kb": KBStatus.USING,
        "tidak pakai": KBStatus.NOT_USING,
        "tidak": KBStatus.NOT_USING,
        "tdk": KBStatus.NOT_USING,
        "2": KBStatus.NOT_USING,
        "0": KBStatus.NOT_USING,
        "bukan peserta": KBStatus.NOT_USING,
        "not using": KBStatus.NOT_USING,
        "tidak ber kb": KBStatus.NOT_USING,
    },
    Method: {
        "iud": Method.IUD,
        "akdr": Method.IUD,
        "spiral": Method.IUD,
        "1": Method.IUD,
        "mow": Method.MOW,
        "tubektomi": Method.MOW,
        "steril wanita": Method.MOW,
        "2": Method.MOW,
        "mop": Method.MOP,
        "vasektomi": Method.MOP,
        "steril pria": Method.MOP,
        "3": Method.MOP,
        "kondom": Method.CONDOM,
        "condom": Method.CONDOM,
        "4": Method.CONDOM,
        "implan": Method.IMPLANT,
        "implant": Method.IMPLANT,
        "susuk": Method.IMPLANT,
        "akbk": Method.IMPLANT,
        "5": Method.IMPLANT,
        "suntik": Method.INJECTABLE,
        "suntikan": Method.INJECTABLE,
        "injeksi": Method.INJECTABLE,
        "injectable": Method.INJECTABLE,
        "suntik 1 bulan": Method.INJECTABLE,
        "suntik 3 bulan": Method.INJECTABLE,
        "6": Method.INJECTABLE,
        "pil": Method.PILL,
        "pill": Method.PILL,
        "pil kb": Method.PILL,
        "7": Method.PILL,
        "mal": Method.MAL,
        "amenore laktasi": Method.MAL,
        "tradisional": Method.TRADITIONAL,
        "lainnya": Method.TRADITIONAL,
        "kalender": Method.TRADITIONAL,
        "pantang berkala": Method.TRADITIONAL,
        "senggama terputus": Method.TRADITIONAL,
    },
    NotUsingReason: {
        "hamil": NotUsingReason.PREGNANT,
        "sedang hamil": NotUsingReason.PREGNANT,
        "1": NotUsingReason.PREGNANT,
        "ias": NotUsingReason.WANTS_CHILD_SOON,
        "ingin anak segera": NotUsingReason.WANTS_CHILD_SOON,
        "2": NotUsingReason.WANTS_CHILD_SOON,
        "iat": NotUsingReason.WANTS_TO_DELAY,
        "ingin anak tunda": NotUsingReason.WANTS_TO_DELAY,
        "ingin anak nanti": NotUsingReason.WANTS_TO_DELAY,
        "ingin anak kemudian": NotUsingReason.WANTS_TO_DELAY,
        "3": NotUsingReason.WANTS_TO_DELAY,
        "tial": NotUsingReason.NO_MORE_CHILDREN,
        "tidak ingin anak lagi": NotUsingReason.NO_MORE_CHILDREN,
        "4": NotUsingReason.NO_MORE_CHILDREN,
        "lainnya": NotUsingReason.OTHER,
        "lain": NotUsingReason.OTHER,
        "other": NotUsingReason.OTHER,
    },
}


@functools.cache
def _lookup(choices: type[models.TextChoices], language: str | None) -> dict[str, str]:
    """Everything that names a value of ``choices`` (value, label in ``language``, synonyms),
    normalised, mapped to the stored value. Built once per list and language."""
    table: dict[str, str] = {}
    for value, label in choices.choices:
        table[_norm(str(label))] = value
    table.update(SYNONYMS.get(choices, {}))
    for value in choices.values:
        table[_norm(value)] = value
        table[value] = value  # the exact stored value, the fast path for Lini's own exports
    return table


def choice_table(choices: type[models.TextChoices]) -> dict[str, str]:
    """The lookup table of ``choices`` in the active language (for :func:`parse_with`)."""
    return _lookup(choices, translation.get_language())


def parse_choice(choices: type[models.TextChoices], raw: object) -> str | None:
    """The stored value for what a person typed (a value, a label or a synonym), or None."""
    return parse_with(choice_table(choices), raw)


def parse_with(table: dict[str, str], raw: object) -> str | None:
    """:func:`parse_choice` with a table fetched once (imports parse millions of cells)."""
    text = raw if isinstance(raw, str) else str(raw)
    found = table.get(text)
    if found is not None:
        return found
    key = _norm(text)
    if key.endswith(".0") and key[:-2].isdigit():  # 2.0 from a numeric spreadsheet cell
        key = key[:-2]
    return table.get(key)
