"""Pages of API lists: ``?page=N`` (from 1) and ``?page_size=N`` (from 1; more than
:data:`MAX_PAGE_SIZE` gives that many; empty: the default). A page size that is not a whole
number from 1 is refused (400), a page past the last is not found (404)."""

from __future__ import annotations

from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_query_description = gettext_lazy("The page, from 1.")
    page_size_query_description = gettext_lazy(
        "Rows per page: %(default)d unless given; at most %(max)d."
    ) % {"default": PAGE_SIZE, "max": MAX_PAGE_SIZE}

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise ValidationError(
                {self.page_size_query_param: [_("Give the page size as a whole number from 1.")]}
            )
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
