"""A page's SQL query count does not grow with the data."""
from __future__ import annotations

from participation.accounts.models import Organisation, OrganisationKind, name_key
from participation.core.extensions import db

from .factories import login, make_user


def _add_organisations(app, n, start=0):
    with app.app_context():
        for i in range(start, start + n):
            name = f"Organisatie {i:04d}"
            db.session.add(Organisation(name=name, name_key=name_key(name),
                                        kind=OrganisationKind.business, sector="test"))
        db.session.commit()


def _queries(client, count_queries, url):
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_register_and_profile_pages_do_not_grow_with_organisations(client, app, count_queries):
    with app.app_context():
        make_user()
    _add_organisations(app, 3)
    anonymous = app.test_client()
    login(client)
    small = {url: _queries(c, count_queries, url)
             for c, url in ((anonymous, "/account/register"), (client, "/account/"))}
    _add_organisations(app, 200, start=3)
    large = {url: _queries(c, count_queries, url)
             for c, url in ((anonymous, "/account/register"), (client, "/account/"))}
    assert small == large
    assert large["/account/"] <= 3
