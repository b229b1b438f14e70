"""A package the README example loads from a resource folder."""

THRESHOLD = 0.5
