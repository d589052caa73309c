"""film.yaml's page: words, and the Easy Read check the render makes before it renders."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.exceptions import ProjectError
from pipeline.project import Project
from pipeline.site.page_text import DEFAULT_CONTACT, easy_read_problems, load_page_text


def _project(tmp_path: Path, page: str) -> Project:
    project = Project.create(tmp_path / "film", "Our Film")
    project.film_yaml.write_text(project.film_yaml.read_text(encoding="utf-8") + page,
                                 encoding="utf-8")
    return Project.open(tmp_path / "film")


def test_no_page_section_means_no_summary_and_the_default_contact(tmp_path: Path) -> None:
    text = load_page_text(_project(tmp_path, ""))
    assert (text.summary, text.easy_read, text.contact) == ("", (), DEFAULT_CONTACT)


def test_the_page_words_are_read(tmp_path: Path) -> None:
    text = load_page_text(_project(tmp_path, "page:\n  summary: A film.\n  easy_read:\n"
                                             "    - We made a film.\n  contact: Ask Sam.\n"))
    assert (text.summary, text.easy_read, text.contact) == ("A film.", ("We made a film.",),
                                                            "Ask Sam.")


def test_a_long_easy_read_sentence_is_refused_naming_its_line(tmp_path: Path) -> None:
    long = " ".join(["word"] * 16) + "."
    project = _project(tmp_path, f"page:\n  easy_read:\n    - We made a film.\n    - {long}\n")
    with pytest.raises(ProjectError) as caught:
        load_page_text(project)
    line = project.film_yaml.read_text().splitlines().index(f"    - {long}") + 1
    assert caught.value.line == line
    assert "has 16 words (at most 15)" in str(caught.value)


def test_hard_words_are_refused_as_the_review_pages_are(tmp_path: Path) -> None:
    hard = ("Notwithstanding contemporaneous authorisation, subsequent publication "
            "necessitates comprehensive reconsideration.")
    with pytest.raises(ProjectError, match="reads too hard"):
        load_page_text(_project(tmp_path, f"page:\n  easy_read:\n    - {hard}\n"))
    assert easy_read_problems(("We made a film.", "It is about our day centre.")) == []


@pytest.mark.parametrize(("page", "message"), [
    ("page: 3\n", "page: must be a mapping"),
    ("page:\n  colour: red\n", "unknown key 'colour'"),
    ("page:\n  chapters:\n    nowhere: A name\n", "unknown clip id 'nowhere'"),
    ("page:\n  summary: [1, 2]\n", "page: summary: must be text"),
    ("page:\n  easy_read: 5\n", "must be a list of sentences"),
])
def test_a_wrong_page_section_is_one_line_naming_film_yaml(tmp_path: Path, page: str,
                                                           message: str) -> None:
    with pytest.raises(ProjectError, match=message) as caught:
        load_page_text(_project(tmp_path, page))
    assert str(caught.value).startswith(str(tmp_path / "film" / "film.yaml"))
    assert "\n" not in str(caught.value)


def test_the_demo_films_page_words_pass_the_check(tmp_path: Path) -> None:
    import importlib.util

    demo = Path(__file__).resolve().parents[2] / "projects" / "demo" / "run_demo.py"
    spec = importlib.util.spec_from_file_location("run_demo", demo)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    project = _project(tmp_path, "")
    project.doc["page"] = module.PAGE
    project.save()
    text = load_page_text(project.reload())
    assert text.easy_read == tuple(module.PAGE["easy_read"]) and text.summary
