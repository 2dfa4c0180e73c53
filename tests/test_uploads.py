"""What people upload: position papers stored so that a failing disk leaves no row and no file
and costs no text; papers that would act when opened refused; drafts that would unpack to a
bomb refused before they are unpacked."""
from __future__ import annotations

import io
import os
import re
import struct
import subprocess
import time
import zlib

import pikepdf
import pytest
import sqlalchemy as sa

from participation.core import uploads
from participation.contributions.models import Attachment, Contribution, ContributionRevision
from participation.drafts.models import DraftVersion
from participation.drafts.parsing import MAX_DOCX_UNPACKED, DraftFormatError, parse_docx
from participation.core.extensions import db

from .factories import (count, csrf_token, field_errors, login, make_organisation, make_process,
                        make_user, pdf_bytes, submission_key, upload)

NEW = "/p/economie/input/new"
STORAGE_MESSAGE = ("The file could not be stored; your text is kept below. Try again later or "
                   "send it without the file.")
ACTIVE_MESSAGE = "This PDF contains scripts, actions that start programs or attached files"


def files_in(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@pytest.fixture
def participant(app, client):
    """A participant of an organisation in an open process, logged in, reading English."""
    with app.app_context():
        process = make_process()
        make_user(organisation=make_organisation("Drenth Logistiek BV", "business", "logistiek"),
                  locale="en")
        theme_id = process.themes[0].id
    login(client)
    client.theme_id = theme_id
    return client


def give(client, *, title="Ruimte voor logistiek", body="Wij vragen **ruimte**.", paper=None,
         url=NEW, **extra):
    page = client.get(url).get_data(as_text=True)
    key = submission_key(page)
    data = {"csrf_token": csrf_token(page), "submission_key": key,
            "theme_id": str(client.theme_id), "title": title, "body": body, **extra}
    if paper is not None:
        data["paper"] = upload(paper)
    return client.post(url, data=data)


def edit(client, item_url, **data):
    """Send the edit form as the browser would: with its hidden fields as the page has them."""
    page = client.get(item_url + "/edit").get_data(as_text=True)
    hidden = {}
    for tag in re.findall(r'<input[^>]*type="hidden"[^>]*>', page):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        hidden[name.group(1)] = value.group(1) if value else ""
    return client.post(item_url + "/edit", data={**hidden, **data})


def large_pdf(size: int) -> bytes:
    """A real PDF of about `size` bytes (a page whose content stream is long comments)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    line = b"% " + b"0123456789abcdef" * 6 + b"\n"
    pdf.pages[0].Contents = pdf.make_stream(line * (size // len(line) + 1))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


@pytest.fixture
def tiny_disk(app, tmp_path, monkeypatch):
    """UPLOAD_FOLDER on a real 64 KB file system (tmpfs): a paper larger than what is free
    fails partway through its write with ENOSPC, as on a full disk."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode:
        pytest.fail("this test mounts a 64 KB tmpfs, which needs root (CI runs as root): "
                    + mounted.stderr.strip())
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


# --- a disk that does not take the file -----------------------------------------------------

def test_a_full_disk_gives_the_form_back_with_the_text_and_leaves_nothing(participant, app,
                                                                          tiny_disk):
    response = give(participant, title="Mijn titel", body="Mijn zorgvuldig getypte tekst",
                    paper=large_pdf(200_000))
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert f"paper: {STORAGE_MESSAGE}" in field_errors(html)
    assert 'value="Mijn titel"' in html and "Mijn zorgvuldig getypte tekst" in html
    with app.app_context():
        assert count(Contribution) == 0 and count(Attachment) == 0
    assert files_in(tiny_disk) == []

    # Sent again as the message says, without the file: saved; and then with one that fits.
    assert give(participant, title="Mijn titel", body="Zonder bestand").status_code == 302
    assert give(participant, title="Met papier", paper=pdf_bytes()).status_code == 302
    with app.app_context():
        assert count(Contribution) == 2
        stored = db.session.scalar(sa.select(Attachment.stored_name))
    assert files_in(tiny_disk) == [stored]


def test_a_folder_that_cannot_be_written_is_the_same_clear_message(participant, app, tmp_path,
                                                                    monkeypatch):
    # Not a disk that fills up but one that refuses at once (here: the folder's place is
    # taken by a file, ENOTDIR; read-only or unmounted storage answers alike).
    (tmp_path / "not-a-folder").write_text("")
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "not-a-folder" / "uploads"))
    response = give(participant, title="Mijn titel", paper=pdf_bytes())
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert f"paper: {STORAGE_MESSAGE}" in field_errors(html) and 'value="Mijn titel"' in html
    with app.app_context():
        assert count(Contribution) == 0 and count(Attachment) == 0


