"""A snapshot of every table's rows, restored in one transaction: the demo for browser tests.

Loading the demo through its loader takes over a second (thousands of ORM calls); a browser
test's transactional database is emptied after each test, so each loaded it again. The first
load in a test process is kept as rows (``take``); the next tests get them back with plain
INSERTs (``restore``): the same database, down to the primary keys, in a fraction of the time.

Every table of every model is written back, Django's own (content types, permissions, groups)
included, so that the rows refer to one another as they did. Foreign keys are checked at the
commit (Django declares them deferrable, on SQLite and PostgreSQL alike); PostgreSQL's
sequences are set past the restored keys; the cached content types are dropped.
"""

import datetime
import decimal
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass
class Snapshot:
    #: table → (column names, rows)
    tables: dict = field(default_factory=dict)

    @property
    def row_count(self):
        return sum(len(rows) for _columns, rows in self.tables.values())


def _tables():
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def take():
    """Every model table's rows, as they are now."""
    snapshot = Snapshot()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)}")
            columns = [column[0] for column in cursor.description]
            snapshot.tables[table] = (columns, cursor.fetchall())
    return snapshot


def _adapted(rows):
    """The rows as parameters, in the form each database stores them.

    SQLite's connection reads dates, times and decimals into Python objects and keeps them as
    text (``str`` gives Django's own format); PostgreSQL reads JSON columns into dicts and lists.
    """
    if connection.vendor == "sqlite":
        as_text = (datetime.date, datetime.time, decimal.Decimal)  # datetime.datetime is a date
        return [tuple(str(value) if isinstance(value, as_text) else value for value in row) for row in rows]
    if connection.vendor == "postgresql":
        from psycopg2.extras import Json

        return [tuple(Json(value) if isinstance(value, (dict, list)) else value for value in row) for row in rows]
    return rows


def restore(snapshot):
    """Make every model table hold exactly the snapshot's rows again (one transaction)."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"DELETE FROM {quote(table)}")
        for table, (columns, rows) in snapshot.tables.items():
            if not rows:
                continue
            names = ", ".join(quote(column) for column in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", _adapted(rows))
        # SQLite's AUTOINCREMENT follows the largest key inserted; PostgreSQL's sequences do not.
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(statement)
    ContentType.objects.clear_cache()
