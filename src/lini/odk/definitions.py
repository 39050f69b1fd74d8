"""The XLSForms Lini ships for ODK Collect, written out as data (the readable source of the .xlsx
files in ``forms/``; ``lini odk-forms`` writes those files from here).

Field names are the import template's column names wherever the import has the same value, so
that a submission is read by the importer's own cell parsers and its errors name the same
fields. Choice codes come from the apps' choice classes; their English labels are the source
strings and their Indonesian labels the catalogue's, so a renamed code cannot drift unnoticed.

Change a form: edit it here, bump its ``version`` (ODK Collect compares it), run
``lini odk-forms`` and commit the .xlsx with this file (a test compares them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.db import models
from django.utils import translation

from lini.kampung.choices import Criterion, DataUse, FundingSource, Operation, RumahDataKuStatus
from lini.kb.choices import PRODUCT_METHOD, Product, VisitType
from lini.register.choices import (
    Education,
    KBStatus,
    MaritalStatus,
    Method,
    NotUsingReason,
    Occupation,
    Presence,
    Relation,
    Sex,
)

LANGUAGES = ("Bahasa Indonesia (id)", "English (en)")  # XLSForm language columns, in this order
DEFAULT_LANGUAGE = LANGUAGES[0]
SIXTEEN_DIGITS = "regex(., '^[0-9]{16}$')"
NOT_IN_FUTURE = ". <= today()"
NO_RUMAH_DATAKU = "tidak_ada"  # XLSForm choice names cannot be empty: RumahDataKuStatus.NONE


@dataclass(frozen=True)
class Text:
    """A text in the form's two languages."""

    id: str
    en: str = ""

    def get(self, language: str) -> str:
        return self.en if language.startswith("en") and self.en else self.id


@dataclass(frozen=True)
class Question:
    """One row of the survey sheet (a question, a note, or the start or end of a repeat)."""

    type: str
    name: str = ""
    label: Text = Text("")
    hint: Text = Text("")
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_message: Text = Text("")
    choice_filter: str = ""
    appearance: str = ""
    default: str = ""
    calculation: str = ""
    trigger: str = ""

    @property
    def base_type(self) -> str:
        """``select_one`` for ``select_one sex``, ``date`` for ``date``."""
        return self.type.split(" ", 1)[0]

    @property
    def list_name(self) -> str:
        """The choice list or media file of a select (``sex``, ``villages.csv``), else ""."""
        parts = self.type.split(" ", 1)
        return parts[1].strip() if len(parts) == 2 else ""

    @property
    def is_input(self) -> bool:
        return self.base_type not in ("note", "begin_repeat", "end_repeat")

    @property
    def identity(self) -> bool:
        """Holds a NIK or a No. KK (masked for reviewers without the right to see them)."""
        return self.name in ("nik", "nik_istri", "no_kk")


@dataclass(frozen=True)
class Choice:
    name: str
    label: Text


@dataclass(frozen=True)
class FormDefinition:
    form_id: str
    title: Text
    version: str
    survey: tuple[Question, ...]
    choices: dict[str, tuple[Choice, ...]] = field(default_factory=dict)
    instance_name: str = ""

    @property
    def media(self) -> tuple[str, ...]:
        """The per-user CSV files the form reads (choice lists and pulldata sources)."""
        files: list[str] = []
        for question in self.survey:
            if question.base_type.endswith("_from_file"):
                files.append(question.list_name)
            if "pulldata('" in question.calculation:
                files.append(
                    question.calculation.split("pulldata('", 1)[1].split("'", 1)[0] + ".csv"
                )
        return tuple(dict.fromkeys(files))

    @property
    def repeats(self) -> frozenset[str]:
        return frozenset(q.name for q in self.survey if q.base_type == "begin_repeat")

    def questions(self) -> list[tuple[str, Question]]:
        """The input questions with the repeat each stands in ("" at the top level)."""
        found: list[tuple[str, Question]] = []
        repeat = ""
        for question in self.survey:
            if question.base_type == "begin_repeat":
                repeat = question.name
            elif question.base_type == "end_repeat":
                repeat = ""
            elif question.is_input:
                found.append((repeat, question))
        return found

    def question(self, name: str) -> Question | None:
        return next((q for _repeat, q in self.questions() if q.name == name), None)


