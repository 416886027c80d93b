import re
from pathlib import Path

import msgspec
import pytest

from ops.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_settings_come_from_motcua_variables_only():
    settings = load_settings({"MOTCUA_PORT": "9001", "POSTGRES_DBNAME": "elsewhere", "MOTCUA_DATABASE_URL": ""})
    assert settings.port == 9001
    assert settings.embedded


def test_an_unknown_motcua_variable_is_an_error_naming_it():
    with pytest.raises(SettingsError, match="MOTCUA_PROT"):
        load_settings({"MOTCUA_PROT": "9001"})


def test_a_mistyped_value_is_an_error():
    with pytest.raises(SettingsError, match="port"):
        load_settings({"MOTCUA_PORT": "eighty"})


def test_readme_documents_every_setting_with_its_default():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- settings-table:start -->")[1].split("<!-- settings-table:end -->")[0]
    documented = dict(re.findall(r"^\| `(MOTCUA_[A-Z_]+)` \| ([^|]+) \|", table, re.M))
    for field in msgspec.structs.fields(Settings):
        name = "MOTCUA_" + field.name.upper()
        assert name in documented, f"{name} missing from README"
        shown = documented[name].strip().strip("`")
        expected = "*(empty)*" if field.default == "" else str(field.default).lower() if isinstance(field.default, bool) else str(field.default)
        assert shown == expected, f"{name}: README says {shown}, code says {expected}"
    assert set(documented) == {"MOTCUA_" + f.name.upper() for f in msgspec.structs.fields(Settings)}


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line.strip() for line in readme.splitlines() if line.startswith("    python3 -m venv")]
    assert len(commands) == 2, "README must have exactly two set-up commands"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


def test_passwords_are_hashed_at_the_rfc_9106_cost_unless_configured_otherwise():
    from ops.identity import password_hasher

    hasher = password_hasher(load_settings({}))
    assert (hasher.time_cost, hasher.memory_cost) == (3, 65536)
    cheap = password_hasher(load_settings({"MOTCUA_PASSWORD_HASH_TIME_COST": "1", "MOTCUA_PASSWORD_HASH_MEMORY_KIB": "64"}))
    assert hasher.verify(cheap.hash("mật-khẩu-cũ"), "mật-khẩu-cũ")  # a hash keeps its own parameters
    with pytest.raises(SettingsError):
        password_hasher(load_settings({"MOTCUA_PASSWORD_HASH_MEMORY_KIB": "8"}))
