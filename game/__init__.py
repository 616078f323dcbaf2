"""Treacherous Turn: an interactive-fiction engine and the game built on it."""

__version__ = "0.2.0"
