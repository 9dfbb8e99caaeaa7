"""The PostGIS storage backend: many townships of a county in one database.

- :mod:`~township_atlas.pg.tables` the tables, ``init_db``, one engine per database URL
- :mod:`~township_atlas.pg.listen` change notification across processes (LISTEN/NOTIFY)
- :mod:`~township_atlas.pg.records` rows to records and layer text, as the files hold them
- :mod:`~township_atlas.pg.store` :class:`PgStore`, the store interface on the database
- :mod:`~township_atlas.pg.copying` copying a township between a folder and the database

It needs the ``postgis`` extra (SQLAlchemy, GeoAlchemy2, psycopg); nothing else imports it
unless the ``storage`` setting is ``postgis``.
"""