def test_a_full_disk_when_editing_keeps_the_saved_version_and_the_typed_one(participant, app,
                                                                            tiny_disk):
    item_url = give(participant, paper=pdf_bytes()).headers["Location"]
    with app.app_context():
        first_paper = db.session.scalar(sa.select(Attachment.stored_name))
    response = edit(participant, item_url, title="Nieuwe titel",
                    body="Mijn nieuwe, lange tekst", paper=upload(large_pdf(200_000)))
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert f"paper: {STORAGE_MESSAGE}" in field_errors(html)
    assert 'value="Nieuwe titel"' in html and "Mijn nieuwe, lange tekst" in html
    with app.app_context():
        item = db.session.scalar(sa.select(Contribution))
        assert item.title == "Ruimte voor logistiek" and count(ContributionRevision) == 0
        assert item.attachment.stored_name == first_paper
    assert files_in(tiny_disk) == [first_paper]
    assert participant.get(item_url + "/paper").status_code == 200

    # A paper that fits replaces the first, whose file goes once the change is committed.
    response = edit(participant, item_url, title="Nieuwe titel",
                    body="Mijn nieuwe, lange tekst", paper=upload(pdf_bytes(2)))
    assert response.status_code == 302
    with app.app_context():
        second_paper = db.session.scalar(sa.select(Attachment.stored_name))
        assert count(ContributionRevision) == 1
    assert second_paper != first_paper and files_in(tiny_disk) == [second_paper]
    response = edit(participant, item_url, title="Nieuwe titel", body="Zonder papier",
                    remove_paper="y")
    assert response.status_code == 302
    with app.app_context():
        assert count(Attachment) == 0
    assert files_in(tiny_disk) == []


def test_a_full_disk_when_the_team_records_offline_input(client, app, tiny_disk):
    with app.app_context():
        process = make_process()
        make_user("mod@example.nl", role="moderator", locale="en")
        client.theme_id = process.themes[0].id
    login(client, "mod@example.nl")
    url = "/p/economie/input/offline"
    fields = {"organisation_id": "0", "individual_name": "Jan Jansen",
              "source": "Brief van 3 maart"}
    response = give(client, url=url, title="Brief van Jan", body="Jan schrijft ons lang.",
                    paper=large_pdf(200_000), **fields)
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert f"paper: {STORAGE_MESSAGE}" in field_errors(html)
    assert 'value="Brief van Jan"' in html and "Jan schrijft ons lang." in html
    assert 'value="Brief van 3 maart"' in html
    with app.app_context():
        assert count(Contribution) == 0 and count(Attachment) == 0
    assert files_in(tiny_disk) == []
    response = give(client, url=url, title="Brief van Jan", body="Jan schrijft ons lang.",
                    paper=pdf_bytes(), **fields)
    assert response.status_code == 302
    with app.app_context():
        assert files_in(tiny_disk) == [db.session.scalar(sa.select(Attachment.stored_name))]


