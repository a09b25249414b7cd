"""Reading the Dockerfile and compose.yaml as data, for the tests that hold them to the code."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import yaml

from showgeo_api.processes.cli import main

CHECKOUT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str

    def exec_form(self) -> list[str]:
        """The instruction's command: a JSON array (exec form) or a shell line split."""
        text = self.arguments.strip()
        if text.startswith("["):
            return [str(part) for part in json.loads(text)]
        return shlex.split(text)


def dockerfile_instructions(path: Path = CHECKOUT / "Dockerfile") -> list[Instruction]:
    """Instructions in order, with `\\` continuations joined and comments dropped."""
    found: list[Instruction] = []
    pending = ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = pending + stripped
        pending = ""
        keyword, _, arguments = whole.partition(" ")
        found.append(Instruction(keyword.upper(), arguments))
    return found


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    starts = [i for i, step in enumerate(instructions) if step.keyword == "FROM"]
    return instructions[starts[-1] :]


def healthcheck_code() -> str:
    """The Python one-liner of the image's HEALTHCHECK (`CMD ["python", "-c", CODE]`)."""
    (check,) = [s for s in final_stage(dockerfile_instructions()) if s.keyword == "HEALTHCHECK"]
    argv = json.loads(check.arguments.split(" CMD ", 1)[1].strip())
    if argv[:2] != ["python", "-c"]:
        raise ValueError(f"the HEALTHCHECK is not a python -c one-liner: {argv}")
    return str(argv[2])


def compose_file(path: Path = CHECKOUT / "compose.yaml") -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


def cli_command_exists(argv: list[str]) -> bool:
    """Whether `argv` (starting with `showgeo`) names a command of the `showgeo` group; the
    options that follow must be options of that command."""
    if not argv or argv[0] != "showgeo":
        return False
    command: click.Command = main
    rest = argv[1:]
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        found = command.commands.get(rest[0])
        if found is None:
            return False
        command, rest = found, rest[1:]
    if isinstance(command, click.Group):
        return False
    known = {opt for param in command.params for opt in getattr(param, "opts", [])}
    known.add("--help")
    return all(word in known for word in rest if word.startswith("--"))
