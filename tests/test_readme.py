"""The README's two commands are the ones that work: CI runs the test command verbatim."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_has_exactly_two_set_up_commands_start_and_test():
    start, test = readme_commands()

    assert "seed_demo" in start
    assert start.endswith("manage.py runserver")
    assert test.endswith(".venv/bin/pytest")
    assert "\n" not in start + test


def test_ci_runs_the_readmes_test_command_verbatim():
    _, test = readme_commands()
    ci = (ROOT / ".ci" / "run").read_text()

    assert f"TEST_COMMAND='{test}'" in ci
    assert ci.count('bash -c "$TEST_COMMAND"') == 2


def test_every_setting_read_from_the_environment_is_in_the_configuration_table():
    settings_source = (ROOT / "console" / "settings.py").read_text()
    read = set(
        re.findall(r'(?:envbool|envint|envlist|os\.environ\.get)\("([A-Z_]+)"', settings_source)
    )
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    listed = {name for cell in first_cells for name in re.findall(r"`([A-Z_]+)`", cell)}

    assert len(read) > 20
    assert read - listed == set()
