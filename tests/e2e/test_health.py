from litestar.testing import TestClient

from api.app import create_app
from ops.settings import load_settings
from ops.wiring import build_container


def test_health_answers_ok_and_unknown_paths_get_a_bilingual_problem(tmp_path):
    container = build_container(load_settings({}, data_dir=str(tmp_path)))
    with TestClient(create_app(container.services)) as client:
        health = client.get("/health")
        assert health.json() == {"status": "ok"}
        assert len(health.headers["x-request-id"]) == 32
        response = client.get("/no-such-thing")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["title"] == "Không tìm thấy / Not found"
        assert body["type"].endswith("/http-404")
    container.close()