def test_the_page_for_a_send_too_large_links_back_to_the_form_it_came_from(participant):
    page = participant.get(NEW).get_data(as_text=True)
    huge = b"%PDF-" + b"x" * (13 << 20)
    for referrer, back in [(f"http://localhost{NEW}?theme=2", f"{NEW}?theme=2"),
                           ("https://elders.example/p/economie/input/new", NEW),
                           (None, NEW)]:
        headers = {"Referer": referrer} if referrer else {}
        response = participant.post(NEW, headers=headers, data={
            "csrf_token": csrf_token(page), "title": "Mijn titel", "paper": upload(huge)})
        assert response.status_code == 413
        html = response.get_data(as_text=True)
        assert "Nothing has been saved: the file is larger than the site accepts" in html
        assert f'<a href="{back.replace("&", "&amp;")}">Back to the form</a>' in html
        # Said only where the browser has the text (site.js shows it then).
        assert f'data-kept-draft="{NEW}" hidden>The text you typed is kept' in html


# --- a file appears with its commit, and only then ------------------------------------------

def test_a_stored_file_appears_with_the_commit_and_goes_with_a_rollback(app, folder):
    pdf = uploads.CheckedPdf(data=pdf_bytes(), original_name="a.pdf", pages=1, sha256="x")
    with app.app_context():
        name = uploads.store(pdf)
        assert files_in(folder) == [name + ".part"]  # written, fsynced, not yet a paper
        db.session.commit()
        assert files_in(folder) == [name]
        assert (folder / name).read_bytes() == pdf.data

        rolled_back = uploads.store(pdf)
        db.session.rollback()
        assert files_in(folder) == [name]

        uploads.store(pdf)  # a session that ends without a commit
        db.session.close()
        assert files_in(folder) == [name]

        # A savepoint that commits is not the commit: the outer rollback removes the file.
        with db.session.begin_nested():
            uploads.store(pdf)
        assert len(files_in(folder)) == 2
        db.session.rollback()
        assert files_in(folder) == [name] and rolled_back != name

        # A paper deleted by a transaction that rolls back stays; by one that commits, goes.
        uploads.discard_after_commit(name)
        db.session.rollback()
        assert files_in(folder) == [name]
        uploads.discard_after_commit(name)
        db.session.commit()
        assert files_in(folder) == []


def test_a_paper_committed_but_not_yet_renamed_is_served(participant, app, folder):
    """The process stopped between the commit and the rename: the row is there, the file is
    still `<name>.part`. Asking for the paper finishes the rename."""
    item_url = give(participant, paper=pdf_bytes(3)).headers["Location"]
    with app.app_context():
        name = db.session.scalar(sa.select(Attachment.stored_name))
    (folder / name).rename(folder / (name + ".part"))
    paper = participant.get(item_url + "/paper")
    assert paper.status_code == 200 and paper.data == (folder / name).read_bytes()
    assert paper.data.startswith(b"%PDF-") and files_in(folder) == [name]
    assert participant.get(item_url + "/paper").status_code == 200


