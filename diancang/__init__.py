"""Diancang (典藏): the composition root — command line and settings."""

__version__ = "0.1.0"
