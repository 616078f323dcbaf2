"""Dialogue backends and the AI character layer."""
