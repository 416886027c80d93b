from concurrent.futures import ThreadPoolExecutor

import pytest

from ops.secrets import secret
from ops.settings import SettingsError


def test_a_generated_key_is_kept_and_every_caller_gets_the_same_one(tmp_path):
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: secret("", tmp_path, "lookup"), range(32)))
    assert len(keys) == 1 and len(keys.pop()) >= 48
    assert oct((tmp_path / "secrets" / "lookup").stat().st_mode & 0o777) == "0o600"


def test_a_configured_key_wins_over_the_file(tmp_path):
    assert secret("x" * 40, tmp_path, "jwt") == "x" * 40


def test_an_empty_key_file_is_an_error_not_an_empty_key(tmp_path):
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "lookup").write_text("")
    with pytest.raises(SettingsError, match="empty"):
        secret("", tmp_path, "lookup")
