"""The desktop game's screens. Each is a thin view over the session and runtime."""
