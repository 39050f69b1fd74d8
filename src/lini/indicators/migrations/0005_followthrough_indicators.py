"""Add the follow-through indicators of the due lists (issue 9): a frozen copy of their
definitions in lini.indicators.catalog.INDICATORS as this migration was written (a test compares
the catalog with the database)."""

from django.db import migrations

INDICATORS = [{'code': 'due_visits',
  'name_id': 'Kunjungan ulang jatuh tempo',
  'name_en': 'Due visits',
  'numerator': {'due_visits': 1},
  'denominator': {},
  'factor': '1',
  'unit': 'kunjungan',
  'direction': 'naik',
  'definition': 'Due visits (repeat visits and check-ups). A cycle is a resupply or check-up '
                'falling due in the period: an anchor (the start of a use of a method or a service '
                "of it) + the rule's interval; see lini.indicators.counts for the exact "
                'definition.',
  'source': 'DOMAIN.md §4.8 (K/IV/KB: the date of the next visit); due-list rules (lini.visits) '
            '[GK]',
  'position': 830},
 {'code': 'due_on_time_pct',
  'name_id': 'Kunjungan jatuh tempo tepat waktu (%)',
  'name_en': 'Due visits done on time (%)',
  'numerator': {'due_on_time': 1},
  'denominator': {'due_on_time': 1, 'due_overdue': 1},
  'factor': '100',
  'unit': '%',
  'direction': 'naik',
  'definition': 'Due visits where the couple was served again with the method by the end of the '
                'grace period / (those + the overdue ones) x 100; those whose grace period has not '
                'ended are left out. A cycle is a resupply or check-up falling due in the period: '
                "an anchor (the start of a use of a method or a service of it) + the rule's "
                'interval; see lini.indicators.counts for the exact definition.',
  'source': 'DOMAIN.md §4.8 (K/IV/KB: the date of the next visit); due-list rules (lini.visits) '
            '[GK]',
  'position': 840},
 {'code': 'due_overdue',
  'name_id': 'Kunjungan jatuh tempo terlambat',
  'name_en': 'Due visits overdue',
  'numerator': {'due_overdue': 1},
  'denominator': {},
  'factor': '1',
  'unit': 'kunjungan',
  'direction': 'turun',
  'definition': 'Due visits not served again with the method by the end of the grace period, that '
                'day having passed. A cycle is a resupply or check-up falling due in the period: '
                "an anchor (the start of a use of a method or a service of it) + the rule's "
                'interval; see lini.indicators.counts for the exact definition.',
  'source': 'DOMAIN.md §4.8 (K/IV/KB: the date of the next visit); due-list rules (lini.visits) '
            '[GK]',
  'position': 850},
 {'code': 'due_dropout',
  'name_id': 'Putus pakai setelah kunjungan terlewat',
  'name_en': 'Dropouts after missed visits',
  'numerator': {'due_dropout': 1},
  'denominator': {},
  'factor': '1',
  'unit': 'pasangan',
  'direction': 'turun',
  'definition': 'Overdue due visits after which the couple was recorded as not using (before it '
                'was served with the method again). A cycle is a resupply or check-up falling due '
                'in the period: an anchor (the start of a use of a method or a service of it) + '
                "the rule's interval; see lini.indicators.counts for the exact definition.",
  'source': 'DOMAIN.md §4.8 (K/IV/KB: the date of the next visit); due-list rules (lini.visits) '
            '[GK]',
  'position': 860},
 {'code': 'due_visited_pct',
  'name_id': 'Kunjungan jatuh tempo didatangi (%)',
  'name_en': 'Due visits followed up at home (%)',
  'numerator': {'due_visited': 1},
  'denominator': {'due_visits': 1},
  'factor': '100',
  'unit': '%',
  'direction': 'naik',
  'definition': 'Due visits for which a home visit was recorded (any outcome) between the anchor '
                'and the end of the grace period / due visits x 100. A cycle is a resupply or '
                'check-up falling due in the period: an anchor (the start of a use of a method or '
                "a service of it) + the rule's interval; see lini.indicators.counts for the exact "
                'definition.',
  'source': 'DOMAIN.md §4.8 (K/IV/KB: the date of the next visit); due-list rules (lini.visits) '
            '[GK]',
  'position': 870}]


def seed(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    for definition in INDICATORS:
        fields = dict(definition)
        code = fields.pop("code")
        Indicator.objects.update_or_create(code=code, defaults={**fields, "builtin": True})


def unseed(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(builtin=True, code__in=[d["code"] for d in INDICATORS]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("indicators", "0004_pending_counts"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
