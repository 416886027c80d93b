"""Terms of a small, valid procedure version, for the catalogue's unit tests."""

from __future__ import annotations

import copy
from typing import Any

FORM_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "Tờ khai đăng ký khai sinh",
    "required": ["childName", "birthDate", "sex", "fatherName", "motherName"],
    "properties": {
        "childName": {"type": "string", "title": "Họ, chữ đệm, tên người được khai sinh", "minLength": 2,
                      "description": "Viết chữ in hoa có dấu"},
        "birthDate": {"type": "string", "format": "date", "title": "Ngày, tháng, năm sinh"},
        "sex": {"enum": ["Nam", "Nữ"], "title": "Giới tính"},
        "fatherName": {"type": "string", "title": "Họ, chữ đệm, tên cha"},
        "motherName": {"type": "string", "title": "Họ, chữ đệm, tên mẹ", "minLength": 2},
        "copies": {"type": "integer", "minimum": 0, "maximum": 10, "title": "Số bản sao yêu cầu cấp"},
    },
}

VALID_FORM = {"childName": "NGUYỄN VĂN BÌNH", "birthDate": "2026-02-20", "sex": "Nam",
              "fatherName": "Nguyễn Văn An", "motherName": "Trần Thị Hoa", "copies": 2}


def terms(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "Đăng ký khai sinh",
        "field": "Hộ tịch",
        "receiving_units": ["000.00.01.H22"],
        "handling_unit": "000.12.01.H22",
        "service_level": "full",
        "channels": ["online", "counter"],
        "processing_time": {"online": {"value": 1, "unit": "working_days"},
                            "counter": {"value": 1, "unit": "working_days"}},
        "steps": [
            {"name": "Tiếp nhận", "unit": "000.00.01.H22", "role": "reception_officer", "hours": 2},
            {"name": "Xử lý, trình ký", "unit": "000.12.01.H22", "role": "handling_officer", "hours": 6},
        ],
        "fees": [{"name": "Lệ phí đăng ký khai sinh", "amount": 0, "payable_online": True}],
        "components": [{"name": "Giấy chứng sinh", "originals": 1, "copies": 0, "required": True,
                        "media_types": ["application/pdf", "image/jpeg"], "max_size": 5_000_000,
                        "reusable": False}],
        "form_schema": copy.deepcopy(FORM_SCHEMA),
        "legal_basis": ["Luật Hộ tịch 2014"],
    }
    base.update(changes)
    return base


def seed_form(code: str) -> dict[str, Any]:
    """The first example of a seeded procedure's e-form: a valid form to file it with."""
    from adapters.catalogue.importer import read_seed

    for raw in read_seed()["procedures"]:
        if raw["code"] == code and raw.get("formSchema"):
            return copy.deepcopy(raw["formSchema"]["examples"][0])  # type: ignore[no-any-return]
    return {}
