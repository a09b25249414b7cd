"""PostgreSQL's own side of the SQL adapter: the hot statements written by hand for asyncpg.

Each repository here subclasses its portable Core repository and overrides only the methods
on the routes the benchmarks hold to a bare asyncpg ceiling (an entity page, the radius
search, notifications, a follow, an order), plus the analytics recompute's COPY. The unit of
work picks these classes once, by dialect (`repository_classes.py`). Every override falls
back to its Core parent when no driver connection is to be had (`driver.py`), so the Core
classes stay the reference and the contract suite runs both.
"""
