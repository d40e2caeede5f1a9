"""The settings default to production; `nearmiss dev` and `make run` choose development."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import dev_cmd
from config.settings import DEV_ENV, Settings

ROOT = Path(__file__).resolve().parent.parent


def test_without_nearmiss_env_the_service_is_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEARMISS_ENV", raising=False)
    with pytest.raises(ValueError, match="NEARMISS_TOKEN_SECRET must be set"):
        Settings()  # development secrets are refused: production is the default
    settings = Settings(
        token_secret="s" * 40,
        encryption_key="a2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5LWtleTE=",
        signing_key="c2lnbi1zaWduLXNpZ24tc2lnbi1zaWduLXNpZ24tMDE=",
    )
    assert settings.env == "production"


def test_make_run_and_nearmiss_dev_choose_development(monkeypatch: pytest.MonkeyPatch) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "NEARMISS_ENV=$${NEARMISS_ENV:-development} $(BIN)/nearmiss dev" in makefile
    assert DEV_ENV == {"NEARMISS_ENV": "development"}
    unset: dict[str, str] = {}
    dev_cmd.use_development_env(unset)
    assert Settings(**{"env": unset["NEARMISS_ENV"]}).env == "development"
    chosen = {"NEARMISS_ENV": "production"}
    dev_cmd.use_development_env(chosen)
    assert chosen == {"NEARMISS_ENV": "production"}  # an explicit choice is kept
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "NEARMISS_ENV: production" in compose


def test_make_run_prints_where_the_staff_pages_are(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(env="development", api_port=18123)
    dev_cmd._print_urls(settings, settings.data_dir / "logs", demo=True)
    printed = capsys.readouterr().out
    assert "staff pages     http://127.0.0.1:18123/app " in printed  # the walkthrough's start
    assert "demo token      nearmiss token E0013" in printed
