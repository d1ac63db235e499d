"""The bundled demo government portals, served on 127.0.0.1 for ``fazhi nightly --demo``."""
