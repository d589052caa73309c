"""Editors' XML is read with defusedxml (issue 25, item 5): an edit file declaring entities (a
"billion laughs") or pointing at an external file is refused in one line, for every XML format
coprod reads, before any parser expands it; film.yaml is never touched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.interchange.conftest import MakeRateFilm

LAUGHS = ('<!DOCTYPE {root} [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
EXTERNAL = '<!DOCTYPE {root} [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("declaration", [LAUGHS, EXTERNAL], ids=["entities", "external"])
@pytest.mark.parametrize(("name", "body"), [
    ("cut.fcpxml", '<fcpxml version="1.9"><resources/><library><event name="&{use};"/>'
                   '</library></fcpxml>'),
    ("cut.xml", '<xmeml version="4"><sequence><name>&{use};</name></sequence></xmeml>'),
    ("cut.kdenlive", '<mlt><playlist id="&{use};"/></mlt>'),
])
def test_entity_declarations_are_refused_in_one_line(
        name: str, body: str, declaration: str, rate_film: MakeRateFilm, tmp_path: Path) -> None:
    project = rate_film("25")
    before = project.film_yaml.read_bytes()
    root = re.match(r"<(\w+)", body)[1]  # type: ignore[index]
    use = "c" if declaration == LAUGHS else "x"
    path = tmp_path / name
    path.write_text('<?xml version="1.0"?>\n' + declaration.format(root=root) + "\n"
                    + body.replace("{use}", use), encoding="utf-8")
    code, out = run_cli("import-edit", str(project.root), str(path))
    assert code == 1, out
    assert len(out.strip().splitlines()) == 1, out
    assert "cannot be read as" in out and "Forbidden" in out, out
    assert "lollol" not in out and "root:" not in out
    assert project.film_yaml.read_bytes() == before
