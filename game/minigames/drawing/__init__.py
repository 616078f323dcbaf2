"""The drawing minigame: the player draws an idea, the AI guesses while they draw.

- strokes.py: Quick, Draw! formats, Google's simplification and 28x28 rendering (numpy)
- recognizer.py: the Recognizer protocol, registry, and the embedded numpy CNN
- vision.py: a vision-model guesser through the openai SDK, falling back to the embedded one
- closeness.py: how near a guess is to the idea (table derived offline from WordNet)
- game.py: DrawingGame, the seeded simulation; voices.py: what the AI says

Drawings: Quick, Draw! dataset by Google, CC BY 4.0 (the recognizer's weights and the
autopilot's example drawings are derived from it).
"""

from game.minigames.drawing.game import DrawingGame  # noqa: F401

__all__ = ["DrawingGame"]
