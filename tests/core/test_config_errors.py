"""Settings refuse the default secret in production; errors render as RFC 9457 problem documents."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ipops.core.config import DEV_SECRET_KEY, Settings
from ipops.core.errors import ERROR_STATUS, ERROR_TEXT, ErrorCode, problem_body


def test_prod_refuses_default_secret() -> None:
    with pytest.raises(ValidationError, match="IPOPS_SECRET_KEY"):
        Settings(env="prod", secret_key=DEV_SECRET_KEY)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="32 characters"):
        Settings(env="prod", secret_key="short")  # type: ignore[arg-type]
    ok = Settings(env="prod", secret_key="x" * 40)  # type: ignore[arg-type]
    assert ok.secure_cookies is True
    assert Settings(env="dev").secure_cookies is False


def test_settings_read_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPOPS_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/ipops")
    monkeypatch.setenv("IPOPS_DEFAULT_LOCALE", "en")
    settings = Settings()
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.default_locale == "en"


def test_every_code_has_status_and_both_languages() -> None:
    for code in ErrorCode:
        assert code in ERROR_STATUS
        zh, en = ERROR_TEXT[code]
        assert zh
        assert en
        assert zh != en


def test_problem_body_shape() -> None:
    body = problem_body(
        code=ErrorCode.ASSET_ENCUMBERED, locale="en", detail="asset 7 is pledged", instance="/x"
    )
    assert body == {
        "type": "urn:ipops:error:asset_encumbered",
        "title": "An encumbrance on the asset (pledge, freeze, listing or exclusive licence) blocks this",
        "status": 409,
        "code": "asset_encumbered",
        "detail": "asset 7 is pledged",
        "instance": "/x",
    }
    assert problem_body(code=ErrorCode.NOT_FOUND, locale="zh_CN")["title"] == "记录不存在或无权查看"
