"""``diancang collections`` and ``diancang access`` on the command line: clear errors with
exit 2, rules recorded with the OS user, replay's .aclj files rewritten at each change."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from diancang.cli import main


def cli(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


def test_collections_and_access_rules(tmp_path: Path) -> None:
    assert cli(tmp_path, "init").exit_code == 0
    seeds = tmp_path / "gd.yaml"
    seeds.write_text("collection: gd\nseeds: [http://www.gd.gov.cn/]\n", encoding="utf-8")
    assert cli(tmp_path, "seeds", "import", str(seeds)).exit_code == 0
    def public() -> bool:
        [row] = json.loads(cli(tmp_path, "collections", "--json").output)
        return bool(row["public"])

    assert not public()
    assert cli(tmp_path, "collections", "set", "gd", "--public").output == "gd: public\n"
    assert public()

    made = cli(tmp_path, "access", "exclude", "gd", "http://www.gd.gov.cn/xxgk/",
               "--reason", "依法撤除", "--from", "2024-01-01", "--to", "2024-06-30")
    assert made.exit_code == 0 and made.output.startswith("rule 1: exclude cn,gov,gd)/xxgk")
    assert cli(tmp_path, "access", "embargo", "gd", "--days", "90").exit_code == 0
    rules = json.loads(cli(tmp_path, "access", "list", "--json").output)
    assert [(r["kind"], r["from"], r["to"], r["days"], r["reason"]) for r in rules] == [
        ("exclude", "2024-01-01", "2024-06-30", None, "依法撤除"),
        ("embargo", None, None, 90, None)]
    assert all(r["who"].startswith("os:") and r["created_at"] for r in rules)
    aclj = tmp_path / "collections" / "gd" / "acl" / "diancang.aclj"
    line = json.loads(aclj.read_text(encoding="utf-8").split(" - ", 1)[1])
    assert line == {"access": "exclude", "rule": 1, "from": "20240101000000",
                    "to": "20240630235959"}
    assert "依法撤除" in cli(tmp_path, "access", "list", "gd").output

    assert cli(tmp_path, "access", "remove", "1").output == "removed rule 1\n"
    assert aclj.read_text(encoding="utf-8") == ""
    assert cli(tmp_path, "access", "embargo", "gd", "--days", "0").output == "gd: no embargo\n"
    assert cli(tmp_path, "access", "list").output == "no access rules\n"


def test_bad_input_is_a_clear_error_with_exit_2(tmp_path: Path) -> None:
    assert cli(tmp_path, "init").exit_code == 0
    for args, message in (
            (("collections", "set", "nosuch", "--public"), "no collection 'nosuch'"),
            (("collections", "set", "nosuch"), "say --public or --private"),
            (("access", "exclude", "nosuch", "http://a.cn/"), "collection: no collection"),
            (("access", "exclude", "nosuch", "http://a.cn/", "--from", "2024-13-01"),
             "--from"),
            (("access", "embargo", "nosuch", "--days", "-3"), "--days"),
            (("access", "remove", "99"), "no access rule 99")):
        result = cli(tmp_path, *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
