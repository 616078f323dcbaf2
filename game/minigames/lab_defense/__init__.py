"""Lab defense: finish a training run while learning security agents help defend the lab.

`LabDefense` is the simulation (pure, seeded, fixed step); `env` wraps it in
Gymnasium-style and PettingZoo-parallel-style APIs without depending on either.
"""

from game.minigames.lab_defense.sim import LabDefense, validate_params  # noqa: F401

__all__ = ["LabDefense", "validate_params"]
