"""The README is a contract: its two set-up commands, and the examples of its CLI reference run for real.

Each ``console`` block of README.md holds ``$ rtopkg ...`` lines (an optional ``# exit N`` comment gives the
expected exit code, 0 otherwise) followed by what the command prints. The test runs each command in process
(click's runner, in a temporary folder) and checks its exit code, and that the lines shown appear in its output
in the same order (``...`` stands for lines left out; runs of spaces and timings in seconds are normalised).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from rtopkg.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
_EXIT = re.compile(r"#\s*exit\s+(\d+)\s*$")
_SECONDS = re.compile(r"\b\d+(?:\.\d+)? s\b")


def _blocks(kind: str) -> list[str]:
    return [body for lang, body in _BLOCK.findall(README) if lang == kind]


def _examples() -> list[tuple[str, int, list[str]]]:
    examples: list[tuple[str, int, list[str]]] = []
    for body in _blocks("console"):
        for line in body.splitlines():
            if line.startswith("$ "):
                command = line[2:]
                match = _EXIT.search(command)
                code = int(match.group(1)) if match else 0
                examples.append((_EXIT.sub("", command).strip(), code, []))
            elif examples:
                examples[-1][2].append(line)
    return examples


EXAMPLES = _examples()


def _norm(line: str) -> str:
    return _SECONDS.sub("N s", " ".join(line.split()))


def test_the_top_has_the_two_commands_and_ci_runs_the_second():
    first, second = _blocks("sh")[:2]
    assert first.strip().endswith('rtopkg ask "which OAS bodies have preventive mandates"')
    assert "pip install ." in first
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert second.strip() in ci.splitlines(), "'.ci/run' must call exactly the README's test command"
    assert "pytest" in second


def test_every_command_has_a_section_with_an_example():
    assert len(COMMANDS) >= 12
    for name in COMMANDS:
        assert f"### `rtopkg {name}`" in README, f"README has no section for 'rtopkg {name}'"
        assert f"rtopkg {name}" in README.split(f"### `rtopkg {name}`", 1)[1], name


def test_the_examples_are_found():
    assert len(EXAMPLES) >= 15, [e[0] for e in EXAMPLES]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """One folder for all the examples, run in README order (a store loaded by one is queried by the next)."""
    return tmp_path_factory.mktemp("readme")


@pytest.mark.parametrize(("command", "code", "shown"), [pytest.param(*e, id=e[0][:60]) for e in EXAMPLES])
def test_example(command, code, shown, runner, workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    args = shlex.split(command)
    assert args[0] == "rtopkg"
    result = runner.invoke(cli, args[1:])
    output = result.output + (result.stderr if result.stderr not in result.output else "")
    assert result.exit_code == code, f"{command}: exit {result.exit_code}\n{output}"
    lines = [_norm(line) for line in output.splitlines()]
    position = 0
    for expected in shown:
        if expected.strip() == "...":
            continue
        wanted = _norm(expected)
        try:
            position = lines.index(wanted, position) + 1
        except ValueError:
            pytest.fail(f"{command}: README shows a line the command does not print (in this order):\n{expected}\n"
                        f"--- output ---\n{output}")