def _choices(choices: type[models.TextChoices]) -> tuple[Choice, ...]:
    """A choice list from one of Lini's choice classes: the stored codes, the English source
    labels and their Indonesian translations."""
    found = []
    for value, label in choices.choices:
        if value == "":
            continue
        with translation.override("id"):
            indonesian = str(label)
        with translation.override("en"):
            english = str(label)
        found.append(Choice(str(value), Text(indonesian, english)))
    return tuple(found)


YES_NO = (Choice("ya", Text("Ya", "Yes")), Choice("tidak", Text("Tidak", "No")))

VILLAGE = Question(
    "select_one_from_file villages.csv",
    "kode_desa",
    Text("Desa/kelurahan", "Village"),
    hint=Text("Hanya desa wilayah tugas Anda.", "Only the villages you work in."),
    required=True,
    appearance="autocomplete",
)


def _family_update() -> FormDefinition:
    keep = Text("Kosongkan bila tidak berubah.", "Leave empty when unchanged.")
    in_member = "${keberadaan} != 'ada'"
    return FormDefinition(
        form_id="lini_keluarga",
        title=Text("Pemutakhiran data keluarga", "Family update"),
        version="2025061501",
        instance_name="concat(${kode_desa}, ' ', ${mode})",
        survey=(
            VILLAGE,
            Question(
                "select_one mode",
                "mode",
                Text("Keluarga yang didata", "Which family"),
                required=True,
            ),
            Question(
                "select_one_from_file families.csv",
                "keluarga",
                Text(
                    "Keluarga (No. KK disamarkan, kepala keluarga)", "Family (masked No. KK, head)"
                ),
                required=True,
                relevant="${mode} = 'ubah'",
                choice_filter="desa=${kode_desa}",
                appearance="autocomplete",
            ),
            Question(
                "text",
                "no_kk",
                Text(
                    "No. KK (16 angka, dari Kartu Keluarga)",
                    "No. KK (16 digits, from the family card)",
                ),
                required=True,
                relevant="${mode} = 'baru'",
                constraint=SIXTEEN_DIGITS,
                constraint_message=Text(
                    "No. KK terdiri dari 16 angka.", "The No. KK has 16 digits."
                ),
                appearance="numbers",
            ),
            Question("text", "dusun", Text("Dusun", "Dusun"), hint=keep),
            Question(
                "integer", "rw", Text("RW", "RW"), hint=keep, constraint=". >= 1 and . <= 999"
            ),
            Question(
                "integer", "rt", Text("RT", "RT"), hint=keep, constraint=". >= 1 and . <= 999"
            ),
            Question("text", "alamat", Text("Alamat", "Address"), hint=keep),
            Question(
                "date",
                "tanggal_pendataan",
                Text("Tanggal pendataan", "Date of data collection"),
                required=True,
                default="today()",
                constraint=NOT_IN_FUTURE,
            ),
            Question(
                "text", "pendata", Text("Nama pendata (kader)", "Collected by (cadre)"), hint=keep
            ),
            Question(
                "begin_repeat",
                "anggota",
                Text("Anggota keluarga yang ditambah atau diubah", "Members added or changed"),
                hint=Text(
                    "Anggota yang tidak diisi di sini tetap seperti tercatat.",
                    "Members not entered here stay as registered.",
                ),
            ),
            Question(
                "text",
                "nik",
                Text("NIK", "NIK"),
                required=True,
                constraint=SIXTEEN_DIGITS,
                constraint_message=Text("NIK terdiri dari 16 angka.", "The NIK has 16 digits."),
                appearance="numbers",
            ),
            Question("text", "nama", Text("Nama lengkap", "Full name"), required=True),
            Question(
                "select_one sex", "jenis_kelamin", Text("Jenis kelamin", "Sex"), required=True
            ),
            Question(
                "date",
                "tanggal_lahir",
                Text("Tanggal lahir", "Birth date"),
                required=True,
                constraint=NOT_IN_FUTURE,
            ),
            Question(
                "select_one relation",
                "hubungan",
                Text("Hubungan dengan kepala keluarga", "Relation to the head"),
                required=True,
            ),
            Question(
                "select_one marital",
                "status_kawin",
                Text("Status perkawinan", "Marital status"),
                required=True,
            ),
            Question("select_one education", "pendidikan", Text("Pendidikan", "Education")),
            Question("select_one occupation", "pekerjaan", Text("Pekerjaan", "Occupation")),
            Question(
                "select_one presence",
                "keberadaan",
                Text("Keberadaan", "Presence"),
                required=True,
                default="ada",
            ),
            Question(
                "date",
                "tanggal_keberadaan",
                Text("Tanggal pindah atau meninggal", "Date moved away or died"),
                required=True,
                relevant=in_member,
                constraint=NOT_IN_FUTURE,
            ),
            Question("end_repeat", "anggota"),
            Question(
                "select_one kb_status",
                "status_kb",
                Text(
                    "Status KB pasangan (isi bila berubah)",
                    "The couple's KB status (fill in when it changed)",
                ),
            ),
            Question(
                "select_one method",
                "metode_kb",
                Text("Metode KB", "Method"),
                required=True,
                relevant="${status_kb} = 'pakai'",
            ),
            Question(
                "select_one reason",
                "alasan_tidak_kb",
                Text("Alasan tidak ber-KB", "Reason for not using"),
                required=True,
                relevant="${status_kb} = 'tidak_pakai'",
            ),
            Question(
                "date",
                "tanggal_mulai_kb",
                Text("Sejak tanggal", "Since"),
                relevant="${status_kb} != ''",
                constraint=NOT_IN_FUTURE,
            ),
            Question(
                "text",
                "tempat_pelayanan_kb",
                Text("Tempat pelayanan KB", "Where the method was received"),
                relevant="${status_kb} = 'pakai'",
            ),
        ),
        choices={
            "mode": (
                Choice("ubah", Text("Keluarga yang sudah terdaftar", "A registered family")),
                Choice("baru", Text("Keluarga baru", "A new family")),
            ),
            "sex": _choices(Sex),
            "relation": _choices(Relation),
            "marital": _choices(MaritalStatus),
            "education": _choices(Education),
            "occupation": _choices(Occupation),
            "presence": _choices(Presence),
            "kb_status": _choices(KBStatus),
            "method": _choices(Method),
            "reason": _choices(NotUsingReason),
        },
    )


