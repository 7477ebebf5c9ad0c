from pathlib import Path

import pytest

from diancang.errors import ConfigError, UnknownSetting
from diancang.home import Home
from diancang.settings import DECLARED, default_toml

README = Path(__file__).parents[2] / "README.md"


def test_defaults_then_toml_then_environment_then_flags(tmp_path: Path) -> None:
    (tmp_path / "diancang.toml").write_text(
        '[crawl]\ndelay = 2.5\ndepth = 3\n[replay]\nport = 9000\n', encoding="utf-8")
    env = {"DIANCANG_CRAWL_DEPTH": "7", "DIANCANG_CRAWL_OBEY_ROBOTS": "false"}
    s = Home(tmp_path, overrides={"replay.port": 9100}).load_settings(environ=env)
    assert s["crawl.delay"] == 2.5            # toml over default
    assert s["crawl.depth"] == 7              # environment over toml
    assert s["crawl.obey_robots"] is False
    assert s["replay.port"] == 9100           # flag over toml
    assert s["crawl.concurrency"] == 16       # untouched default


def test_misspelt_names_are_errors_not_none(tmp_path: Path) -> None:
    s = Home(tmp_path).load_settings(environ={})
    with pytest.raises(UnknownSetting, match=r"crawl\.dely"):
        s["crawl.dely"]
    (tmp_path / "diancang.toml").write_text("[crawl]\ndely = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"diancang\.toml: crawl\.dely: unknown setting"):
        Home(tmp_path).load_settings(environ={})


def test_wrong_types_name_their_origin(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"DIANCANG_CRAWL_DEPTH: crawl\.depth: expected int"):
        Home(tmp_path).load_settings(environ={"DIANCANG_CRAWL_DEPTH": "deep"})
    (tmp_path / "diancang.toml").write_text("[crawl\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"diancang\.toml"):
        Home(tmp_path).load_settings(environ={})


def test_database_url_defaults_to_sqlite_in_home(tmp_path: Path) -> None:
    s = Home(tmp_path).load_settings(environ={})
    assert s.database_url == f"sqlite:///{tmp_path / 'catalog.sqlite'}"
    s = Home(tmp_path).load_settings(environ={"DIANCANG_DATABASE_URL": "postgresql+psycopg://x/y"})
    assert s.database_url == "postgresql+psycopg://x/y"


def test_user_agent_names_diancang_and_the_contact(tmp_path: Path) -> None:
    env = {"DIANCANG_OPERATOR_CONTACT": "https://library.example/archive"}
    ua = Home(tmp_path).load_settings(environ=env).user_agent
    assert ua.startswith("Diancang/") and "+https://library.example/archive" in ua


def test_generated_toml_lists_every_setting_and_parses(tmp_path: Path) -> None:
    text = default_toml()
    for s in DECLARED:
        assert f"# {s.key} = " in text and s.help in text
    uncommented = "\n".join(line[2:] if line.startswith("# ") and " = " in line else line
                            for line in text.splitlines())
    (tmp_path / "diancang.toml").write_text(uncommented, encoding="utf-8")
    loaded = Home(tmp_path).load_settings(environ={})
    assert loaded.as_dict() == {s.name: s.default for s in DECLARED}


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [s.name for s in DECLARED if f"`{s.name}`" not in readme]
    assert not missing, f"settings missing from README.md: {missing}"
