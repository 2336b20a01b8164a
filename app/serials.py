"""Numbers read as "the last one + 1" (complaint references, rectification notice numbers) race when two
requests take one at the same moment: both read the same last number and the unique constraint refuses the
second INSERT. `add_numbered` makes the second request take the next number instead of failing.

- PostgreSQL: the INSERT runs in a savepoint; when a concurrent transaction took the number first (the
  unique index makes this INSERT wait for it, then refuses it), the savepoint is rolled back and the object
  is built again with the number read anew.
- SQLite: a write statement first takes the database's write lock, so no other writer can take a number
  between the read and the INSERT. (A savepoint would not do here: pysqlite opens no transaction before a
  SAVEPOINT, and releasing an outermost SAVEPOINT commits — the row would be committed half-way through
  the request.)
"""
from __future__ import annotations

from typing import Callable, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict
from app.extensions import db

T = TypeVar("T")
ATTEMPTS = 5


def add_numbered(model, make: Callable[[], T], *, attempts: int = ATTEMPTS) -> T:
    """Add and flush `make()` (a new `model` row that allocates its own number)."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.delete(model).where(sa.false()))  # takes the write lock, changes nothing
        obj = make()
        db.session.add(obj)
        db.session.flush()
        return obj
    for _ in range(attempts):
        obj = make()
        try:
            with db.session.begin_nested():
                db.session.add(obj)
        except IntegrityError:
            continue  # the savepoint rolled back; the other transaction's number is now visible
        return obj
    raise Conflict("编号分配冲突，请稍后重试", code="number_conflict")