# The methods that have products. Each product's code starts with its method's (suntik_3): the
# product question's choice filter relies on it (a test checks it).
PRODUCT_METHODS = tuple(dict.fromkeys(PRODUCT_METHOD.values()))


def _kb_service() -> FormDefinition:
    with_product = " or ".join(f"${{metode}} = '{method}'" for method in PRODUCT_METHODS)
    return FormDefinition(
        form_id="lini_pelayanan_kb",
        title=Text("Pelayanan KB", "KB service"),
        version="2026112801",
        instance_name="concat(${tanggal}, ' ', ${metode})",
        survey=(
            Question(
                VILLAGE.type,
                VILLAGE.name,
                Text("Desa tempat tinggal pasangan", "Village where the couple lives"),
                hint=VILLAGE.hint,
                required=True,
                appearance=VILLAGE.appearance,
            ),
            Question(
                "date",
                "tanggal",
                Text("Tanggal pelayanan", "Date of service"),
                required=True,
                default="today()",
                constraint=NOT_IN_FUTURE,
            ),
            Question(
                "text",
                "nik_istri",
                Text("NIK istri", "NIK of the wife"),
                hint=Text(
                    "Pasangan harus tercatat di data keluarga.",
                    "The couple must be in the family register.",
                ),
                required=True,
                constraint=SIXTEEN_DIGITS,
                constraint_message=Text("NIK terdiri dari 16 angka.", "The NIK has 16 digits."),
                appearance="numbers",
            ),
            Question("select_one method", "metode", Text("Metode KB", "Method"), required=True),
            Question(
                "select_one visit",
                "jenis_kunjungan",
                Text("Jenis kunjungan", "Visit type"),
                required=True,
            ),
            Question(
                "select_one product",
                "produk",
                Text("Jenis alat/obat KB", "Product"),
                hint=Text(
                    "Suntik 1 atau 3 bulanan, implan 1 atau 2 batang, jenis IUD. Kosongkan bila "
                    "tidak tahu.",
                    "1- or 3-monthly injection, implant with 1 or 2 rods, IUD type. Leave empty "
                    "when not known.",
                ),
                relevant=f"({with_product}) and ${{jenis_kunjungan}} != 'cabut'",
                choice_filter="starts-with(name, ${metode})",
            ),
            Question(
                "select_one reason",
                "alasan_setelah_cabut",
                Text("Alasan tidak ber-KB setelah dicabut", "After the removal: why not using"),
                required=True,
                relevant="${jenis_kunjungan} = 'cabut'",
            ),
            Question(
                "select_one yes_no",
                "pasca_persalinan",
                Text(
                    "Pasca persalinan (dalam 42 hari)", "Post-partum (within 42 days of delivery)"
                ),
                required=True,
                default="tidak",
            ),
            Question(
                "select_one yes_no",
                "informed_consent",
                Text("Informed consent diberikan", "Informed consent given"),
                required=True,
                default="tidak",
            ),
            Question(
                "select_one_from_file facilities.csv",
                "kode_faskes",
                Text("Faskes KB atau unit pelayanan", "KB facility or mobile unit"),
                appearance="autocomplete",
            ),
            Question(
                "text", "petugas", Text("Petugas (bidan, dokter)", "Provider (midwife, doctor)")
            ),
            Question("text", "catatan", Text("Catatan", "Notes"), appearance="multiline"),
        ),
        choices={
            "method": _choices(Method),
            "product": _choices(Product),
            "visit": _choices(VisitType),
            "reason": _choices(NotUsingReason),
            "yes_no": YES_NO,
        },
    )


