"""docs/cli.md, the command reference, made from every command's ``--help``.

``python -m pipeline.cli.reference`` rewrites docs/cli.md; ``--check`` exits 1 when it is stale
(tests/test_docs.py runs the same comparison), so the reference cannot drift from the commands.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

WIDTH = 100  # help is wrapped at this width whatever the terminal, so the file is the same
PAGE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
HEADER = """# Command reference

Generated from each command's `--help` by `python -m pipeline.cli.reference`; do not edit by
hand (tests/test_docs.py fails when this page and the commands differ). docs/guide.md explains
what the commands are for; README.md is the quick start.
"""


def commands(group: click.Group, ctx: click.Context) -> Iterator[tuple[str, click.Context]]:
    """Every command under ``group``, depth first in name order, with its help context."""
    for name in sorted(group.commands):
        command = group.commands[name]
        sub = _context(command, name, ctx)
        yield sub.command_path, sub
        if isinstance(command, click.Group):
            yield from commands(command, sub)


def _context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
    # make_context applies the command's context settings (-h as well as --help) as a run
    # does; resilient parsing: no arguments are given, and none are needed for help.
    return command.make_context(name, [], parent=parent, resilient_parsing=True,
                                terminal_width=WIDTH, max_content_width=WIDTH)


def render() -> str:
    """The whole page."""
    from pipeline.cli import cli

    root = _context(cli, "coprod", None)
    parts = [HEADER, "## coprod\n\n```text\n" + cli.get_help(root) + "\n```\n"]
    for path, ctx in commands(cli, root):
        parts.append(f"## {path}\n\n```text\n{ctx.command.get_help(ctx)}\n```\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    page = render()
    if argv == ["--check"]:
        if PAGE.read_text(encoding="utf-8") != page:
            print(f"{PAGE} is stale: run python -m pipeline.cli.reference", file=sys.stderr)
            return 1
        return 0
    if argv:
        print("usage: python -m pipeline.cli.reference [--check]", file=sys.stderr)
        return 2
    PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {PAGE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
