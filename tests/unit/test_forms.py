"""E-form validation against a procedure version's JSON Schema (Draft 2020-12)."""

from __future__ import annotations

import pytest

from application.forms import InvalidForm, InvalidFormSchema, check_form, check_form_schema, form_errors
from tests.unit.procedure_fixtures import FORM_SCHEMA, VALID_FORM


def test_a_valid_form_passes() -> None:
    check_form(FORM_SCHEMA, VALID_FORM)


def test_a_version_without_a_schema_takes_any_form() -> None:
    check_form(None, {"anything": 1})


def test_every_bad_field_is_listed_by_path_with_messages_in_both_languages() -> None:
    form = {**VALID_FORM, "birthDate": "20/02/2026", "sex": "Khác", "copies": 11}
    del form["fatherName"]
    errors = form_errors(FORM_SCHEMA, form)
    assert [e.field for e in errors] == ["form.birthDate", "form.copies", "form.fatherName", "form.sex"]
    by_field = {e.field: e for e in errors}
    assert by_field["form.fatherName"].message_vi == "Trường 'Họ, chữ đệm, tên cha' là bắt buộc."
    assert by_field["form.fatherName"].message_en == "'fatherName' is required."
    assert by_field["form.birthDate"].message_vi == "Trường 'Ngày, tháng, năm sinh' phải là ngày (YYYY-MM-DD) hợp lệ."
    assert by_field["form.birthDate"].message_en == "'birthDate' must be a valid date."
    assert by_field["form.sex"].message_vi == "Trường 'Giới tính' phải là một trong: Nam, Nữ."
    assert by_field["form.copies"].message_en == "'copies' must be at most 10."


def test_type_and_length_errors_name_the_field_in_vietnamese() -> None:
    errors = {e.field: e for e in form_errors(FORM_SCHEMA, {**VALID_FORM, "childName": 7, "motherName": "T"})}
    assert errors["form.childName"].message_vi == "Trường 'Họ, chữ đệm, tên người được khai sinh' phải là chuỗi ký tự."
    assert errors["form.motherName"].message_en == "'motherName' needs at least 2 characters."


def test_nested_fields_and_list_items_have_dotted_and_indexed_paths() -> None:
    schema = {"type": "object", "properties": {"plots": {"type": "array", "items": {
        "type": "object", "required": ["area"], "properties": {"area": {"type": "number", "exclusiveMinimum": 0,
                                                                      "title": "Diện tích (m²)"}}}}}}
    errors = form_errors(schema, {"plots": [{"area": 12}, {"area": 0}, {}]})
    assert [(e.field, e.message_vi) for e in errors] == [
        ("form.plots[1].area", "Trường 'Diện tích (m²)' phải > 0."),
        ("form.plots[2].area", "Trường 'Diện tích (m²)' là bắt buộc."),
    ]


def test_check_form_raises_one_error_carrying_the_list() -> None:
    with pytest.raises(InvalidForm) as raised:
        check_form(FORM_SCHEMA, {})
    assert len(raised.value.errors) == 5
    assert raised.value.extra["field"] == "form.birthDate"


def test_a_schema_that_is_not_a_valid_draft_2020_12_schema_is_refused() -> None:
    with pytest.raises(InvalidFormSchema):
        check_form_schema({"type": "objet"})
    check_form_schema(FORM_SCHEMA)