def test_the_sweep_finishes_committed_parts_and_removes_abandoned_ones(participant, app, folder):
    """A stopped process leaves parts: one whose row was committed (put in place), one that
    never committed (removed once it is an hour old); a fresh part may be a send in progress."""
    item_url = give(participant, paper=pdf_bytes(2)).headers["Location"]
    with app.app_context():
        name = db.session.scalar(sa.select(Attachment.stored_name))
    (folder / name).rename(folder / (name + ".part"))
    abandoned = folder / "0123456789abcdef0123456789abcdef.pdf.part"
    abandoned.write_bytes(pdf_bytes())
    in_progress = folder / "fedcba9876543210fedcba9876543210.pdf.part"
    in_progress.write_bytes(pdf_bytes())
    hour_ago = time.time() - 2 * 3600
    for path in (folder / (name + ".part"), abandoned):
        os.utime(path, (hour_ago, hour_ago))

    runner = app.test_cli_runner()
    result = runner.invoke(args=["uploads", "sweep"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "uploads sweep: 1 put in place, 1 removed"
    assert files_in(folder) == sorted([name, in_progress.name])
    assert participant.get(item_url + "/paper").status_code == 200
    again = runner.invoke(args=["uploads", "sweep"])
    assert again.output.strip() == "uploads sweep: 0 put in place, 0 removed"


# --- papers that cannot be read whole ------------------------------------------------------

def _saved_pdf(pages: int = 1, **options) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


PASSWORD_MESSAGE = "This PDF is protected with a password. Upload a version without a password."
DAMAGED_MESSAGE = "This PDF cannot be opened. It may be damaged; save it again as PDF and choose"
UNREADABLE = {
    "a password to open it (AES-256)": (
        lambda: _saved_pdf(encryption=pikepdf.Encryption(user="geheim", owner="eigenaar")),
        PASSWORD_MESSAGE),
    "a password to open it (RC4)": (
        lambda: _saved_pdf(encryption=pikepdf.Encryption(user="geheim", owner="eigenaar", R=3,
                                                         aes=False, metadata=False)),
        PASSWORD_MESSAGE),
    "a password for its permissions only": (
        lambda: _saved_pdf(encryption=pikepdf.Encryption(user="", owner="eigenaar")),
        PASSWORD_MESSAGE),
    "cut off halfway": (lambda: _saved_pdf(3)[:len(_saved_pdf(3)) // 2], DAMAGED_MESSAGE),
    "only a header": (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n",
                      DAMAGED_MESSAGE),
    "no pages": (lambda: _saved_pdf(0), "This PDF has no pages."),
}


@pytest.mark.parametrize("kind", sorted(UNREADABLE))
def test_a_paper_that_cannot_be_read_whole_is_refused_and_the_text_kept(participant, app, folder,
                                                                       kind):
    make, message = UNREADABLE[kind]
    response = give(participant, title="Mijn titel", paper=make())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    errors = field_errors(html)
    assert any(e.startswith(f"paper: {message}") for e in errors), errors
    assert 'value="Mijn titel"' in html
    with app.app_context():
        assert count(Contribution) == 0 and count(Attachment) == 0


# --- papers that would act when opened ------------------------------------------------------

def _js(pdf, code="app.alert(1)"):
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(code))


def _annotation(pdf, **entries):
    annotation = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Rect=[0, 0, 100, 100], **entries))
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([annotation]))
    return annotation


def _form_field(pdf, **entries):
    field = _annotation(pdf, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx,
                        T=pikepdf.String("naam"), **entries)
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[field])


def _embedded_file(pdf):
    return pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("factuur.exe"),
                              EF=pikepdf.Dictionary(F=pdf.make_stream(b"MZ\x90\x00")))


def _outline_with(pdf, action):
    outlines = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines, Count=1))
    item = pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String("Inleiding"),
                                                Parent=outlines, A=action))
    outlines.First = outlines.Last = item
    pdf.Root.Outlines = outlines


