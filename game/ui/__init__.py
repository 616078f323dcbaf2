"""The pygame front end: a thin view over the story runtime and the minigames."""
