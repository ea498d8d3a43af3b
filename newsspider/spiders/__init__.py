"""Spiders: one per file, ``name`` equal to the file stem."""
