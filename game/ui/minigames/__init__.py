"""Desktop views of the minigames, one module per minigame name."""
