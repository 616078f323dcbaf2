"""A third-party dialogue backend, as a plugin author would write it: no import from this repo needed.

It repeats the player's words back, which makes it easy to see that it was chosen.
Installed by tests/test_dialogue_settings.py as a distribution with an entry point in
the `game.dialogue_backends` group.
"""


class Capabilities:
    streaming, json, images, offline = True, False, False, True


class Health:
    def __init__(self, ok, detail):
        self.ok, self.detail = ok, detail

    def __str__(self):
        return f"{'ok' if self.ok else 'FAIL'}: {self.detail}"


class EchoBackend:
    name = "echo"
    capabilities = Capabilities()

    def __init__(self, model=None, prefix="You said", **settings):
        self.model = model or "echo-1"
        self.prefix = prefix

    def health(self):
        return Health(True, "echoes, always")

    def stream(self, request, cancel):
        said = request.hints.get("player_text") or request.messages[-1]["content"]
        for word in f"{self.prefix}: {said}.".split(" "):
            if cancel.is_set():
                return
            yield word + " "
