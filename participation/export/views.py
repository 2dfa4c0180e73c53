"""The staff page: choose the options, preview the document in the site, download it."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..core.extensions import db
from ..core.roles import is_team, require
from ..processes.services import get_visible_process
from ..core.security import no_store
from . import formats, services
from .forms import ExportForm
from .html_format import document_context

bp = Blueprint("export", __name__)

VERSIONS = ("public", "internal")


@bp.route("/p/<slug>/export", methods=["GET", "POST"])
def export(slug: str):
    process = get_visible_process(slug)
    require(is_team)
    form = ExportForm(language=str(get_locale()))
    if form.validate_on_submit():
        fmt, public = form.format.data, form.version.data == "public"
        items = services.item_count(process, public=public)
        limit = current_app.config["EXPORT_PDF_WEB_LIMIT"]
        if fmt == "pdf" and items > limit:
            # Typst makes ~3,000 items in 15-20 s on the 2-core machine: what a web request may
            # take. A larger document comes from the command, or by way of Word.
            form.format.errors.append(_(
                "This document has %(items)s contributions and reactions; the export page makes "
                "PDFs of up to %(limit)s, as a larger one takes longer than a web page may wait. "
                "Download it as Word (DOCX) and save it as PDF there, or ask the administrator to "
                "make the PDF with the command “flask export %(slug)s --format pdf”.",
                items=items, limit=limit, slug=process.slug))
        else:
            data = services.export(process, fmt, public=public, language=form.language.data,
                                   actor=current_user)
            db.session.commit()
            mimetype, extension = formats.FORMATS[fmt][1:]
            name = (f"participatiedocument-{process.slug}-{form.version.data}-"
                    f"{form.language.data}.{extension}")
            return data, 200, {"Content-Type": mimetype,
                               "Content-Disposition": f'attachment; filename="{name}"',
                               "Cache-Control": "no-store"}
    status = 400 if request.method == "POST" else 200
    return render_template("export/export.html", process=process, form=form,
                           current_language=str(get_locale())), status


@bp.route("/p/<slug>/export/preview")
@no_store
def preview(slug: str):
    """The document as it will read, inside the site (the same template as the PDF)."""
    process = get_visible_process(slug)
    require(is_team)
    version = request.args.get("version", "public")
    language = request.args.get("language", str(get_locale()))
    if version not in VERSIONS or language not in services.LANGUAGES:
        abort(400)
    content = services.document(process, public=version == "public", language=language)
    with force_locale(language):
        context = document_context(content)  # words and dates in the document's language
    return render_template("export/preview.html", process=process, version=version,
                           language=language, **context)
