"""Spiders: ``portal`` (any source from a sources file) and one-file spiders for single portals."""
