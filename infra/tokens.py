"""Bearer tokens: HS256 development tokens, or an OIDC issuer's tokens checked against its JWKS."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import jwt

from config.settings import Settings

DEV_ISSUER = "nearmiss-dev"
OIDC_ALGORITHMS = ["RS256", "ES256"]
_REQUIRED_CLAIMS = ["sub", "exp", "iat"]


class InvalidToken(Exception):
    """The token is missing, malformed, forged, expired or from the wrong issuer/audience."""


def mint_token(
    secret: str, employee_id: str, ttl_minutes: int = 720, now: datetime | None = None
) -> str:
    """An HS256 token for ``employee_id`` valid for ``ttl_minutes`` from ``now`` (default: now)."""
    issued = now or datetime.now(UTC)
    claims = {
        "sub": employee_id,
        "iat": issued,
        "exp": issued + timedelta(minutes=ttl_minutes),
        "iss": DEV_ISSUER,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


class TokenVerifier:
    """Verifies bearer tokens and returns the employee ID they name (the ``sub`` claim).

    OIDC mode (``oidc_jwks_url`` set) accepts only RS256/ES256 tokens signed by a key of the
    issuer's JWKS, with ``iss`` and (when configured) ``aud`` checked; otherwise HS256 tokens
    signed with ``token_secret`` by :func:`mint_token`.
    """

    def __init__(
        self,
        *,
        secret: str,
        jwks_url: str = "",
        issuer: str = "",
        audience: str = "",
    ) -> None:
        if jwks_url and not issuer:
            raise ValueError(
                "OIDC mode needs the issuer (NEARMISS_OIDC_ISSUER) as well as the JWKS"
            )
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._jwks = jwt.PyJWKClient(jwks_url, timeout=5) if jwks_url else None

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenVerifier:
        """The verifier the configuration asks for."""
        return cls(
            secret=settings.token_secret,
            jwks_url=settings.oidc_jwks_url,
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
        )

    @property
    def uses_network(self) -> bool:
        """True in OIDC mode, where verification may fetch the JWKS (blocking HTTP)."""
        return self._jwks is not None

    def verify(self, token: str) -> str:
        """The token's employee ID; raises InvalidToken for any defect."""
        try:
            claims = self._oidc_claims(token) if self._jwks else self._dev_claims(token)
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidToken(str(exc)) from exc
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidToken("token has no subject")
        return subject

    async def verify_async(self, token: str) -> str:
        """:meth:`verify` without blocking the event loop when the JWKS may be fetched."""
        if self.uses_network:
            return await asyncio.to_thread(self.verify, token)
        return self.verify(token)

    def _dev_claims(self, token: str) -> dict[str, object]:
        return jwt.decode(
            token,
            self._secret,
            algorithms=["HS256"],
            issuer=DEV_ISSUER,
            options={"require": [*_REQUIRED_CLAIMS, "iss"]},
        )

    def _oidc_claims(self, token: str) -> dict[str, object]:
        assert self._jwks is not None
        key = self._jwks.get_signing_key_from_jwt(token)
        required = [*_REQUIRED_CLAIMS, "iss"] + (["aud"] if self._audience else [])
        return jwt.decode(
            token,
            key.key,
            algorithms=OIDC_ALGORITHMS,
            issuer=self._issuer,
            audience=self._audience or None,
            options={"require": required, "verify_aud": bool(self._audience)},
        )
