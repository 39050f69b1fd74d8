"""The indicators Lini ships with, as plain data (no Django, no app imports): migration 0002
seeds a frozen copy of :data:`INDICATORS`; a test checks that the two agree.

Each definition is built from the count keys of :mod:`lini.indicators.counts`:
``value = Σ(weight x numerator count) / Σ(weight x denominator count) x factor``; with no
denominator, ``Σ(weight x numerator count) x factor``. A weight is a number or a fraction written
as a string (``"1/15"``), so that the couple-years of protection are exact. Administrators edit
the weights and add indicators from the same counts without code (the catalog page).

Sources: ``DOMAIN.md §n`` is the project's domain reference (docs of the BKKBN forms and
reports); ``[GK]`` marks a choice of ours where no source fixes it (stated in the definition).

Couple-years of protection (DOMAIN.md §7.12) per KB service recorded in Lini (``svc_m_<method>``:
every service given with a method, removals excluded). One service is assumed to hand out [GK]:
one pill cycle (1/15 CYP), one dozen condoms (12/120 = 1/10 CYP), one three-monthly injection
(1/4 CYP; the register does not tell 1-monthly from 3-monthly injections), one CuT-380A IUD (4.6),
one 3-year implant (2.5), one sterilisation (10, the usual figure for Asia) and one MAL
counselling (1/4). Traditional methods add nothing. The long-acting methods (IUD, implant, MOW,
MOP) count only the services that start them (``svc_first_m_<method>``: new acceptor or switch),
so a check-up visit of an IUD user does not add the device's CYP again.
"""

from __future__ import annotations

from typing import Any

HIGHER, LOWER = "naik", "turun"

# Method codes of the register -> (indicator suffix, Indonesian name, English name).
METHODS: tuple[tuple[str, str, str, str], ...] = (
    ("iud", "iud", "IUD (AKDR)", "IUD"),
    ("mow", "mow", "MOW (tubektomi)", "female sterilisation (MOW)"),
    ("mop", "mop", "MOP (vasektomi)", "male sterilisation (MOP)"),
    ("implan", "implant", "Implan", "implant"),
    ("suntik", "injectable", "Suntik", "injectable"),
    ("pil", "pill", "Pil", "pill"),
    ("kondom", "condom", "Kondom", "condom"),
    ("mal", "mal", "MAL", "lactational amenorrhoea (MAL)"),
    ("tradisional", "other", "Tradisional/lainnya", "traditional/other"),
)

REASONS: tuple[tuple[str, str, str], ...] = (
    ("hamil", "hamil", "pregnant"),
    ("ias", "ingin anak segera (IAS)", "want a child soon (IAS)"),
    ("iat", "ingin anak ditunda (IAT)", "want to delay (IAT)"),
    ("tial", "tidak ingin anak lagi (TIAL)", "want no more children (TIAL)"),
    ("lainnya", "alasan lain", "other reason"),
)

POKTAN_KINDS: tuple[tuple[str, str], ...] = (
    ("bkb", "BKB"), ("bkr", "BKR"), ("bkl", "BKL"), ("uppka", "UPPKA"), ("pikr", "PIK-R"),
)  # fmt: skip

KAMPUNG_CLASSES: tuple[tuple[str, str, str], ...] = (
    ("dasar", "Dasar", "basic"),
    ("berkembang", "Berkembang", "developing"),
    ("mandiri", "Mandiri", "self-reliant"),
    ("berkelanjutan", "Berkelanjutan", "sustainable"),
)

INSTITUTIONS = ("ppkbd", "sub_ppkbd", "kelompok_kb", "bkb", "bkr", "bkl", "uppka")

# CYP per service with the method (see the module's docstring).
CYP_WEIGHTS: dict[str, str] = {
    "svc_first_m_iud": "4.6",
    "svc_first_m_implan": "2.5",
    "svc_first_m_mow": "10",
    "svc_first_m_mop": "10",
    "svc_m_suntik": "1/4",
    "svc_m_pil": "1/15",
    "svc_m_kondom": "1/10",
    "svc_m_mal": "1/4",
}

# Where each family of the poktan participation ratio comes from (DOMAIN.md §5).
PARTICIPATION: tuple[tuple[str, str, str, str], ...] = (
    ("bkb", "families_under5", "keluarga punya balita", "families with children under 5"),
    ("bkr", "families_10_24", "keluarga punya remaja", "families with members aged 10-24"),
    ("bkl", "families_60plus", "keluarga punya lansia", "families with members aged 60+"),
    ("uppka", "families", "seluruh keluarga", "all families"),
)


