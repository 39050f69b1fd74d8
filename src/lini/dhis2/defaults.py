"""The example mapping Lini ships with (plain data, no Django): migration 0002 seeds a frozen copy
of :func:`default_figure_mappings`; a test checks that the two agree and that every figure exists.

Indonesia's real DHIS2 codes (data elements, category option combos, data sets of the national
instance) are not public here, so these codes are made up in a consistent pattern: ``KB_PA`` with
the category ``KB_METODE`` (options ``IUD``, ``MOW`` ...), one category option combo per option
(``KB_METODE_IUD``). Administrators replace them with the codes of their DHIS2 instance (the
mapping pages, or its CSV). Percentages (CPR, unmet need ...) are left out: DHIS2 computes
indicators from the counts.
"""

from __future__ import annotations

EXPORT, TARGET = "export", "target"
DATA_SET = "LINI_KB_BULANAN"
TARGET_DATA_SET = "LINI_KB_TARGET"

METHODS = ("iud", "mow", "mop", "implan", "suntik", "pil", "kondom", "mal", "tradisional")
REASONS = ("hamil", "ias", "iat", "tial", "lainnya")
INSTITUTIONS = ("ppkbd", "sub_ppkbd", "kelompok_kb", "bkb", "bkr", "bkl", "uppka")
POKTAN_KINDS = ("bkb", "bkr", "bkl", "uppka", "pikr")
VISITS = ("baru", "ulang", "ganti", "pindahan", "cabut")
TARGET_INDICATORS = ("cpr", "mcpr", "mkjp_share", "unmet_need", "dropout_rate")


def _row(
    figure: str,
    data_element: str,
    category: str = "",
    option: str = "",
    *,
    use: str = EXPORT,
    data_set: str = DATA_SET,
) -> dict[str, str]:
    option = option.upper()
    return {
        "use": use,
        "figure": figure,
        "data_set": data_set,
        "data_element": data_element,
        "category_option_combo": f"{category}_{option}" if category else "",
        "adx_categories": f"{category}={option}" if category else "",
        "attribute_option_combo": "",
        "adx_attributes": "",
    }


def default_figure_mappings() -> list[dict[str, str]]:
    rows = [_row("I.pus", "KB_PUS")]
    rows += [_row(f"I.pa_{m}", "KB_PA", "KB_METODE", m) for m in METHODS]
    rows += [_row(f"I.pb_{m}", "KB_PB", "KB_METODE", m) for m in METHODS]
    rows += [_row("I.dropout", "KB_DROPOUT"), _row("I.switch", "KB_GANTI_CARA")]
    rows += [_row(f"II.nonuser_{r}", "KB_PUS_BUKAN_PESERTA", "KB_ALASAN", r) for r in REASONS]
    rows += [_row("II.unmet", "KB_UNMET_NEED"), _row("II.pus_unknown", "KB_PUS_TANPA_STATUS")]
    for institution in INSTITUTIONS:
        rows.append(_row(f"III.{institution}.exist", "KB_INSTITUSI_ADA", "KB_INSTITUSI",
                         institution))  # fmt: skip
        rows.append(_row(f"III.{institution}.reported", "KB_INSTITUSI_LAPOR", "KB_INSTITUSI",
                         institution))  # fmt: skip
    rows += [
        _row("III.monthly_inputs.exist", "KB_INPUT_DESA_WAJIB"),
        _row("III.monthly_inputs.reported", "KB_INPUT_DESA_TERKIRIM"),
    ]
    for column, element in (("groups", "POKTAN_KELOMPOK"), ("active", "POKTAN_AKTIF"),
                            ("members", "POKTAN_KELUARGA_ANGGOTA"),
                            ("meetings", "POKTAN_PERTEMUAN")):  # fmt: skip
        rows += [_row(f"IV.{k}.{column}", element, "POKTAN", k) for k in POKTAN_KINDS]
    rows += [_row(f"V.svc_{v}", "KB_LAYANAN", "KB_KUNJUNGAN", v) for v in VISITS]
    rows += [_row(f"V.svc_m_{m}", "KB_LAYANAN_METODE", "KB_METODE", m) for m in METHODS]
    rows.append(_row("V.svc_postpartum", "KB_LAYANAN_PASCASALIN"))
    rows += [
        _row(f"indicator.{code}", f"KB_TARGET_{code.upper()}", use=TARGET,
             data_set=TARGET_DATA_SET)
        for code in TARGET_INDICATORS
    ]  # fmt: skip
    return rows
