"""The PDF's helper processes: lay out one part with Typst, or join the parts into the document.

Run as `python -I worker.py compile FOLDER PART`, `... join FOLDER` (which runs
`... serialize FOLDER PART` for each part); it reads only the files in FOLDER (made by
pdf_format.to_pdf) and imports neither Flask nor the app, so each process starts in a fraction
of a second and holds only its own part. Typst keeps every
page of a run in memory (about 0.17 MB an item), so one run of 15,000 items took 3.3 GB; parts
of PART_ITEMS items stay near 115 MB each, and run on every core.

Joining keeps what makes the PDF accessible: the structure trees of the parts become one (their
parent trees renumbered), the named destinations and the links between parts ("#anchor" links
become GoTo actions to the named destination, described by the words they link), one outline,
and the running header and page numbers stamped on every page as artifacts.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TEMPLATE = "document.typ"
PAGES_TEMPLATE = "pages.typ"


def compile_part(folder: Path, name: str) -> dict:
    """`name`.json laid out as `name`.pdf; what the join and the index need to know of it."""
    import pikepdf
    import typst

    # PDF/UA-1 asks that the first heading be of level 1: the front has it; the joined
    # document is declared PDF/UA-1 by the front's catalogue and XMP.
    pdf = typst.Compiler(str(folder / TEMPLATE), root=str(folder),
                         sys_inputs={"data": f"{name}.json"}).compile(
        format="pdf", pdf_standards=["ua-1"] if name == "front" else [],
        timestamp=json.loads((folder / "job.json").read_text())["timestamp"])
    (folder / f"{name}.pdf").write_bytes(pdf)
    with pikepdf.open(folder / f"{name}.pdf") as laid_out:
        pages = {page.objgen: n for n, page in enumerate(laid_out.pages)}
        anchors = {}
        names = laid_out.Root.get("/Names")
        if names is not None and "/Dests" in names:
            for anchor, dest in pikepdf.NameTree(names.Dests).items():
                anchors[anchor] = pages[dest[0].objgen]
        return {"pages": len(laid_out.pages), "anchors": anchors}


def join(folder: Path) -> None:
    """The parts, in order, as `document.pdf` (see the module's docstring).

    Written object by object: qpdf holding every part and their copy took 1.1 GB for 15,000
    items. Each part's objects keep their numbers, shifted past the parts before, so the parts
    are written out side by side, one process a part (serialize), and the pieces put one after
    the other; the catalogue, page tree, structure tree root and /Document element of the parts
    are replaced by one of each, which the references to them are pointed at."""
    import pikepdf
    from pikepdf import Name

    job = json.loads((folder / "job.json").read_text())
    out = _Writer(folder / "document.pdf")
    catalog, page_tree, struct_root, document = (out.reserve() for _ in range(4))
    plans, first_page, next_key = [], 0, 0
    forms = out.shift(job["page_count"])  # the stamp drawn on page n is object forms + n
    for number, name in enumerate(job["parts"]):
        with pikepdf.open(folder / f"{name}.pdf") as part:
            count = len(part.pages)
            # Room for the part's objects and the three that stamping adds to each page.
            size = int(part.trailer.Size) + 3 * count
            plans.append({"name": name, "base": out.shift(size), "size": size,
                          "next_key": next_key, "first_page": first_page, "front": number == 0,
                          "forms": forms, "document": document, "page_tree": page_tree,
                          "links": job["links"]})
            next_key += int(part.Root.StructTreeRoot.get("/ParentTreeNextKey", 0))
            first_page += count
    stamps = {"name": "pages", "base": out.next, "forms": forms, "count": first_page}
    for plan in plans:
        (folder / f"{plan['name']}.plan.json").write_text(json.dumps(plan))
    (folder / "pages.plan.json").write_text(json.dumps(stamps))
    # The stamps first and alone: laying out every page's header and number is the largest
    # helper (about 210 MB for 4,000 pages); the parts' helpers (about 40 MB) then go two at a
    # time, so the processes together stay under 500 MB.
    stamped = json.loads(_helper(folder, "serialize", "pages"))
    with ThreadPoolExecutor(max_workers=max(1, len(os.sched_getaffinity(0)))) as pool:
        pieces = list(pool.map(lambda plan: json.loads(_helper(folder, "serialize", plan["name"])),
                               plans))
    done = [stamped, *pieces]
    out.next = stamps["base"] + stamped["size"]
    for plan, piece in zip([stamps, *plans], done, strict=True):
        out.append(folder / f"{plan['name']}.objects", piece["offsets"])

    def text(value: str) -> bytes:
        return value.encode("latin-1")

    pages = [n for piece in pieces for n in piece["pages"]]
    out.write(page_tree, b"<< /Type /Pages /Count %d /Kids [%s] >>"
              % (len(pages), b" ".join(b"%d 0 R" % n for n in pages)))
    kids = b" ".join(text(kid) for piece in pieces for kid in piece["kids"])
    out.write(document, b"<< /Type /StructElem /S /Document /P %d 0 R /K [%s] >>"
              % (struct_root, kids))
    parent = out.tree(b"Nums", [(b"%d" % key, text(value)) for piece in pieces
                                for key, value in piece["parent_tree"]])
    root_entries = [b"/Type /StructTreeRoot /K %d 0 R /ParentTree %d 0 R /ParentTreeNextKey %d"
                    % (document, parent, next_key)]
    roles = {role: value for piece in pieces for role, value in piece["roles"].items()}
    if roles:
        root_entries.append(b"/RoleMap << %s >>" % b" ".join(
            Name(role).unparse() + b" " + Name(value).unparse() for role, value in roles.items()))
    ids = sorted((text(k), text(v)) for piece in pieces for k, v in piece["ids"])
    if ids:
        root_entries.append(b"/IDTree %d 0 R" % out.tree(b"Names", ids))
    out.write(struct_root, b"<< " + b" ".join(root_entries) + b" >>")
    outlines = _outline(out, job["outline"])
    names = out.tree(b"Names", sorted((text(k), text(v)) for piece in pieces
                                      for k, v in piece["dests"]))
    front = {key: text(value) for key, value in pieces[0]["front"].items()}
    out.write(catalog, b"<< /Type /Catalog /Pages %d 0 R /StructTreeRoot %d 0 R /Outlines %d 0 R "
              b"/PageMode /UseOutlines /Names << /Dests %d 0 R >> %s >>"
              % (page_tree, struct_root, outlines, names,
                 b" ".join(key.encode() + b" " + value for key, value in front.items()
                           if key != "/Info")))
    out.close(catalog, front["/Info"])


def _helper(folder: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, "-I", __file__, args[0], str(folder), *args[1:]],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"PDF {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def serialize(folder: Path, name: str) -> dict:
    """One part's objects, renumbered as its plan says, as `name`.objects; what the joined
    file's page tree, structure tree, destinations and catalogue need of it."""
    import pikepdf
    from pikepdf import Dictionary, Name, String

    plan = json.loads((folder / f"{name}.plan.json").read_text())
    if name == "pages":
        return _serialize_stamps(folder, plan)
    base, next_key, forms = plan["base"], plan["next_key"], plan["forms"]
    writer = _Writer(folder / f"{name}.objects", header=False)
    with pikepdf.open(folder / f"{name}.pdf") as part:
        root = part.Root
        tree = root.StructTreeRoot
        element = _document_element(tree)
        special = {element.objgen[0]: plan["document"], root.Pages.objgen[0]: plan["page_tree"]}
        skip = {root.objgen[0], tree.objgen[0], *special}
        pages = []
        for n, page in enumerate(part.pages, plan["first_page"]):
            for annotation in page.obj.get("/Annots", ()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + next_key
                # A link between parts, written "#anchor": a jump to the named destination.
                action = annotation.get("/A")
                if action is not None and action.get("/S") == Name.URI \
                        and str(action.URI).startswith("#"):
                    anchor = str(action.URI)[1:]
                    annotation.A = Dictionary(S=Name.GoTo, D=String(anchor))
                    annotation.Contents = String(plan["links"].get(anchor, anchor))
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + next_key
            if n > 0:  # the stamp: a placeholder here, written as the stamp's form (_stamps)
                placeholder = part.make_indirect(Dictionary())
                special[placeholder.objgen[0]] = forms + n
                skip.add(placeholder.objgen[0])
                resource = page.add_resource(placeholder, Name.XObject, prefix="Stamp")
                page.contents_add(part.make_stream(b"q\n"), prepend=True)
                page.contents_add(part.make_stream(
                    b"Q\n/Artifact <</Type /Pagination>> BDC\nq " + str(resource).encode()
                    + b" Do Q\nEMC\n"))
            pages.append(base + page.objgen[0])
        if max(obj.objgen[0] for obj in part.objects) >= plan["size"]:
            raise RuntimeError(f"{name}: more objects than planned")
        renumber = _renumbering(base, special)

        def text(obj) -> str:
            return renumber(obj.unparse()).decode("latin-1")

        summary = {
            "pages": pages, "kids": [text(kid) for kid in _kids(element)],
            "parent_tree": [(int(key) + next_key, text(value)) for key, value
                            in pikepdf.NumberTree(tree.ParentTree).items()],
            "ids": [(String(key).unparse().decode("latin-1"), text(value)) for key, value in
                    (pikepdf.NameTree(tree.IDTree).items() if "/IDTree" in tree else ())],
            "roles": {role: str(value) for role, value
                      in tree.get("/RoleMap", Dictionary()).items()},
            "dests": [(String(key).unparse().decode("latin-1"), text(value)) for key, value in
                      (pikepdf.NameTree(root.Names.Dests).items()
                       if "/Names" in root and "/Dests" in root.Names else ())],
            "front": {}}
        if plan["front"]:  # the front: language, title shown, PDF/UA identifier
            summary["front"] = {key: text(root[key]) for key in (
                "/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata") if key in root}
            summary["front"]["/Info"] = text(part.trailer.Info)
        for obj in part.objects:
            number = obj.objgen[0]
            if number in skip:
                continue
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_raw_bytes()
                obj.stream_dict.Length = len(raw)
                writer.write(base + number, renumber(obj.stream_dict.unparse()), raw)
            else:
                writer.write(base + number, renumber(obj.unparse(resolved=True)))
    writer.file.close()
    summary["offsets"] = writer.offsets
    return summary


#: A reference "12 0 R", or a literal string to step over (qpdf escapes the parentheses inside
#: one, and writes text beyond ASCII as <hex>, which holds no " R").
_REFERENCE = re.compile(rb"\((?:\\.|[^\\)])*\)|(\d+) \d+ R")


def _renumbering(base: int, special: dict[int, int]):
    """References of a part's object text pointed at the joined file's numbers: `base` added,
    or the number in `special` (the part's page tree and /Document: the joined one's)."""
    def reference(match: re.Match) -> bytes:
        if match.group(1) is None:
            return match.group(0)
        number = int(match.group(1))
        return b"%d 0 R" % special.get(number, base + number)

    return lambda data: _REFERENCE.sub(reference, data)


class _Writer:
    """A PDF written object by object, with a classic cross-reference table."""

    def __init__(self, path: Path, header: bool = True) -> None:
        self.file = open(path, "wb")
        if header:
            self.file.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self.offsets: dict[int, int] = {}
        self.next = 1

    def reserve(self) -> int:
        self.next += 1
        return self.next - 1

    def shift(self, count: int) -> int:
        """Numbers for `count` objects of a part (its own numbers plus the result)."""
        base = self.next
        self.next += count
        return base

    def append(self, path: Path, offsets: dict[str, int]) -> None:
        """Objects another process wrote (`offsets` from the start of its file)."""
        start = self.file.tell()
        with open(path, "rb") as piece:
            shutil.copyfileobj(piece, self.file, 1 << 20)
        self.offsets.update((int(number), start + offset) for number, offset in offsets.items())

    def write(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.file.tell()
        self.file.write(b"%d 0 obj\n" % number + body)
        if stream is not None:
            self.file.write(b"\nstream\n" + stream + b"\nendstream")
        self.file.write(b"\nendobj\n")

    def tree(self, kind: bytes, entries: list[tuple[bytes, bytes]], size: int = 256) -> int:
        """A number or name tree: leaves of `size` entries under one root."""
        root = self.reserve()
        leaves = []
        for start in range(0, len(entries), size):
            chunk = entries[start:start + size]
            leaf = self.reserve()
            self.write(leaf, b"<< /Limits [%s %s] /%s [%s] >>" % (
                chunk[0][0], chunk[-1][0], kind,
                b" ".join(key + b" " + value for key, value in chunk)))
            leaves.append(leaf)
        if leaves:
            self.write(root, b"<< /Kids [%s] >>" % b" ".join(b"%d 0 R" % n for n in leaves))
        else:
            self.write(root, b"<< /%s [] >>" % kind)
        return root

    def close(self, root: int, info: bytes) -> None:
        xref = self.file.tell()
        size = self.next
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        for number in range(1, size):
            offset = self.offsets.get(number)
            lines.append(b"%010d 00000 n \n" % offset if offset is not None
                         else b"0000000000 00000 f \n")
        self.file.write(b"".join(lines))
        self.file.write(b"trailer\n<< /Size %d /Root %d 0 R /Info %s >>\nstartxref\n%d\n%%%%EOF\n"
                        % (size, root, info, xref))
        self.file.close()


def _serialize_stamps(folder: Path, plan: dict) -> dict:
    """The running header and the page number of every page, laid out by Typst once the pages
    are counted (pages.typ) and written as one form a page (object plan["forms"] + n), which
    each page draws over itself as an artifact: a screen reader skips them, as it skips a web
    page's repeated header. The title page has neither."""
    import zlib

    import pikepdf
    import typst

    (folder / "pages.json").write_text(json.dumps(
        {**json.loads((folder / "pages.json").read_text()), "count": plan["count"]},
        ensure_ascii=False))
    typst.Compiler(str(folder / PAGES_TEMPLATE), root=str(folder)).compile(
        output=str(folder / "pages.pdf"), format="pdf", pdf_tags=False)
    writer = _Writer(folder / "pages.objects", header=False)
    base = plan["base"]
    renumber = _renumbering(base, {})
    with pikepdf.open(folder / "pages.pdf") as stamps:
        # The fonts and what else the stamps use; not their pages and page contents.
        skip = {stamps.Root.objgen[0], stamps.Root.Pages.objgen[0]}
        for page in stamps.pages:
            skip.add(page.objgen[0])
            contents = page.obj.Contents
            for content in (contents if isinstance(contents, pikepdf.Array) else [contents]):
                skip.add(content.objgen[0])
        for obj in stamps.objects:
            if obj.objgen[0] in skip:
                continue
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_raw_bytes()
                obj.stream_dict.Length = len(raw)
                writer.write(base + obj.objgen[0], renumber(obj.stream_dict.unparse()), raw)
            else:
                writer.write(base + obj.objgen[0], renumber(obj.unparse(resolved=True)))
        for n, page in enumerate(stamps.pages):
            if n == 0:
                continue
            contents = page.obj.Contents
            content = zlib.compress(b"\n".join(
                part.read_bytes() for part in
                (contents if isinstance(contents, pikepdf.Array) else [contents])))
            writer.write(plan["forms"] + n, b"<< /Type /XObject /Subtype /Form /BBox %s "
                         b"/Resources %s /Filter /FlateDecode /Length %d >>" % (
                             page.obj.MediaBox.unparse(resolved=True),
                             renumber(page.obj.Resources.unparse(resolved=True)), len(content)),
                         content)
        size = max(obj.objgen[0] for obj in stamps.objects) + 1
    writer.file.close()
    return {"offsets": writer.offsets, "size": size}


def _document_element(tree):
    """The /Document element at the top of a structure tree (Typst writes one)."""
    import pikepdf

    kids = tree.K
    return kids[0] if isinstance(kids, pikepdf.Array) else kids


def _kids(element) -> list:
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _outline(out: _Writer, entries: list) -> int:
    """Bookmarks from [title, anchor, children] entries, each going to a named destination;
    the sections show, their stakeholders open on request."""
    from pikepdf import String

    outlines = out.reserve()

    def level(parent: int, items: list) -> tuple[int, int, int]:
        numbers = [out.reserve() for _ in items]
        for n, (number, (title, anchor, children)) in enumerate(zip(numbers, items, strict=True)):
            fields = [b"/Title " + String(title).unparse(), b"/Parent %d 0 R" % parent,
                      b"/Dest " + String(anchor).unparse()]
            if n:
                fields.append(b"/Prev %d 0 R" % numbers[n - 1])
            if n + 1 < len(numbers):
                fields.append(b"/Next %d 0 R" % numbers[n + 1])
            if children:
                first, last, count = level(number, children)
                fields.append(b"/First %d 0 R /Last %d 0 R /Count -%d" % (first, last, count))
            out.write(number, b"<< " + b" ".join(fields) + b" >>")
        return numbers[0], numbers[-1], len(numbers)

    first, last, count = level(outlines, entries)
    out.write(outlines, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
              % (first, last, count))
    return outlines


if __name__ == "__main__":
    command, where = sys.argv[1], Path(sys.argv[2])
    if command == "compile":
        print(json.dumps(compile_part(where, sys.argv[3])))
    elif command == "serialize":
        print(json.dumps(serialize(where, sys.argv[3])))
    elif command == "join":
        join(where)
    else:
        raise SystemExit(f"unknown command {command!r}")
