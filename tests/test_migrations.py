"""The migrations build exactly the schema the models describe, with the CHECK constraints on every state column."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from distribusi.extensions import db


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": False})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_are_at_a_single_head(app):
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == tuple(heads)


@pytest.fixture
def rows(office, make_user, documents):
    """One row in every table with a state column."""
    from distribusi.recap.services import create_recap

    clerk = make_user("clerk")
    document, packed = documents(clerk, 2, seed=95)
    recap = create_recap(clerk, [packed.id])
    db.session.commit()
    return {"documents": document.id, "recaps": recap.id, "parcels": recap.parcels[0].id, "users": clerk.id}


STATE_COLUMNS = [("documents", "status"), ("documents", "flag_reason"), ("parcels", "status"), ("recaps", "status"),
                 ("users", "role")]


def test_check_constraints_refuse_a_bogus_value(rows, subtests):
    for table, column in STATE_COLUMNS:
        with subtests.test(f"{table}.{column}"):
            with pytest.raises(sa.exc.IntegrityError):
                statement = sa.text(f"UPDATE {table} SET {column} = 'bogus' WHERE id = :id")
                db.session.execute(statement, {"id": rows[table]})
                db.session.flush()
            db.session.rollback()


def test_inserting_a_bogus_status_fails(rows):
    columns = db.metadata.tables["documents"].columns
    copy = ", ".join(column.name for column in columns if column.name not in ("id", "status", "doc_number"))
    statement = (
        f"INSERT INTO documents ({copy}, doc_number, status) "
        f"SELECT {copy}, 'SALINAN-1', :status FROM documents WHERE id = :id"
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.text(statement), {"status": "lost", "id": rows["documents"]})
    db.session.rollback()
    db.session.execute(sa.text(statement), {"status": "registered", "id": rows["documents"]})  # the same row, valid
    db.session.rollback()
