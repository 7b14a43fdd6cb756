"""The package skeleton: version, help, one-line errors and documented exit codes, in-process."""

from __future__ import annotations

import re

from rtopkg import __version__
from rtopkg.cli import COMMANDS, cli


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"rtopkg {__version__}"


def test_no_arguments_prints_commands_and_hint(runner):
    result = runner.invoke(cli, [])
    assert result.exit_code == 0
    assert "Commands" in result.output
    assert 'rtopkg ask "which OAS bodies have preventive mandates"' in result.output


def test_unknown_command_is_one_line_exit_2(runner):
    result = runner.invoke(cli, ["no-such-command"])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "no-such-command" in result.stderr


def test_every_registered_command_has_help(runner):
    listed = [name for name in COMMANDS if cli.get_command(None, name) is not None]
    assert listed, "no command is implemented"
    for name in listed:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert re.search(r"Usage: rtopkg " + name, result.output), name