ACTIVE = {
    "open action JavaScript": lambda pdf: setattr(pdf.Root, "OpenAction", _js(pdf)),
    "document additional actions": lambda pdf: setattr(
        pdf.Root, "AA", pikepdf.Dictionary(WC=_js(pdf))),
    "names tree of scripts": lambda pdf: setattr(pdf.Root, "Names", pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("start"), _js(pdf)]))),
    "page additional actions": lambda pdf: setattr(
        pdf.pages[0].obj, "AA", pikepdf.Dictionary(O=_js(pdf))),
    "launch action on a link": lambda pdf: _annotation(
        pdf, Subtype=pikepdf.Name.Link, A=pikepdf.Dictionary(
            S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))),
    "script on a form field": lambda pdf: _form_field(pdf, AA=pikepdf.Dictionary(E=_js(pdf))),
    "script on a link": lambda pdf: _annotation(pdf, Subtype=pikepdf.Name.Link, A=_js(pdf)),
    "script after a harmless action": lambda pdf: setattr(pdf.Root, "OpenAction",
                                                          pikepdf.Dictionary(
        S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org"), Next=_js(pdf))),
    "embedded files": lambda pdf: setattr(pdf.Root, "Names", pikepdf.Dictionary(
        EmbeddedFiles=pikepdf.Dictionary(Names=[pikepdf.String("f"), _embedded_file(pdf)]))),
    "file attachment annotation": lambda pdf: _annotation(
        pdf, Subtype=pikepdf.Name.FileAttachment, FS=_embedded_file(pdf)),
    "script in a bookmark": lambda pdf: _outline_with(pdf, _js(pdf)),
    "go to an embedded file on opening": lambda pdf: setattr(pdf.Root, "OpenAction",
                                                             pikepdf.Dictionary(
        S=pikepdf.Name.GoToE, NewWindow=True, T=pikepdf.Dictionary(
            R=pikepdf.Name.C, N=pikepdf.String("bijlage")))),
    "XFA form": lambda pdf: setattr(pdf.Root, "AcroForm", pikepdf.Dictionary(
        Fields=[], XFA=pdf.make_stream(b"<xdp:xdp><script>app.alert(1)</script></xdp:xdp>"))),
}


def active_pdf(kind: str, *, object_streams: bool = False) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    ACTIVE[kind](pdf)
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=(pikepdf.ObjectStreamMode.generate if object_streams
                                      else pikepdf.ObjectStreamMode.disable))
    return out.getvalue()


def handmade_pdf(open_action: bytes) -> bytes:
    """A PDF written byte by byte, for what pikepdf would tidy away (escaped names)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R /OpenAction " + open_action + b" >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1,
                                                                              xref)
    return bytes(out)


def _refused(participant, app, folder, data):
    response = give(participant, title="Mijn titel", body="Mijn zorgvuldig getypte tekst",
                    paper=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    errors = field_errors(html)
    assert any(e.startswith(f"paper: {ACTIVE_MESSAGE}") for e in errors), errors
    assert 'value="Mijn titel"' in html and "Mijn zorgvuldig getypte tekst" in html
    with app.app_context():
        assert count(Contribution) == 0 and count(Attachment) == 0
    assert not folder.exists() or files_in(folder) == []


@pytest.mark.parametrize("kind", sorted(ACTIVE))
def test_a_pdf_that_would_act_when_opened_is_refused_and_the_text_kept(participant, app, folder,
                                                                       kind):
    _refused(participant, app, folder, active_pdf(kind))


@pytest.mark.parametrize("kind", ["open action JavaScript", "script on a link"])
def test_a_script_packed_in_an_object_stream_is_found(participant, app, folder, kind):
    data = active_pdf(kind, object_streams=True)
    assert b"JavaScript" not in data  # compressed: not to be found by looking at the bytes
    _refused(participant, app, folder, data)


def test_a_script_behind_an_escaped_name_is_found(participant, app, folder):
    data = handmade_pdf(b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>")
    assert b"JavaScript" not in data and b"/JS" not in data
    _refused(participant, app, folder, data)


def test_links_bookmarks_and_an_opening_view_are_not_active(participant, app, folder):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
    _annotation(pdf, Subtype=pikepdf.Name.Link, A=pikepdf.Dictionary(
        S=pikepdf.Name.URI, URI=pikepdf.String("https://www.assen.nl")))
    _outline_with(pdf, pikepdf.Dictionary(S=pikepdf.Name.GoTo,
                                          D=pikepdf.Array([pdf.pages[1].obj, pikepdf.Name.Fit])))
    out = io.BytesIO()
    pdf.save(out)
    response = give(participant, paper=out.getvalue())
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    again = give(participant, title="Nog een keer", paper=out.getvalue())
    assert again.status_code == 302
    with app.app_context():
        assert count(Attachment) == 2
    assert len(files_in(folder)) == 2


# --- drafts that unpack to a bomb -----------------------------------------------------------

def _deflated_zeros(size: int) -> tuple[bytes, int]:
    """`size` zero bytes as a raw deflate stream, and their CRC-32, made without holding or
    compressing them all: after the first megabyte every further megabyte compresses to the
    same bytes, so one is made and repeated."""
    megabyte = bytes(1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(megabyte) + packer.flush(zlib.Z_SYNC_FLUSH)
    repeated = packer.compress(megabyte) + packer.flush(zlib.Z_SYNC_FLUSH)
    crc = 0
    for _ in range(size >> 20):
        crc = zlib.crc32(megabyte, crc)
    return first + repeated * ((size >> 20) - 1) + packer.flush(), crc


def _zip(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, deflated bytes, crc, unpacked size) parts, written by hand."""
    out, directory = bytearray(), bytearray()
    for name, packed, crc, size in parts:
        encoded, offset = name.encode(), len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(packed), size,
                           len(encoded), 0) + encoded + packed
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc,
                                 len(packed), size, len(encoded), 0, 0, 0, 0, 0,
                                 offset) + encoded
    out += directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts),
                                   len(directory), len(out), 0)
    return bytes(out)


