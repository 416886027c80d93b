"""``motcua standin oidc`` serves a provider that the verifier (and so ``loginWithOidc``) accepts."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import httpx

from adapters.oidc.verifier import OidcIdentityProvider
from application.clock import WallClock


def test_the_standin_command_serves_tokens_the_verifier_accepts(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env["MOTCUA_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "ops.cli", "standin", "oidc", "--port", "0", "--alg", "ES256", "--client-id", "dev-portal"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        banner = process.stdout.readline()  # type: ignore[union-attr]
        assert "STAND-IN (not VNeID)" in banner, banner + process.stderr.read()  # type: ignore[union-attr]
        issuer = re.search(r"at (http://127\.0\.0\.1:\d+)", banner).group(1)  # type: ignore[union-attr]
        response = httpx.post(issuer + "/standin/id-token",
                              json={"sub": "dev-1", "id_number": "001099000001", "name": "Nguyễn Văn An"}, timeout=10)
        assert response.status_code == 200, response.text
        identity = OidcIdentityProvider(issuer=issuer, client_id="dev-portal", clock=WallClock()).verify(
            response.json()["id_token"])
        assert (identity.subject, identity.full_name) == ("dev-1", "Nguyễn Văn An")
        bad = httpx.post(issuer + "/standin/id-token", json={"name": "no subject"}, timeout=10)
        assert bad.status_code == 400
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
