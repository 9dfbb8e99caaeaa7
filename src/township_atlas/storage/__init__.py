"""All persistence: the store interface, the change model, one save sequence, two backends.

- :mod:`~township_atlas.storage.datastore` the :class:`DataStore` protocol every backend offers
- :mod:`~township_atlas.storage.opening` ``open_store``: the backend the settings name
- :mod:`~township_atlas.storage.changes` changes, conflicts, save results, history entries,
  undo and restore as changes (the same on every backend)
- :mod:`~township_atlas.storage.formats` the data files' formats (GeoJSON, CSV, YAML): strict
  reading, diffable writing
- :mod:`~township_atlas.storage.layer_codec` an editable layer as records keyed by id and as
  its exact file text (both backends store and compare that text)
- :mod:`~township_atlas.storage.saving` the one save sequence both backends run
- :mod:`~township_atlas.storage.files` the files backend (a data folder)
- :mod:`~township_atlas.storage.postgis` the PostGIS backend (many townships of a county)

Storage may import the model (schema, bundle, checks); nothing in the model imports storage.
See ``docs/architecture.md``.
"""
