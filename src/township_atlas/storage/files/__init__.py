"""The files backend: one township's data folder of GeoJSON, CSV and YAML files.

- :mod:`~township_atlas.storage.files.store` :class:`Store`: load, check, fingerprint, and
  the editing functions on a folder
- :mod:`~township_atlas.storage.files.saving` the backend's part of a save: the folder lock,
  the atomic file write (keeping the file's mode and owner), the pending history entry
- :mod:`~township_atlas.storage.files.history` the change history in ``.history/``
"""
