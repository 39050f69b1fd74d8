"""The KB service form asks the product (shown for the methods that have products, offering
only the chosen method's) and a submission records it through the services import's row step."""

from __future__ import annotations

import pytest

from django.conf import settings
from django.test import Client

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.kb.choices import PRODUCT_METHOD, Product
from lini.kb.models import Service
from lini.odk import appliers
from lini.odk.definitions import definitions
from lini.odk.models import Submission, SubmissionStatus
from lini.odk.tests.helpers import instance_xml, submit
from lini.regions.tests.places import SINGAMERTA
from lini.register.choices import Method
from lini.register.tests.factories import make_family

pytestmark = pytest.mark.django_db

WIFE_NIK = "3604094808820002"


def _values(**changes: str) -> dict[str, str]:
    values = {
        "kode_desa": SINGAMERTA, "tanggal": "2019-11-05", "nik_istri": WIFE_NIK,
        "metode": "suntik", "produk": "suntik_3", "jenis_kunjungan": "ganti",
        "pasca_persalinan": "tidak", "informed_consent": "ya",
    }  # fmt: skip
    values.update(changes)
    return values


def test_the_product_question_offers_the_chosen_methods_products() -> None:
    form = definitions()["lini_pelayanan_kb"]
    question = form.question("produk")
    assert question is not None
    assert not question.required  # not known: left empty
    assert [c.name for c in form.choices["product"]] == Product.values
    # The choice filter keeps the products whose code starts with the method's code: exactly
    # the method's own products.
    assert question.choice_filter == "starts-with(name, ${metode})"
    for method in Method.values:
        offered = {p for p in Product.values if p.startswith(method)}
        assert offered == {p for p, m in PRODUCT_METHOD.items() if m == method}, method
    # Asked for the methods that have products, and not for a removal.
    for method in sorted(set(PRODUCT_METHOD.values())):
        assert f"${{metode}} = '{method}'" in question.relevant
    assert "${metode} = 'pil'" not in question.relevant
    assert "${jenis_kunjungan} != 'cabut'" in question.relevant
    assert "produk" in appliers.SERVICE_COLUMNS


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_submission_records_the_product(client: Client) -> None:
    make_family(SINGAMERTA, kk="3604091234560001", head_nik="3604090808800001", wife_nik=WIFE_NIK)
    cadre = make_user(Role.CADRE, SINGAMERTA, username="kader.singamerta")
    response = submit(client, cadre, instance_xml("lini_pelayanan_kb", _values()))
    assert response.status_code == 201, response.content
    assert Service.objects.get().product == Product.INJECTABLE_3M


def test_a_product_of_another_method_is_kept_for_review(client: Client) -> None:
    make_family(SINGAMERTA, kk="3604091234560001", head_nik="3604090808800001", wife_nik=WIFE_NIK)
    cadre = make_user(Role.CADRE, SINGAMERTA, username="kader.singamerta")
    data = instance_xml("lini_pelayanan_kb", _values(metode="implan", produk="suntik_1"))
    assert submit(english(client), cadre, data).status_code == 202
    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.NEEDS_REVIEW
    assert submission.errors == [  # stored in the sender's language
        {"field": "produk", "message": "1-monthly injection is not a product of the method implan."}
    ]
    assert not Service.objects.exists()