def _ind(
    code: str,
    name_id: str,
    name_en: str,
    numerator: dict[str, Any],
    denominator: dict[str, Any] | None = None,
    *,
    factor: str = "1",
    unit: str = "",
    direction: str = HIGHER,
    definition: str = "",
    source: str = "",
) -> dict[str, Any]:
    return {
        "code": code, "name_id": name_id, "name_en": name_en, "numerator": numerator,
        "denominator": denominator or {}, "factor": factor, "unit": unit, "direction": direction,
        "definition": definition, "source": source,
    }  # fmt: skip


def _definitions() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    add = out.append
    pct = {"factor": "100", "unit": "%"}
    add(_ind("pus", "Pasangan Usia Subur (PUS)", "Couples of reproductive age (PUS)",
             {"pus": 1}, unit="pasangan",
             definition="Couples not ended whose wife's age at the period's last day lies within "
                        "LINI_PUS_MIN_AGE..LINI_PUS_MAX_AGE.",
             source="DOMAIN.md §2, §5"))  # fmt: skip
    add(_ind("pus_no_status", "PUS belum didata status KB", "PUS with no KB status recorded",
             {"pus_unknown": 1}, unit="pasangan", direction=LOWER,
             definition="PUS whose contraceptive status has not been recorded yet.",
             source="Lini (data quality) [GK]"))  # fmt: skip
    add(_ind("pa", "Peserta KB Aktif (PA)", "Active contraceptive users (PA)", {"pa": 1},
             unit="pasangan", definition="PUS using any method at the period's last day.",
             source="DOMAIN.md §5 (statistik rutin)"))  # fmt: skip
    for method, suffix, name_id, name_en in METHODS:
        add(_ind(f"pa_{suffix}", f"PA {name_id}", f"Active users: {name_en}", {f"pa_{method}": 1},
                 unit="pasangan", definition=f"PUS using {name_en} at the period's last day.",
                 source="DOMAIN.md §4.11, §7.1"))  # fmt: skip
    add(_ind("cpr", "CPR (prevalensi kontrasepsi)", "Contraceptive prevalence rate (CPR)",
             {"pa": 1}, {"pus": 1}, **pct,
             definition="Active users (PA) / PUS x 100.", source="DOMAIN.md §5 [S54]"))  # fmt: skip
    add(_ind("mcpr", "mCPR (CPR cara modern)", "Modern contraceptive prevalence rate (mCPR)",
             {"pa_modern": 1}, {"pus": 1}, **pct,
             definition="PUS using a modern method (every method but traditional; MAL counts as "
                        "modern) / PUS x 100.",
             source="DOMAIN.md §5, §7.1 [S24][S41]"))  # fmt: skip
    add(_ind("mkjp_share", "Kesertaan MKJP", "Long-acting methods share (MKJP)",
             {"pa_mkjp": 1}, {"pa": 1}, **pct,
             definition="Active users of IUD, implant, MOW or MOP / all active users x 100.",
             source="DOMAIN.md §5 [S16]"))  # fmt: skip
    add(_ind("unmet_need", "Unmet need", "Unmet need", {"nonuser_iat": 1, "nonuser_tial": 1},
             {"pus": 1}, **pct, direction=LOWER,
             definition="PUS not using a method who want to delay (IAT) or want no more children "
                        "(TIAL) / PUS x 100.",
             source="DOMAIN.md §5, §7.3 (Kampung KB portal) [S16]"))  # fmt: skip
    add(_ind("nonuser", "PUS bukan peserta KB", "PUS not using contraception",
             {f"nonuser_{r}": 1 for r, _n, _e in REASONS}, unit="pasangan",
             definition="PUS with a recorded status of not using, whatever the reason.",
             source="DOMAIN.md §4.11, §7.3"))  # fmt: skip
    for reason, name_id, name_en in REASONS:
        add(_ind(f"nonuser_{reason}", f"PUS bukan peserta KB: {name_id}",
                 f"PUS not using: {name_en}", {f"nonuser_{reason}": 1}, unit="pasangan",
                 definition=f"PUS not using a method because: {name_en}.",
                 source="DOMAIN.md §7.3"))  # fmt: skip
    add(_ind("pb", "Peserta KB Baru (PB)", "New acceptors (PB)", {"pb": 1}, unit="pasangan",
             definition="Couples who started a method in the period coming from not using or from "
                        "no recorded status.", source="DOMAIN.md §5, §7.7"))  # fmt: skip
    for method, suffix, name_id, name_en in METHODS:
        add(_ind(f"pb_{suffix}", f"PB {name_id}", f"New acceptors: {name_en}",
                 {f"pb_{method}": 1}, unit="pasangan",
                 definition=f"New acceptors of {name_en} in the period.",
                 source="DOMAIN.md §5, §7.7"))  # fmt: skip
    add(_ind("dropout", "Putus pakai (drop out)", "Dropouts", {"dropout": 1}, unit="pasangan",
             direction=LOWER,
             definition="Couples who went from using to not using in the period.",
             source="DOMAIN.md §5"))  # fmt: skip
    add(_ind("dropout_rate", "Angka putus pakai", "Dropout rate", {"dropout": 1}, {"pa": 1},
             **pct, direction=LOWER,
             definition="Dropouts in the period / active users at the period's last day x 100 "
                        "[GK: the routine-statistics reading; the survey definition follows "
                        "episodes over 12 months].", source="DOMAIN.md §5 [S43]"))  # fmt: skip
    add(_ind("switch", "Ganti cara", "Method switches", {"switch": 1}, unit="pasangan",
             definition="Couples who changed from one method to another in the period.",
             source="DOMAIN.md §7.7"))  # fmt: skip
    for method, suffix, name_id, name_en in METHODS:
        add(_ind(f"mix_{suffix}", f"Proporsi metode {name_id}", f"Method mix: {name_en}",
                 {f"pa_{method}": 1}, {"pa": 1}, **pct,
                 definition=f"Active users of {name_en} / all active users x 100.",
                 source="DOMAIN.md §4.11, §7.1"))  # fmt: skip
    add(_ind("svc", "Pelayanan KB", "KB services", {"svc": 1}, unit="pelayanan",
             definition="KB services given in the period (every visit type, removals included).",
             source="DOMAIN.md §4.8"))  # fmt: skip
    add(_ind("svc_postpartum", "Pelayanan KB pasca persalinan", "Post-partum KB services",
             {"svc_postpartum": 1}, unit="pelayanan",
             definition="KB services given after a delivery in the period.",
             source="DOMAIN.md §5, §7.7"))  # fmt: skip
    add(_ind("cyp", "Couple-years of protection (CYP)", "Couple-years of protection (CYP)",
             dict(CYP_WEIGHTS), unit="CYP",
             definition="Sum over the period's KB services of the protection each gives: pill "
                        "1/15 per service (one cycle), condom 1/10 (a dozen), injectable 1/4 "
                        "(three-monthly), IUD 4.6 (CuT-380A), implant 2.5 (3-year), MOW/MOP 10, "
                        "MAL 1/4 [GK: the amount per service]. The weights are editable.",
             source="DOMAIN.md §7.12 [S40]"))  # fmt: skip
    add(_ind("poktan", "Poktan", "Poktan groups",
             {f"poktan_{k}": 1 for k, _n in POKTAN_KINDS}, unit="kelompok",
             definition="Poktan groups (BKB, BKR, BKL, UPPKA, PIK-R) formed by the period's end.",
             source="DOMAIN.md §4.10"))  # fmt: skip
    add(_ind("poktan_active", "Poktan aktif", "Active poktan groups",
             {f"poktan_active_{k}": 1 for k, _n in POKTAN_KINDS}, unit="kelompok",
             definition="Poktan groups that met within the last LINI_POKTAN_ACTIVE_MONTHS months.",
             source="DOMAIN.md §4.10"))  # fmt: skip
    for kind, label in POKTAN_KINDS:
        add(_ind(f"poktan_{kind}", f"Poktan {label}", f"{label} groups", {f"poktan_{kind}": 1},
                 unit="kelompok", definition=f"{label} groups formed by the period's end.",
                 source="DOMAIN.md §4.10"))  # fmt: skip
        add(_ind(f"poktan_active_{kind}", f"Poktan {label} aktif", f"Active {label} groups",
                 {f"poktan_active_{kind}": 1}, unit="kelompok",
                 definition=f"{label} groups that met within the last LINI_POKTAN_ACTIVE_MONTHS "
                            "months.", source="DOMAIN.md §4.10"))  # fmt: skip
    for kind, families, name_id, name_en in PARTICIPATION:
        label = kind.upper()
        add(_ind(f"participation_{kind}", f"Partisipasi {label}", f"{label} participation",
                 {f"poktan_members_{kind}": 1}, {families: 1}, **pct,
                 definition=f"{label} member families / {name_en} x 100.",
                 source=f"DOMAIN.md §5 (Kampung KB: {label} / {name_id}) [S16]"))  # fmt: skip
    add(_ind("participation_poktan", "Keluarga ikut poktan", "Families in a poktan",
             {"poktan_families": 1}, {"families": 1}, **pct,
             definition="Families in at least one poktan / all families x 100.",
             source="DOMAIN.md §7.11 (poktan participation) [S16]"))  # fmt: skip
    add(_ind("kampung", "Kampung KB", "Kampung KB", {"kampung": 1}, unit="desa",
             definition="Villages with a Kampung KB.", source="DOMAIN.md §4.12"))  # fmt: skip
    for klass, name_id, name_en in KAMPUNG_CLASSES:
        add(_ind(f"kampung_{klass}", f"Kampung KB {name_id}", f"Kampung KB: {name_en}",
                 {f"kampung_{klass}": 1}, unit="desa",
                 definition=f"Kampung KB of class {name_id} in the period's last month.",
                 source="DOMAIN.md §7.11 [S15][S16]"))  # fmt: skip
    add(_ind("kampung_rdk", "Kampung KB dengan Rumah DataKu", "Kampung KB with Rumah DataKu",
             {"kampung_rdk": 1}, unit="desa",
             definition="Kampung KB whose Rumah DataKu is active.",
             source="DOMAIN.md §4.12"))  # fmt: skip
    add(_ind("kampung_rdk_share", "Proporsi Kampung KB dengan Rumah DataKu",
             "Share of Kampung KB with Rumah DataKu", {"kampung_rdk": 1}, {"kampung": 1}, **pct,
             definition="Kampung KB with an active Rumah DataKu / all Kampung KB x 100.",
             source="DOMAIN.md §4.12"))  # fmt: skip
    add(_ind("reporting_coverage", "Cakupan laporan bulanan", "Monthly reporting coverage",
             {"monthly_sent": 1}, {"monthly_expected": 1}, **pct,
             definition="Village-months whose field-control input was submitted or approved / "
                        "village-months due (months up to the current one) x 100.",
             source="DOMAIN.md §4.11, §5 (Caklap) [S52]"))  # fmt: skip
    add(_ind("reporting_approved", "Laporan bulanan disetujui", "Monthly inputs approved",
             {"monthly_approved": 1}, {"monthly_expected": 1}, **pct,
             definition="Village-months whose field-control input was approved / village-months "
                        "due x 100.", source="DOMAIN.md §4.11"))  # fmt: skip
    add(_ind("caklap", "Cakupan kelembagaan melapor (Caklap)",
             "Institutions reporting (Caklap)",
             {f"inst_{k}_reported": 1 for k in INSTITUTIONS},
             {f"inst_{k}_exist": 1 for k in INSTITUTIONS}, **pct,
             definition="Institutions (PPKBD, Sub-PPKBD, Kelompok KB, BKB, BKR, BKL, UPPKA) that "
                        "reported / that exist, from the sent monthly inputs, x 100.",
             source="DOMAIN.md §4.11, §5 [S52]"))  # fmt: skip
    add(_ind("villages", "Jumlah desa/kelurahan", "Villages", {"villages": 1}, unit="desa",
             definition="Villages in the region.", source="DOMAIN.md §4.1"))  # fmt: skip
    add(_ind("counsellors", "PKB/PLKB", "Field counsellors (PKB/PLKB)", {"counsellors": 1},
             unit="orang", definition="Active field counsellors looking after villages of the "
                                      "region (each counted once).",
             source="DOMAIN.md §2"))  # fmt: skip
    add(_ind("villages_per_counsellor", "Rasio desa per PKB/PLKB", "Villages per counsellor",
             {"villages": 1}, {"counsellors": 1}, unit="desa/orang", direction=LOWER,
             definition="Villages / active field counsellors.",
             source="BKKBN (one PKB per 1-2 villages) [GK]"))  # fmt: skip
    add(_ind("villages_no_counsellor", "Desa tanpa PKB/PLKB", "Villages with no counsellor",
             {"villages": 1, "counsellor_assigned": -1}, unit="desa", direction=LOWER,
             definition="Villages no active field counsellor looks after.",
             source="DOMAIN.md §2 [GK]"))  # fmt: skip
    add(_ind("cadres", "Kader", "Cadres", {"cadres": 1}, unit="orang",
             definition="Active cadres of every kind (PPKBD, Sub-PPKBD, poktan cadres).",
             source="DOMAIN.md §2"))  # fmt: skip
    add(_ind("cadres_per_village", "Kader per desa", "Cadres per village", {"cadres": 1},
             {"villages": 1}, unit="orang/desa",
             definition="Active cadres / villages.", source="DOMAIN.md §2 [GK]"))  # fmt: skip
    add(_ind("ppkbd", "PPKBD", "PPKBD (village KB cadres)", {"ppkbd": 1}, unit="orang",
             definition="Active PPKBD cadres.", source="DOMAIN.md §2"))  # fmt: skip
    add(_ind("families", "Keluarga", "Families", {"families": 1}, unit="keluarga",
             definition="Families with at least one member living in them.",
             source="DOMAIN.md §4.2"))  # fmt: skip
    due = "DOMAIN.md §4.8 (K/IV/KB: the date of the next visit); due-list rules (lini.visits) [GK]"
    cycles = (
        "A cycle is a resupply or check-up falling due in the period: an anchor (the start of "
        "a use of a method or a service of it) + the rule's interval; see "
        "lini.indicators.counts for the exact definition."
    )
    add(_ind("due_visits", "Kunjungan ulang jatuh tempo", "Due visits", {"due_visits": 1},
             unit="kunjungan", definition=f"Due visits (repeat visits and check-ups). {cycles}",
             source=due))  # fmt: skip
    add(_ind("due_on_time_pct", "Kunjungan jatuh tempo tepat waktu (%)",
             "Due visits done on time (%)", {"due_on_time": 1},
             {"due_on_time": 1, "due_overdue": 1}, **pct,
             definition="Due visits where the couple was served again with the method by the end "
                        "of the grace period / (those + the overdue ones) x 100; those whose grace "
                        f"period has not ended are left out. {cycles}",
             source=due))  # fmt: skip
    add(_ind("due_overdue", "Kunjungan jatuh tempo terlambat", "Due visits overdue",
             {"due_overdue": 1}, unit="kunjungan", direction=LOWER,
             definition="Due visits not served again with the method by the end of the grace "
                        f"period, that day having passed. {cycles}", source=due))  # fmt: skip
    add(_ind("due_dropout", "Putus pakai setelah kunjungan terlewat",
             "Dropouts after missed visits", {"due_dropout": 1}, unit="pasangan",
             direction=LOWER,
             definition="Overdue due visits after which the couple was recorded as not using "
                        f"(before it was served with the method again). {cycles}",
             source=due))  # fmt: skip
    add(_ind("due_visited_pct", "Kunjungan jatuh tempo didatangi (%)",
             "Due visits followed up at home (%)", {"due_visited": 1}, {"due_visits": 1}, **pct,
             definition="Due visits for which a home visit was recorded (any outcome) between "
                        f"the anchor and the end of the grace period / due visits x 100. {cycles}",
             source=due))  # fmt: skip
    for position, definition in enumerate(out, start=1):
        definition["position"] = position * 10
    return out


