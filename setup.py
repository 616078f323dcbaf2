"""Maps the top-level levels/ and assets/ into the package; everything else is in pyproject.toml.

setuptools' pyproject configuration cannot both discover the `game` packages and add
packages whose folders live outside `game/`, so this one call does (the metadata, the
package data globs and the scripts stay in pyproject.toml). A wheel then carries the
sources as game/_data/levels and game/_data/assets, where game.paths looks first.
"""

from setuptools import find_packages, setup

DATA = {"game._data.levels": "levels", "game._data.assets": "assets"}

setup(packages=[*find_packages(include=["game", "game.*"]), *DATA], package_dir=DATA)
