"""The staff page: choose the options, preview the document in the site, download it."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import force_locale, get_locale
from flask_login import current_user

from ..extensions import db
from ..forms import EmptyForm
from ..permissions import is_team, require
from ..processes.services import get_visible_process
from ..security import no_store
from . import formats, services
from .html_format import document_context

bp = Blueprint("export", __name__)

VERSIONS = ("public", "internal")


def _options(values) -> tuple[str, str]:
    version = values.get("version", "public")
    language = values.get("language", str(get_locale()))
    if version not in VERSIONS or language not in services.LANGUAGES:
        abort(400)
    return version, language


@bp.route("/p/<slug>/export", methods=["GET", "POST"])
def export(slug: str):
    process = get_visible_process(slug)
    require(is_team)
    form = EmptyForm()
    if request.method == "POST":
        fmt = request.form.get("format", "")
        version, language = _options(request.form)
        if not form.validate_on_submit() or fmt not in formats.FORMATS:
            abort(400)
        data = services.export(process, fmt, public=version == "public", language=language,
                               actor=current_user)
        db.session.commit()
        mimetype, extension = formats.FORMATS[fmt][1:]
        name = f"participatiedocument-{process.slug}-{version}-{language}.{extension}"
        return data, 200, {"Content-Type": mimetype,
                           "Content-Disposition": f'attachment; filename="{name}"',
                           "Cache-Control": "no-store"}
    return render_template("export/export.html", process=process, form=form,
                           formats=formats.FORMATS, current_language=str(get_locale()))


@bp.route("/p/<slug>/export/preview")
@no_store
def preview(slug: str):
    """The document as it will read, inside the site (the same template as the PDF)."""
    process = get_visible_process(slug)
    require(is_team)
    version, language = _options(request.args)
    content = services.document(process, public=version == "public", language=language)
    with force_locale(language):
        context = document_context(content)  # words and dates in the document's language
    return render_template("export/preview.html", process=process, version=version,
                           language=language, **context)