INDICATORS: list[dict[str, Any]] = _definitions()


# Follow-through of due visits (lini.visits.followthrough): flows of the month of the due date.
DUE_KEYS = ("due_visits", "due_on_time", "due_overdue", "due_dropout", "due_visited")

# Every count key (lini.indicators.counts), for checking the keys an administrator types.
VISIT_TYPES = ("baru", "ulang", "ganti", "pindahan", "cabut")
COUNT_KEYS: frozenset[str] = frozenset(
    {
        "villages", "pus", "pa", "pa_modern", "pa_mkjp", "unmet", "pus_unknown", "pb",
        "dropout", "switch", "svc", "svc_postpartum", "families", "families_under5",
        "families_10_24", "families_60plus", "poktan_families", "kampung", "kampung_rdk",
        "counsellors", "counsellor_assigned", "cadres", "ppkbd", "monthly_expected",
        "monthly_sent", "monthly_approved",
        *(f"{p}_{m}" for m, *_r in METHODS for p in ("pa", "pb", "svc_m", "svc_first_m")),
        *(f"nonuser_{r}" for r, *_r in REASONS),
        *(f"svc_{v}" for v in VISIT_TYPES),
        *(f"{p}_{k}" for k, _l in POKTAN_KINDS
          for p in ("poktan", "poktan_active", "poktan_members", "meetings")),
        *(f"kampung_{c}" for c, *_r in KAMPUNG_CLASSES),
        *(f"inst_{i}_{s}" for i in INSTITUTIONS for s in ("exist", "reported")),
        *DUE_KEYS,
    }
)  # fmt: skip

# Flows: what happened during a month (a year sums its months); every other key is a state at
# the month's end (a year takes its last month). The monthly-input keys are one per village and
# month, so a year sums them too (coverage over the year's months).
FLOW_PREFIXES = ("pb", "dropout", "switch", "svc", "meetings_", "monthly_", "inst_", "due_")


def is_flow(key: str) -> bool:
    return key.startswith(FLOW_PREFIXES)
