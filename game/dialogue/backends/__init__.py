"""Built-in dialogue backends. Each module is imported only when its backend is built."""
