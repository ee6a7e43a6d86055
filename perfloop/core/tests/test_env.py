from concurrent.futures import ThreadPoolExecutor

import pytest

from perfloop.core.env import (
    SettingError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_required,
    local_secret_key,
)


def test_booleans_accept_common_spellings(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "off")
    assert env_bool("X_FLAG", True) is False


def test_a_typo_fails_loudly_instead_of_falling_back(monkeypatch):
    monkeypatch.setenv("X_FLAG", "ture")
    with pytest.raises(SettingError, match="X_FLAG"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(SettingError, match="X_NUM"):
        env_int("X_NUM", 1)


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.delenv("X_HOSTS")
    assert env_list("X_HOSTS", ["default"]) == ["default"]


def test_a_local_secret_key_is_made_once_kept_private_and_read_back(tmp_path):
    path = tmp_path / "var" / "secret_key"
    first = local_secret_key(path)
    assert len(first) >= 50
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert local_secret_key(path) == first
    assert local_secret_key(tmp_path / "elsewhere" / "secret_key") != first  # each installation its own


def test_a_secret_key_that_cannot_be_kept_stops_the_start_with_what_to_do(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    with pytest.raises(SettingError, match="set PERFLOOP_SECRET_KEY"):
        local_secret_key(blocked / "secret_key")


def test_processes_starting_together_agree_on_one_key(tmp_path):
    path = tmp_path / "secret_key"
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: local_secret_key(path), range(16)))
    assert keys == {path.read_text().strip()}


def test_an_empty_key_file_stops_the_start_instead_of_looping_or_replacing_the_key(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("")
    with pytest.raises(SettingError, match="holds no secret key"):
        local_secret_key(path)


def test_no_half_written_key_is_ever_read(tmp_path):
    path = tmp_path / "secret_key"
    with ThreadPoolExecutor(max_workers=16) as pool:
        keys = list(pool.map(lambda _: local_secret_key(path), range(64)))
    assert len(set(keys)) == 1
    assert len(keys[0]) >= 50
    assert [entry.name for entry in tmp_path.iterdir()] == ["secret_key"]  # no drafts left behind


def test_a_required_variable_and_a_choice_say_what_is_wrong(monkeypatch):
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(SettingError, match="X_REQUIRED must be set when Y is"):
        env_required("X_REQUIRED", "when Y is")
    monkeypatch.setenv("X_REQUIRED", " value ")
    assert env_required("X_REQUIRED", "when Y is") == "value"
    monkeypatch.setenv("X_CHOICE", "b")
    assert env_choice("X_CHOICE", "a", ["a", "b"]) == "b"
    monkeypatch.setenv("X_CHOICE", "B")
    with pytest.raises(SettingError, match="X_CHOICE must be one of a, b"):
        env_choice("X_CHOICE", "a", ["a", "b"])
