"""Gap-free counters per office, name and year, safe under concurrent transactions."""
from sqlalchemy.dialects import postgresql, sqlite

from distribusi.extensions import db
from distribusi.models import Counter

_DIALECT_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def next_number(office_id: int, name: str, year: int) -> int:
    """Increment and return the counter in the caller's transaction; the row stays locked until commit."""
    insert = _DIALECT_INSERT[db.session.get_bind().dialect.name]
    stmt = (
        insert(Counter)
        .values(office_id=office_id, name=name, year=year, value=1)
        .on_conflict_do_update(
            index_elements=["office_id", "name", "year"],
            set_={"value": Counter.value + 1},
        )
        .returning(Counter.value)
    )
    return db.session.execute(stmt).scalar_one()