def _poktan_meeting() -> FormDefinition:
    return FormDefinition(
        form_id="lini_pertemuan_poktan",
        title=Text("Pertemuan poktan", "Poktan meeting"),
        version="2025061501",
        instance_name="concat(${tanggal}, ' ', ${topik})",
        survey=(
            VILLAGE,
            Question(
                "select_one_from_file poktan.csv",
                "poktan",
                Text("Kelompok (poktan)", "Group (poktan)"),
                required=True,
                choice_filter="desa=${kode_desa}",
            ),
            Question(
                "date",
                "tanggal",
                Text("Tanggal pertemuan", "Date of the meeting"),
                required=True,
                default="today()",
                constraint=NOT_IN_FUTURE,
            ),
            Question(
                "text", "topik", Text("Topik pertemuan", "Topic of the meeting"), required=True
            ),
            Question(
                "select_multiple_from_file poktan_members.csv",
                "hadir",
                Text("Keluarga anggota yang hadir", "Member families present"),
                choice_filter="poktan=${poktan}",
            ),
            Question(
                "integer",
                "jumlah_hadir",
                Text("Jumlah keluarga hadir", "Number of families present"),
                hint=Text(
                    "Kosongkan: sebanyak keluarga yang dicentang.",
                    "Leave empty: as many as the families ticked.",
                ),
                constraint=". >= 0",
            ),
            Question("text", "catatan", Text("Catatan", "Notes"), appearance="multiline"),
        ),
    )


def _pulled(question: Question) -> Question:
    """The question filled from the stored profile (kampung.csv) each time the village changes."""
    return Question(
        question.type, question.name, question.label, hint=question.hint,
        required=question.required, relevant=question.relevant, constraint=question.constraint,
        appearance=question.appearance,
        calculation=f"pulldata('kampung', '{question.name}', 'desa', ${{kode_desa}})",
        trigger="${kode_desa}",
    )  # fmt: skip


