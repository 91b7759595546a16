"""Showing a question and reading the answer back: template shapes, form fields to responses, signed presentations."""