def _part(name: str, text: bytes) -> tuple[str, bytes, int, int]:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, packer.compress(text) + packer.flush(), zlib.crc32(text), len(text)


def docx_bomb(unpacked: int = 1 << 30) -> bytes:
    """A .docx-shaped zip whose document part is `unpacked` zero bytes (1 GB: 1 MB packed)."""
    packed, crc = _deflated_zeros(unpacked)
    return _zip([
        _part("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.'
              b'openxmlformats.org/package/2006/content-types"><Override PartName="/word/'
              b'document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
              b'wordprocessingml.document.main+xml"/></Types>'),
        _part("_rels/.rels", b'<?xml version="1.0"?><Relationships xmlns="http://schemas.'
              b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
              b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              b'officeDocument" Target="word/document.xml"/></Relationships>'),
        ("word/document.xml", packed, crc, unpacked)])


@pytest.mark.once
def test_the_bomb_is_a_real_zip_of_what_it_says():
    import zipfile

    small = docx_bomb(8 << 20)
    with zipfile.ZipFile(io.BytesIO(small)) as archive:
        assert archive.testzip() is None  # every part unpacks to its size and CRC
        assert archive.read("word/document.xml") == bytes(8 << 20)


@pytest.mark.once
def test_a_docx_zip_bomb_is_refused_from_its_directory():
    bomb = docx_bomb()
    assert len(bomb) < 1_100_000  # 1 GB unpacked, under the 10 MB upload limit packed
    with pytest.raises(DraftFormatError) as refused:
        parse_docx(bomb)
    assert refused.value.kind == "too_large_unpacked"
    # Under the total but packed as only bombs are: refused as well.
    with pytest.raises(DraftFormatError) as refused:
        parse_docx(docx_bomb(MAX_DOCX_UNPACKED // 2))
    assert refused.value.kind == "too_large_unpacked"


def test_the_team_uploading_a_docx_bomb_is_told_why(client, app):
    with app.app_context():
        make_process()
        make_user("mod@example.nl", role="moderator", locale="en")
    login(client, "mod@example.nl")
    for _ in range(2):
        page = client.get("/p/economie/draft/upload").get_data(as_text=True)
        response = client.post("/p/economie/draft/upload", data={
            "csrf_token": csrf_token(page),
            "document": (io.BytesIO(docx_bomb()), "agenda.docx")})
        assert response.status_code == 200
        errors = field_errors(response.get_data(as_text=True))
        assert any(e.startswith("document: This Word file unpacks to more than 50 MB")
                   for e in errors), errors
    with app.app_context():
        assert count(DraftVersion) == 0
