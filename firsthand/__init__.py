"""Firsthand: employee stories in, an employer-branding site and share-ready snippets out."""

__version__ = "0.1.0"
