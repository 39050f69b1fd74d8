"""The query planner's statistics. SQLite keeps none until ``ANALYZE`` runs: without them it
reads a village's family list by scanning every family of the province (a second per page at
full Banten scale instead of 12 ms, bench/README.md "Load"). PostgreSQL's autovacuum gathers
them in time, unless it is turned off. So they are refreshed after every bulk write: the demo,
population generation, a rebuild of the counts and large imports."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

# SQLite reads this many rows of each index (a sample: under a second on 12.9 M people).
SQLITE_ANALYSIS_LIMIT = 1000
# An import of at least this many rows changes the data enough to refresh the statistics.
AFTER_IMPORTED_ROWS = 10_000


def statistics_refresh(using: str = DEFAULT_DB_ALIAS) -> None:
    """Refresh the planner's statistics of every table."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
