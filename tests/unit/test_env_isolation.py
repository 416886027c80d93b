import os

from application.accounts import Accounts
from application.clock import WallClock
from ops.settings import load_settings
from ops.stores import store_env


def test_a_stray_eventsourcing_variable_in_the_process_environment_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.postgres")
    monkeypatch.setenv("ACCOUNTS_POSTGRES_DBNAME", "somewhere_else")
    monkeypatch.setenv("SQLITE_DBNAME", str(tmp_path / "wrong.sqlite"))
    settings = load_settings({}, data_dir=str(tmp_path))
    app = Accounts(store_env(settings, "Accounts"), WallClock())
    try:
        assert app.env.get("PERSISTENCE_MODULE") == "adapters.eventstore.sqlite"
        assert app.env.get("SQLITE_DBNAME") == str(tmp_path / "accounts.sqlite")
        assert os.path.exists(tmp_path / "accounts.sqlite")
        assert not os.path.exists(tmp_path / "wrong.sqlite")
    finally:
        app.close()


def test_the_postgres_environment_comes_from_the_database_url(tmp_path):
    settings = load_settings({"MOTCUA_DATABASE_URL": "postgresql://alice:s%40cret@db.example:6543/motcua"}, data_dir=str(tmp_path))
    env = store_env(settings, "Dossiers")
    assert env["PERSISTENCE_MODULE"] == "adapters.eventstore.postgres"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_DBNAME"]) == ("db.example", "6543", "motcua")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("alice", "s@cret")
    assert "POSTGRES_ENABLE_DB_FUNCTIONS" not in env
