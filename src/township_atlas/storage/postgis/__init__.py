"""The PostGIS storage backend: many townships of a county in one database.

- :mod:`~township_atlas.storage.postgis.tables` the tables, ``init_db``, one engine per URL
- :mod:`~township_atlas.storage.postgis.listen` change notification across processes
  (LISTEN/NOTIFY)
- :mod:`~township_atlas.storage.postgis.records` rows to records (WKB to GeoJSON as the files
  hold it)
- :mod:`~township_atlas.storage.postgis.store` :class:`PgStore`, the store interface
- :mod:`~township_atlas.storage.postgis.saving` the backend's part of a save: one transaction
- :mod:`~township_atlas.storage.postgis.copying` copying a township between a folder and the
  database
- :mod:`~township_atlas.storage.postgis.command` the command line
  (``python -m township_atlas.storage.postgis``)

It needs the ``postgis`` extra (SQLAlchemy, GeoAlchemy2, psycopg); nothing else imports it
unless the ``storage`` setting is ``postgis``.
"""
