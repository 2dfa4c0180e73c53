"""The participation document's PDF is accessible (PDF/UA-1, EN 301 549): tagged, with its
language, its title shown, the PDF/UA identifier, bookmarks, and contents and index that jump
to what they list. What it says is checked in test_export_documents.py."""
from __future__ import annotations

import io
import re

import pikepdf
import pytest

from .factories import login
from .test_export_documents import SLUG, _download, facts, make_facts  # noqa: F401 (a fixture)


def _structure(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every element of the structure tree, depth first."""
    found, todo = [], [pdf.Root.StructTreeRoot.K]
    while todo:
        node = todo.pop()
        if isinstance(node, pikepdf.Array):
            todo.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            if "/K" in node:
                todo.append(node.K)
    return found


def _links(pdf: pikepdf.Pdf) -> list[tuple[int, pikepdf.Dictionary]]:
    return [(n, annotation) for n, page in enumerate(pdf.pages)
            for annotation in page.obj.get("/Annots", ())
            if annotation.get("/Subtype") == pikepdf.Name.Link]


def _jump(annotation) -> str | None:
    """The named destination a link goes to (a GoTo action or a /Dest), if it goes inside."""
    if "/Dest" in annotation:
        return str(annotation.Dest)
    action = annotation.get("/A")
    if action is not None and action.get("/S") == pikepdf.Name.GoTo:
        return str(action.D)
    return None


@pytest.fixture(scope="module")
def pdf_bytes(app):
    """The public English PDF, made once for the three tests that only read it (Typst took
    6-8 s each time). The rows it was made of go with the first test's cleaning; the bytes
    stay."""
    make_facts(app)
    client = app.test_client()
    login(client, "staff@example.nl")
    return _download(client, "pdf", language="en")


def test_pdf_is_tagged_with_language_title_and_pdfua_identifier(pdf_bytes):
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "en"
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert str(pdf.docinfo.Title).startswith("Participation document – ")
        metadata = str(pdf.open_metadata())
        assert re.search(r"<pdfuaid:part>1</pdfuaid:part>|pdfuaid:part=\"1\"", metadata)
        kinds = [str(element.S) for element in _structure(pdf)]
        # Headings in their levels, paragraphs, lists, tables with header cells, links.
        for kind in ("/Document", "/H1", "/H2", "/H3", "/H4", "/P", "/L", "/LI", "/Lbl",
                     "/LBody", "/Table", "/TH", "/TD", "/Link"):
            assert kind in kinds, kind
        assert kinds.count("/Document") == 1  # one tree, however many parts made it
        scopes = {str(attribute.Scope) for element in _structure(pdf) if element.S == "/TH"
                  for attribute in (element.A if isinstance(element.A, pikepdf.Array)
                                    else [element.A]) if "/Scope" in attribute}
        assert "/Column" in scopes
        # Every page's marked content belongs to the tree (its parent tree entry exists).
        parents = pikepdf.NumberTree(root.StructTreeRoot.ParentTree)
        keys = [int(page.obj.StructParents) for page in pdf.pages]
        assert len(set(keys)) == len(keys) and all(key in parents for key in keys)


def test_running_header_and_page_numbers_are_artifacts(pdf_bytes):
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages[1:]:
            drawn = b"".join(part.read_bytes() for part in (
                page.obj.Contents if isinstance(page.obj.Contents, pikepdf.Array)
                else [page.obj.Contents]))
            stamp = re.search(rb"/Artifact <</Type /Pagination>> BDC\s+q (/\S+) Do Q\s+EMC", drawn)
            assert stamp, "header and page number not drawn as an artifact"
            form = page.Resources.XObject[stamp.group(1).decode()]
            assert form.Subtype == pikepdf.Name.Form
        # The title page has neither.
        assert b"/Pagination" not in b"".join(
            part.read_bytes() for part in (pdf.pages[0].obj.Contents
                                           if isinstance(pdf.pages[0].obj.Contents, pikepdf.Array)
                                           else [pdf.pages[0].obj.Contents]))


def test_contents_index_and_bookmarks_jump_inside_the_document(pdf_bytes):
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        dests = pikepdf.NameTree(pdf.Root.Names.Dests)
        pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
        links = _links(pdf)
        jumps = [(n, _jump(annotation), str(annotation.get("/Contents", "")))
                 for n, annotation in links]
        # Every link inside goes somewhere that exists, and says where in words.
        for _page, target, words in jumps:
            if target is not None:
                assert target in dests and dests[target][0].objgen in pages, target
                assert words and not words.startswith("#"), (target, words)
        contents = {target for page, target, _words in jumps if page == 1}  # page 2: contents
        assert {"doc-process", "doc-overview", "doc-stakeholders", "doc-index",
                "doc-ratings"} <= contents
        index_page = pages[dests["doc-index"][0].objgen]
        from_index = {target for page, target, _words in jumps if page >= index_page}
        stakeholders = {name for name in dests.keys() if name.startswith("stakeholder-")}
        assert stakeholders and from_index == stakeholders
        # Web links in the texts stay web links.
        assert any(annotation.A.S == pikepdf.Name.URI for _n, annotation in links
                   if "/A" in annotation)
        with pdf.open_outline() as outline:
            sections = [item.title for item in outline.root]
            under = {item.title: [child.title for child in item.children] for item in outline.root}
        assert sections == ["1. The process", "2. Overview of stakeholders",
                            "3. What came back most",
                            "4. Contributions and responses per stakeholder", "5. Index",
                            "6. How participants rated the process"]
        assert len(under["4. Contributions and responses per stakeholder"]) == len(stakeholders)


def test_pdfua_checker_finds_no_error_in_either_language(client, facts, tmp_path):  # noqa: F811
    from pdfua import Severity, validate

    login(client, "staff@example.nl")
    for language in ("nl", "en"):
        path = tmp_path / f"document-{language}.pdf"
        path.write_bytes(_download(client, "pdf", version="internal", language=language))
        report = validate(str(path))
        errors = [(finding.rule_id, finding.message) for finding in report.findings
                  if finding.severity >= Severity.ERROR]
        assert errors == [], errors
        assert not report.findings, [(f.rule_id, f.message) for f in report.findings]
        with pikepdf.open(path) as pdf:
            assert str(pdf.Root.Lang) == language
