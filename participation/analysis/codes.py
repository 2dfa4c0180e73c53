"""The team's own codes (tags) for the items of a process: made, renamed and removed per
process, given to items by hand (one item, a selection of the queue) or to a whole group.

Functions flush; callers commit. Giving a code twice is a no-op (the unique key of ItemCode
settles two team members tagging the same item at once).
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from ..audit.services import record
from ..comments.models import Comment
from ..contributions.models import Contribution
from ..core.conflicts import check_version, for_change
from ..core.extensions import db
from ..processes.models import Process, Round
from .models import AnalysisGroup, AnalysisGroupItem, Code, ItemCode, ItemKind

#: A code's longest name (the column's length).
NAME_LENGTH = 60


class NameTaken(ValueError):
    """Another code of the process has this name (in any case)."""


def clean_name(name: str) -> str:
    return " ".join((name or "").split())[:NAME_LENGTH]


def codes_of(process: Process) -> list[Code]:
    """The process's codes by name, with how many items each has, in one query
    (`Code.item_count` set on each)."""
    rows = db.session.execute(
        sa.select(Code, sa.func.count(ItemCode.id))
        .outerjoin(ItemCode, ItemCode.code_id == Code.id)
        .where(Code.process_id == process.id)
        .group_by(Code.id).order_by(sa.func.lower(Code.name), Code.id)).all()
    for code, number in rows:
        code.item_count = number
    return [code for code, _number in rows]


def get_code(process: Process, code_id: int, *, lock: bool = False) -> Code | None:
    stmt = sa.select(Code).where(Code.id == code_id, Code.process_id == process.id)
    return db.session.scalar(for_change(stmt) if lock else stmt)


def _taken(process: Process, name: str, but: int | None = None) -> bool:
    stmt = sa.select(Code.id).where(Code.process_id == process.id,
                                    sa.func.lower(Code.name) == name.lower())
    if but is not None:
        stmt = stmt.where(Code.id != but)
    return db.session.scalar(stmt) is not None


def add_code(process: Process, name: str, actor) -> Code:
    """A new code; NameTaken when the process has it already (also when someone else made it
    at the same moment: the unique key refuses the second)."""
    name = clean_name(name)
    if _taken(process, name):
        raise NameTaken(name)
    try:
        with db.session.begin_nested():
            code = Code(process_id=process.id, name=name)
            db.session.add(code)
    except sa.exc.IntegrityError:
        raise NameTaken(name) from None
    record("code.add", actor=actor, target_type="analysis_code", target_id=code.id,
           process_id=process.id, after={"title": name})
    return code


def rename_code(code: Code, name: str, actor, *, seen_version: int | None = None) -> bool:
    """False when the name is the same; EditConflict from an older form; NameTaken."""
    name = clean_name(name)
    if name == code.name:
        return False
    check_version(code, seen_version)
    process = db.session.get(Process, code.process_id)
    if _taken(process, name, but=code.id):
        raise NameTaken(name)
    before = code.name
    try:
        with db.session.begin_nested():
            code.name = name
            code.raise_version()
    except sa.exc.IntegrityError:
        raise NameTaken(name) from None
    record("code.rename", actor=actor, target_type="analysis_code", target_id=code.id,
           process_id=code.process_id, before={"title": before}, after={"title": name})
    return True


def delete_code(code: Code, actor, *, seen_version: int | None = None) -> None:
    """The code and its tags go; the items stay as they are."""
    check_version(code, seen_version)
    record("code.delete", actor=actor, target_type="analysis_code", target_id=code.id,
           process_id=code.process_id, before={"title": code.name})
    db.session.execute(sa.delete(ItemCode).where(ItemCode.code_id == code.id))
    db.session.delete(code)
    db.session.flush()


def items_in_process(process: Process, keys) -> set[tuple[ItemKind, int]]:
    """Those of `keys` ((kind, id)) that are contributions or comments of this process, in at
    most two queries."""
    wanted = defaultdict(set)
    for kind, item_id in keys:
        wanted[kind].add(item_id)
    found = set()
    for kind, model in ((ItemKind.contribution, Contribution), (ItemKind.comment, Comment)):
        if wanted[kind]:
            found |= {(kind, item_id) for item_id in db.session.scalars(
                sa.select(model.id).join(Round, Round.id == model.round_id)
                .where(Round.process_id == process.id, model.id.in_(wanted[kind])))}
    return found


def tag_items(process: Process, code: Code, keys, actor) -> int:
    """Give `code` to the items (of this process); the number newly tagged."""
    keys = items_in_process(process, keys)
    if not keys:
        return 0
    have = {tuple(row) for row in db.session.execute(sa.select(
        ItemCode.item_kind, ItemCode.item_id).where(ItemCode.code_id == code.id, _key_in(keys)))}
    new = sorted(keys - have, key=lambda key: (key[0].value, key[1]))
    for kind, item_id in new:
        try:
            with db.session.begin_nested():
                db.session.add(ItemCode(code_id=code.id, item_kind=kind, item_id=item_id,
                                        created_by_id=getattr(actor, "id", None)))
        except sa.exc.IntegrityError:  # tagged by someone else at the same moment
            new.remove((kind, item_id))
    if new:
        record("code.tag", actor=actor, target_type="analysis_code", target_id=code.id,
               process_id=process.id, after={"title": code.name, "tagged": [
                   f"{kind.value}:{item_id}" for kind, item_id in new]})
    return len(new)


def untag_item(process: Process, code: Code, kind: ItemKind, item_id: int, actor) -> bool:
    deleted = db.session.execute(sa.delete(ItemCode).where(
        ItemCode.code_id == code.id, ItemCode.item_kind == kind, ItemCode.item_id == item_id))
    if deleted.rowcount:
        record("code.untag", actor=actor, target_type="analysis_code", target_id=code.id,
               process_id=process.id, after={"title": code.name, "tagged": [
                   f"{kind.value}:{item_id}"]})
    return bool(deleted.rowcount)


def tag_group(process: Process, code: Code, group: AnalysisGroup, actor) -> int:
    """Give `code` to every item of the group as it is now."""
    keys = {tuple(row) for row in db.session.execute(
        sa.select(AnalysisGroupItem.item_kind, AnalysisGroupItem.item_id)
        .where(AnalysisGroupItem.group_id == group.id))}
    return tag_items(process, code, keys, actor)


def codes_for_items(keys) -> dict[tuple[ItemKind, int], list[Code]]:
    """The codes of each item, by name, in one query."""
    keys = set(keys)
    if not keys:
        return {}
    result: dict[tuple[ItemKind, int], list[Code]] = defaultdict(list)
    for kind, item_id, code in db.session.execute(
            sa.select(ItemCode.item_kind, ItemCode.item_id, Code)
            .join(Code, Code.id == ItemCode.code_id).where(_key_in(keys))
            .order_by(sa.func.lower(Code.name))):
        result[(kind, item_id)].append(code)
    return result


def _key_in(keys):
    by_kind = defaultdict(list)
    for kind, item_id in keys:
        by_kind[kind].append(item_id)
    return sa.or_(*(sa.and_(ItemCode.item_kind == kind, ItemCode.item_id.in_(ids))
                    for kind, ids in by_kind.items()))