def _kampung_profile() -> FormDefinition:
    pokja = "${pokja_ada} = 'ya'"
    dataku = f"${{rumah_dataku}} != '{NO_RUMAH_DATAKU}' and ${{rumah_dataku}} != ''"
    codes = Text("Boleh lebih dari satu.", "More than one may apply.")
    questions = (
        Question("text", "nama", Text("Nama Kampung KB", "Name of the Kampung KB")),
        Question(
            "date",
            "tanggal_pencanangan",
            Text("Tanggal pencanangan", "Launch date"),
            constraint=NOT_IN_FUTURE,
        ),
        Question(
            "select_multiple criterion",
            "kriteria",
            Text("Kriteria yang dipenuhi", "Criteria met"),
            hint=codes,
        ),
        Question(
            "select_one yes_no",
            "pokja_ada",
            Text("Ada kelompok kerja (pokja)", "A working group (pokja) exists"),
        ),
        Question(
            "text",
            "pokja_sk",
            Text("Nomor SK pokja", "Number of the pokja's decree (SK)"),
            relevant=pokja,
        ),
        Question(
            "date",
            "pokja_tanggal_sk",
            Text("Tanggal SK pokja", "Date of the pokja's decree"),
            relevant=pokja,
            constraint=NOT_IN_FUTURE,
        ),
        Question(
            "integer",
            "pokja_anggota",
            Text("Jumlah anggota pokja", "Pokja members"),
            relevant=pokja,
            constraint=". >= 0",
        ),
        Question(
            "integer",
            "pokja_terlatih",
            Text("Anggota pokja yang terlatih", "Pokja members trained"),
            relevant=pokja,
            constraint=". >= 0 and . <= ${pokja_anggota}",
        ),
        Question(
            "select_one yes_no",
            "regulasi",
            Text("Ada regulasi desa", "A village regulation supports it"),
        ),
        Question(
            "select_one yes_no",
            "rkm",
            Text("Ada rencana kerja masyarakat (RKM)", "A community work plan (RKM)"),
        ),
        Question(
            "text",
            "mitra_sektor",
            Text("Mitra sektor", "Sector partners"),
            hint=Text("Pisahkan dengan titik koma (;).", "Separate them with semicolons (;)."),
        ),
        Question(
            "select_multiple funding",
            "sumber_dana",
            Text("Sumber dana", "Funding sources"),
            hint=codes,
        ),
        Question(
            "select_multiple operation",
            "kegiatan_operasional",
            Text("Kegiatan operasional", "Operational activities"),
            hint=codes,
        ),
        Question(
            "select_multiple data_use",
            "penggunaan_data",
            Text("Penggunaan data", "Uses of data"),
            hint=codes,
        ),
        Question(
            "select_one yes_no", "sekretariat", Text("Ada sekretariat", "A secretariat exists")
        ),
        Question("select_one dataku", "rumah_dataku", Text("Rumah DataKu", "Rumah DataKu")),
        Question(
            "date",
            "rumah_dataku_sejak",
            Text("Rumah DataKu sejak", "Rumah DataKu since"),
            relevant=dataku,
            constraint=NOT_IN_FUTURE,
        ),
        Question(
            "select_multiple data_use",
            "rumah_dataku_data",
            Text("Data yang dimutakhirkan Rumah DataKu", "Data the Rumah DataKu keeps up to date"),
            relevant=dataku,
        ),
        Question(
            "date",
            "rumah_dataku_diperbarui",
            Text("Data Rumah DataKu terakhir diperbarui", "Rumah DataKu data last updated"),
            relevant=dataku,
            constraint=NOT_IN_FUTURE,
        ),
    )
    dataku_choices = (
        Choice(NO_RUMAH_DATAKU, Text("Tidak ada", "None")),
        *(c for c in _choices(RumahDataKuStatus) if c.name),
    )
    return FormDefinition(
        form_id="lini_kampung_kb",
        title=Text("Profil Kampung KB", "Kampung KB profile"),
        version="2025061501",
        instance_name="concat('Kampung KB ', ${kode_desa})",
        survey=(
            VILLAGE,
            Question(
                "note",
                "isian_tersimpan",
                Text(
                    "Jawaban berikut diisi dari profil yang tersimpan di Lini saat formulir "
                    "diunduh; ubah yang perlu. Yang dikosongkan akan dikosongkan di Lini.",
                    "The answers below start from the profile stored in Lini when the form was "
                    "downloaded; change what needs changing. What you empty is emptied in Lini.",
                ),
            ),
            *(_pulled(q) for q in questions),
        ),
        choices={
            "criterion": _choices(Criterion),
            "yes_no": YES_NO,
            "funding": _choices(FundingSource),
            "operation": _choices(Operation),
            "data_use": _choices(DataUse),
            "dataku": dataku_choices,
        },
    )


@cache
def definitions() -> dict[str, FormDefinition]:
    """The forms by form_id (built once: the choice labels come from the catalogue)."""
    forms = (_family_update(), _kb_service(), _poktan_meeting(), _kampung_profile())
    return {form.form_id: form for form in forms}


FORM_IDS = ("lini_keluarga", "lini_pelayanan_kb", "lini_pertemuan_poktan", "lini_kampung_kb")
