"""core.urls.url_for_each: many links that differ in one path part, built as url_for builds
them (the draft's reading view links each of its sections this way); core.urls.fixed_url:
the layout's links, built once per root path."""
from __future__ import annotations

import pytest
from flask import url_for

from participation.core.urls import fixed_url, url_for_each

VALUES = ["2.1", "10", "a b", "ä/ö?#&", "%41", "x" * 3, 7]


@pytest.mark.once
@pytest.mark.parametrize("version", [None, 3])
def test_each_url_is_what_url_for_makes(app, version):
    with app.test_request_context("/"):
        each = url_for_each("drafts.section", "number", slug="economie", version=version)
        for value in VALUES:
            assert each(value) == url_for("drafts.section", slug="economie", number=value,
                                          version=version)


@pytest.mark.once
def test_an_int_path_part(app):
    with app.test_request_context("/"):
        by_id = url_for_each("contributions.contribution", "contribution_id", slug="economie")
        for value in (1, 12, 2**31 - 1):
            assert by_id(value) == url_for("contributions.contribution", slug="economie",
                                           contribution_id=value)


@pytest.mark.once
def test_a_part_that_is_no_plain_path_part_is_built_in_full(app):
    """A value that ends up in the query string: url_for for each."""
    with app.test_request_context("/"):
        by_query = url_for_each("drafts.read", "version", slug="economie")
        assert by_query(2) == url_for("drafts.read", slug="economie", version=2)



@pytest.mark.once
def test_the_layouts_links_are_url_fors_under_each_root_path(app, client):
    for root in ("", "/participatie"):
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            for _ in range(2):  # built, then kept
                assert fixed_url("main.home") == url_for("main.home") == f"{root}/"
                css = fixed_url("static", "css/site.css")
                assert css == url_for("static", filename="css/site.css")
                assert css.startswith(f"{root}/static/css/site.") and css != \
                    f"{root}/static/css/site.css"  # fingerprinted
    home = client.get("/").get_data(as_text=True)
    assert f'href="{url_for_in(app, "static", filename="css/site.css")}"' in home


def url_for_in(app, endpoint: str, **values) -> str:
    with app.test_request_context("/"):
        return url_for(endpoint, **values)
