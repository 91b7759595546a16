"""Anki export with genanki: the only package that imports genanki."""
