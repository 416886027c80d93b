"""OpenID Connect: the ID-token verifier (PyJWT) and a local stand-in provider for tests and development."""
