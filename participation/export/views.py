"""The staff page: choose the options and download the participation document."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..forms import EmptyForm
from ..permissions import is_team, require
from ..processes.services import get_visible_process
from . import formats, services

bp = Blueprint("export", __name__)


@bp.route("/p/<slug>/export", methods=["GET", "POST"])
def export(slug: str):
    process = get_visible_process(slug)
    require(is_team)
    form = EmptyForm()
    if request.method == "POST":
        fmt = request.form.get("format", "")
        version = request.form.get("version", "public")
        if not form.validate_on_submit() or fmt not in formats.FORMATS or version not in (
                "public", "internal"):
            abort(400)
        data = services.export(process, fmt, public=version == "public", actor=current_user,
                               resident_label=_("Resident"))
        db.session.commit()
        mimetype, extension = formats.FORMATS[fmt][1:]
        name = f"participatiedocument-{process.slug}-{version}.{extension}"
        return data, 200, {"Content-Type": mimetype,
                           "Content-Disposition": f'attachment; filename="{name}"',
                           "Cache-Control": "no-store"}
    return render_template("export/export.html", process=process, form=form)
