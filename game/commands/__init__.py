"""Subcommands of the treacherous-turn CLI, one module each."""
