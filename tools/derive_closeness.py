"""Derive the drawing game's closeness table from WordNet, offline.

    apt-get install wordnet-base           # Debian's WordNet 3.0 database, /usr/share/wordnet
    .venv/bin/pip install nltk             # only its WordNet reader is used; no download
    .venv/bin/python tools/derive_closeness.py   # writes game/minigames/drawing/closeness.json

How near two ideas are, from 1 (the same idea, or a synonym) to 0 (unrelated):
  1. Each word is pinned by hand to the WordNet noun sense a person would draw (SENSES
     below: "banana" the fruit, not the plant; "train" the railway train, "eye" the organ,
     "diamond" the gem, as Quick, Draw! players draw it); the script fails if a pinned
     sense is missing.
  2. Two senses' similarity is Wu-Palmer's (depth of the deepest common hypernym relative
     to the two depths), which puts cat-dog (both carnivores) well above cat-car.
  3. Any two physical things share "physical entity / object / whole" and get about 0.3-0.5
     from that alone, so the score is rescaled: closeness = clip((wup - FLOOR) / (1 - FLOOR), 0, 1),
     with FLOOR the median Wu-Palmer score of all pairs (what "unrelated" scores here).
  4. Lemma names of the pinned sense are synonyms (plane -> airplane, bike -> bicycle).
The result is rounded to 3 decimals. The game reads the JSON only; nltk is not needed to play.

Debian's wordnet-base has no `lexnames` file that nltk's reader wants, so the script
copies the database to a temporary directory and writes the standard list there.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "game" / "minigames" / "drawing" / "closeness.json"
WORDNET = Path("/usr/share/wordnet")

# word the game shows -> the WordNet sense it means (checked by reading the definitions)
SENSES: dict[str, str] = {
    # the 20 categories the embedded recognizer knows
    "airplane": "airplane.n.01",
    "alarm clock": "alarm_clock.n.01",
    "apple": "apple.n.01",
    "banana": "banana.n.02",
    "bicycle": "bicycle.n.01",
    "bird": "bird.n.01",
    "book": "book.n.02",
    "bowtie": "bow_tie.n.01",
    "cat": "cat.n.01",
    "diamond": "diamond.n.02",
    "dog": "dog.n.01",
    "eye": "eye.n.01",
    "fish": "fish.n.01",
    "flower": "flower.n.01",
    "horse": "horse.n.01",
    "house": "house.n.01",
    "house plant": "houseplant.n.01",
    "lollipop": "lollipop.n.02",
    "rainbow": "rainbow.n.01",
    "train": "train.n.01",
    # more ideas the player may be offered: near some categories, far from others
    "tiger": "tiger.n.02",
    "lion": "lion.n.01",
    "cow": "cow.n.01",
    "duck": "duck.n.01",
    "owl": "owl.n.01",
    "shark": "shark.n.01",
    "whale": "whale.n.02",
    "car": "car.n.01",
    "truck": "truck.n.01",
    "bus": "bus.n.01",
    "boat": "boat.n.01",
    "helicopter": "helicopter.n.01",
    "tree": "tree.n.01",
    "sun": "sun.n.01",
    "moon": "moon.n.01",
    "cake": "cake.n.03",
    "pear": "pear.n.01",
    "castle": "castle.n.02",
    "umbrella": "umbrella.n.01",
    "guitar": "guitar.n.01",
    "clock": "clock.n.01",
    "candy": "candy.n.01",
    "rose": "rose.n.01",
    "necktie": "necktie.n.01",
    "butterfly": "butterfly.n.01",
    "snake": "snake.n.01",
}

LEXNAMES = """adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute
noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group
noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession
noun.process noun.quantity noun.relation noun.shape noun.state noun.substance noun.time
verb.body verb.change verb.cognition verb.communication verb.competition verb.consumption
verb.contact verb.creation verb.emotion verb.motion verb.perception verb.possession verb.social
verb.stative verb.weather adj.ppl""".split()
_LEX_POS = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}


def open_wordnet(src: Path):
    if not (src / "data.noun").exists():
        raise SystemExit(f"derive_closeness: no WordNet database at {src} (apt-get install wordnet-base)")
    try:
        from nltk.corpus.reader.wordnet import WordNetCorpusReader
    except ImportError:
        raise SystemExit("derive_closeness: needs nltk (.venv/bin/pip install nltk)") from None
    tmp = Path(tempfile.mkdtemp(prefix="wordnet-"))
    for f in src.iterdir():
        if f.is_file():
            shutil.copy(f, tmp / f.name)
    (tmp / "lexnames").write_text(
        "".join(f"{i:02d}\t{n}\t{_LEX_POS[n.split('.')[0]]}\n" for i, n in enumerate(LEXNAMES)), encoding="utf-8"
    )
    # nltk only reads corpora under its data roots; make the temp dir one of them
    os.environ["NLTK_DATA"] = str(tmp.parent)

    class Reader(WordNetCorpusReader):
        # nltk maps any database that is not its own download onto that download's sense
        # numbering (for multilingual data), which it would fetch; Debian's is already 3.0.
        def map_wn(self, version="wordnet"):
            return None

    return Reader(str(tmp), None), tmp


def main() -> int:
    wn, tmp = open_wordnet(WORDNET)
    try:
        synsets = {}
        for word, name in SENSES.items():
            try:
                synsets[word] = wn.synset(name)
            except Exception as exc:  # nltk raises WordNetError or ValueError for unknown names
                raise SystemExit(f"derive_closeness: sense {name} for '{word}' not found: {exc}") from None
        words = sorted(SENSES)
        wup = {}
        for a, b in combinations(words, 2):
            wup[(a, b)] = synsets[a].wup_similarity(synsets[b]) or 0.0
        values = sorted(wup.values())
        floor = values[len(values) // 2]
        table = {}
        for (a, b), s in wup.items():
            table.setdefault(a, {})[b] = round(max(0.0, min(1.0, (s - floor) / (1 - floor))), 3)
        synonyms = {}
        for word, ss in synsets.items():
            for lemma in ss.lemma_names():
                alias = lemma.replace("_", " ").lower()
                if alias != word and alias not in SENSES:
                    synonyms.setdefault(alias, word)
        out = {
            "method": "WordNet 3.0 (Debian wordnet-base) Wu-Palmer similarity of hand-pinned noun senses, "
            "rescaled so the median pair is 0: closeness = clip((wup - floor) / (1 - floor), 0, 1)",
            "floor": round(floor, 4),
            "senses": {w: {"synset": SENSES[w], "definition": synsets[w].definition()} for w in words},
            "synonyms": dict(sorted(synonyms.items())),
            "pairs": table,
        }
        OUT.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {OUT}: {len(words)} words, {len(wup)} pairs, floor {floor:.3f}")
        for a, b in [("cat", "dog"), ("cat", "car"), ("car", "truck"), ("car", "apple"), ("airplane", "bird")]:
            key = tuple(sorted((a, b)))
            print(f"  {a}-{b}: {table[key[0]][key[1]]}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
