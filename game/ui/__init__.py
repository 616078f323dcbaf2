"""The pygame front end: a thin view over the story runtime and the minigames."""

import os as _os

# pygame prints a "Hello from the pygame community" banner on import; a game's terminal is not its advert.
_os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
