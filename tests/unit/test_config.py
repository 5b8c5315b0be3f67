"""Config: TOML + environment overrides, one clear line for a wrong or missing key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

MINIMAL = '[matrix]\nuser_id = "@koopbot:localhost"\npassword = "pw"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "koopbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_has_product_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL))
    assert settings.network.language == "de"
    assert settings.network.timezone == "Europe/Berlin"
    assert settings.network.reminder_offsets == ["7d", "1d", "1h"]
    assert settings.network.offset_seconds() == [7 * 86400, 86400, 3600]
    assert settings.matrix.encryption is True
    assert settings.web.listen == "127.0.0.1:8080"
    assert settings.matrix.inviter_patterns() == ["@*:localhost"]


def test_unknown_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"network\.langauge: unknown key"):
        load_settings(write(tmp_path, MINIMAL + '[network]\nlangauge = "de"\n'))


def test_missing_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"matrix\.user_id: missing key"):
        load_settings(write(tmp_path, '[matrix]\npassword = "pw"\n'))


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ('[network]\ntimezone = "Mars/Olympus"\n', "network.timezone"),
        ('[network]\nreminder_offsets = ["7 Tage"]\n', "network.reminder_offsets"),
        ('[network]\nlanguage = "fr"\n', "network.language"),
        ('[web]\nlisten = "8080"\n', "web.listen"),
        ('[[network.rooms]]\nkey = "Lobby Raum"\nname = "x"\n', "network.rooms.0.key"),
    ],
)
def test_bad_values_name_their_key(tmp_path: Path, extra: str, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, MINIMAL + extra))
    assert key in str(info.value)
    assert "\n" not in str(info.value)


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOOPBOT_NETWORK__LANGUAGE", "en")
    monkeypatch.setenv("KOOPBOT_MATRIX__HOMESERVER", "http://127.0.0.1:9999")
    monkeypatch.setenv("KOOPBOT_NETWORK__REMINDER_OFFSETS", '["15m"]')
    settings = load_settings(write(tmp_path, MINIMAL + '[network]\nlanguage = "de"\n'))
    assert settings.network.language == "en"
    assert settings.matrix.homeserver == "http://127.0.0.1:9999"
    assert settings.network.offset_seconds() == [900]


def test_missing_explicit_file_and_broken_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", required=True)
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[matrix\n"))


def test_secrets_are_not_printed(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL))
    assert "pw" not in repr(settings.matrix)


def test_example_config_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "koopbot.example.toml"
    if not example.exists():
        pytest.skip("example config not written yet")
    settings = load_settings(example)
    assert settings.network.rooms, "the example ships the network's rooms"


def test_environment_sections_lists_and_unknown_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, MINIMAL + '[web]\nlisten = "127.0.0.1:8080"\n')
    monkeypatch.setenv("KOOPBOT_LOG_LEVEL", "DEBUG")  # not configuration: ignored
    monkeypatch.setenv("koopbot_web", '{"enabled": false}')  # names are case-insensitive
    monkeypatch.setenv("KOOPBOT_NETWORK__COORDINATORS", '["@anna:localhost"]')
    monkeypatch.setenv("KOOPBOT_NETWORK__FLOOD_USER_LIMIT", "0")
    settings = load_settings(path)
    assert settings.web.enabled is False
    assert settings.web.listen == "127.0.0.1:8080"  # the file's other keys stay
    assert settings.network.coordinators == ["@anna:localhost"]
    assert settings.network.flood_user_limit == 0
    monkeypatch.setenv("KOOPBOT_NETWORK__COLOUR", "blue")
    with pytest.raises(ConfigError, match=r"network\.colour: unknown key"):
        load_settings(path)
    monkeypatch.delenv("KOOPBOT_NETWORK__COLOUR")
    monkeypatch.setenv("KOOPBOT_NETWORK__REMINDER_OFFSETS", "7d")
    with pytest.raises(ConfigError, match="KOOPBOT_NETWORK__REMINDER_OFFSETS: expected JSON"):
        load_settings(path)
