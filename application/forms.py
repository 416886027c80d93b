"""E-form validation: a procedure version's JSON Schema (Draft 2020-12) against a filed form.

The ``jsonschema`` library does the checking; this module turns each of its errors into a
``FormFieldError`` naming the field's path (``form.owner.idNumber``, ``form.plots[0].area``)
with a Vietnamese and an English message. The Vietnamese one uses the field's ``title`` from the
schema (the label the citizen saw), so it reads like the form.
"""

from __future__ import annotations

import json
from functools import lru_cache

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from application.errors import ApplicationError

FORMAT_NAMES_VI = {"date": "ngày (YYYY-MM-DD)", "email": "địa chỉ thư điện tử", "date-time": "thời điểm",
                   "uri": "địa chỉ web"}
TYPE_NAMES_VI = {"string": "chuỗi ký tự", "integer": "số nguyên", "number": "số", "boolean": "đúng/sai",
                 "object": "nhóm thông tin", "array": "danh sách", "null": "rỗng"}


@dataclass(frozen=True)
class FormFieldError:
    field: str
    message_vi: str
    message_en: str


class InvalidForm(ApplicationError):
    """The filed form does not satisfy the procedure version's schema; nothing was stored."""

    code = "invalid-form"
    message_vi = "Tờ khai điện tử chưa hợp lệ"
    message_en = "The e-form has invalid fields"
    http_status = 422

    def __init__(self, errors: list[FormFieldError]) -> None:
        super().__init__(f"{len(errors)} field(s) are invalid", field=errors[0].field if errors else "form",
                         errors=errors)
        self.errors = errors


class InvalidFormSchema(ApplicationError):
    code = "invalid-form-schema"
    message_vi = "Biểu mẫu điện tử không phải JSON Schema hợp lệ (Draft 2020-12)"
    message_en = "The e-form is not a valid JSON Schema (Draft 2020-12)"
    http_status = 422


def check_form_schema(schema: Mapping[str, Any] | None) -> None:
    if schema is None:
        return
    _check_schema_text(json.dumps(schema, sort_keys=True, ensure_ascii=False))


@lru_cache(maxsize=256)
def _check_schema_text(text: str) -> None:
    """Checking a schema against the 2020-12 meta-schema is slow (every start imports the
    seed's forms); the check is a pure function of the schema's text, so valid ones are
    remembered (an invalid one raises and is not cached)."""
    try:
        Draft202012Validator.check_schema(json.loads(text))
    except SchemaError as exc:
        raise InvalidFormSchema(exc.message, field="formSchema") from None


def _path(parts: Iterable[Any]) -> str:
    out = "form"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _label(schema: Mapping[str, Any], name: str) -> str:
    title = schema.get("title") if isinstance(schema, Mapping) else None
    return f"'{title}'" if title else f"'{name}'"


def _messages(error: ValidationError) -> tuple[str, list[Any], str, str]:
    """(kind, path, vi, en) for one jsonschema error."""
    path = list(error.absolute_path)
    kind, value, schema = str(error.validator), error.validator_value, error.schema
    name = str(path[-1]) if path else "form"
    label = _label(schema, name) if isinstance(schema, Mapping) else f"'{name}'"
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        props = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
        path = [*path, missing]
        label = _label(props.get(missing, {}), missing)
        return kind, path, f"Trường {label} là bắt buộc.", f"'{missing}' is required."
    if kind == "type":
        types = value if isinstance(value, list) else [value]
        vi = " hoặc ".join(TYPE_NAMES_VI.get(t, t) for t in types)
        return kind, path, f"Trường {label} phải là {vi}.", f"'{name}' must be of type {' or '.join(types)}."
    if kind == "minLength":
        return kind, path, f"Trường {label} cần ít nhất {value} ký tự.", f"'{name}' needs at least {value} characters."
    if kind == "maxLength":
        return kind, path, f"Trường {label} tối đa {value} ký tự.", f"'{name}' takes at most {value} characters."
    if kind == "pattern":
        return kind, path, f"Trường {label} không đúng định dạng.", f"'{name}' does not match the expected format."
    if kind == "format":
        return (kind, path, f"Trường {label} phải là {FORMAT_NAMES_VI.get(value, value)} hợp lệ.",
                f"'{name}' must be a valid {value}.")
    if kind in ("enum", "const"):
        options = value if isinstance(value, list) else [value]
        shown = ", ".join(str(v) for v in options)
        return kind, path, f"Trường {label} phải là một trong: {shown}.", f"'{name}' must be one of: {shown}."
    if kind in ("minimum", "exclusiveMinimum"):
        op_vi, op_en = ("≥", "at least") if kind == "minimum" else (">", "greater than")
        return kind, path, f"Trường {label} phải {op_vi} {value}.", f"'{name}' must be {op_en} {value}."
    if kind in ("maximum", "exclusiveMaximum"):
        op_vi, op_en = ("≤", "at most") if kind == "maximum" else ("<", "less than")
        return kind, path, f"Trường {label} phải {op_vi} {value}.", f"'{name}' must be {op_en} {value}."
    if kind == "minItems":
        return kind, path, f"Danh sách {label} cần ít nhất {value} mục.", f"'{name}' needs at least {value} items."
    if kind == "additionalProperties":
        return kind, path, "Tờ khai có trường không được khai báo.", f"Unexpected field(s): {error.message}"
    return kind, path, f"Trường {label} không hợp lệ.", f"'{name}' is invalid: {error.message}"


def form_errors(schema: Mapping[str, Any], form: Mapping[str, Any]) -> list[FormFieldError]:
    """Every error, one per field path (the first by document order), sorted by path."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    by_field: dict[str, FormFieldError] = {}
    for error in sorted(validator.iter_errors(form), key=lambda e: [str(p) for p in e.absolute_path]):
        _, path, vi, en = _messages(error)
        field = _path(path)
        by_field.setdefault(field, FormFieldError(field=field, message_vi=vi, message_en=en))
    return sorted(by_field.values(), key=lambda e: e.field)


def check_form(schema: Mapping[str, Any] | None, form: Mapping[str, Any]) -> None:
    """Raises ``InvalidForm`` listing every bad field; a version without a schema takes any form."""
    if schema is None:
        return
    errors = form_errors(schema, form)
    if errors:
        raise InvalidForm(errors)
