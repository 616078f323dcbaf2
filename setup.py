"""The packages and their data; everything else is in pyproject.toml.

setuptools' pyproject configuration cannot both discover the `game` packages and add
packages whose folders live outside `game/`, so this one call does, and lists the data
files too (pyproject's `package-data` table would replace this file's). A wheel then
carries the top-level levels/ and assets/ as game/_data/levels and game/_data/assets,
where game.paths looks first.
"""

from setuptools import find_namespace_packages, find_packages, setup

DATA = {"game._data.levels": "levels", "game._data.assets": "assets"}
# Each folder of data is a package to setuptools (none has an __init__.py) and every file in
# it is its data: a new folder under levels/ or assets/ is picked up without a change here.
FOLDERS = [
    *DATA,
    *(f"{pkg}.{sub}" for pkg, folder in DATA.items() for sub in find_namespace_packages(where=folder)),
]
GAME_DATA = ["**/*.json", "**/*.npz", "**/*.ttf", "**/*.txt", "**/*.wav", "**/*.ogg", "**/*.png", "**/*.yaml"]

setup(
    packages=[*find_packages(include=["game", "game.*"]), "game.starter", *FOLDERS],
    package_dir=DATA,
    package_data={"game": GAME_DATA, "game.starter": ["*"], **{pkg: ["*"] for pkg in FOLDERS}},
)
