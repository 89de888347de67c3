"""Profile data files (one TOML file per notice); loaded by :mod:`models.profile`."""
