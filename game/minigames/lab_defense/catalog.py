"""The lab's attack surfaces, its assets, the threats and the controls that counter them.

Plain data so the simulation, the view, the docs and the debrief all read one table.
Every threat names a real-world counterpart and exactly one hard counter: the game's
lesson is that each of these attacks has a known, boring, effective defence, and that
a defence placed on the wrong surface does nothing.
"""

from __future__ import annotations

# Attack surfaces, top to bottom on screen. Index order is part of the saved state.
LANES: list[str] = ["inbox", "supply_chain", "edge", "data", "building"]
LANE_TITLES: dict[str, str] = {
    "inbox": "Inbox",
    "supply_chain": "Supply chain",
    "edge": "Edge / API",
    "data": "Data pipeline",
    "building": "Building",
}

ASSETS: list[str] = ["credentials", "cluster", "dataset", "weights"]
ASSET_TITLES: dict[str, str] = {
    "credentials": "Credentials",
    "cluster": "Training cluster",
    "dataset": "Dataset",
    "weights": "Weights vault",
}

# Where a control sits along its lane (fraction of the way to the assets). A threat is
# checked against a control when it crosses that point.
SLOT_POSITIONS: list[float] = [0.30, 0.50, 0.70]

CONTROLS: dict[str, dict] = {
    # cost: budget units; drag: fraction of research speed lost while the control is in place
    # (security has a real price in friction; over-securing makes the run late).
    "hardware_keys": {
        "title": "Hardware security keys",
        "short": "KEY",
        "cost": 14,
        "drag": 0.02,
        "what": "FIDO2 keys: a phished password alone no longer logs anyone in",
    },
    "pinned_hashes": {
        "title": "Pinned, hash-checked packages",
        "short": "PIN",
        "cost": 12,
        "drag": 0.03,
        "what": "lockfiles with hashes (pip --require-hashes): a swapped package fails to install",
    },
    "safetensors": {
        "title": "Safetensors-only policy",
        "short": "SAFE",
        "cost": 10,
        "drag": 0.02,
        "what": "load model files as safetensors, never pickle: a model file cannot run code",
    },
    "segmentation": {
        "title": "Segmentation + auth",
        "short": "SEG",
        "cost": 16,
        "drag": 0.03,
        "what": "dashboards off the internet, behind auth, on their own network segment",
    },
    "rate_limit": {
        "title": "Rate limiting",
        "short": "RATE",
        "cost": 10,
        "drag": 0.01,
        "what": "per-client quotas and a CDN in front of the API",
    },
    "content_hashing": {
        "title": "Content hashing",
        "short": "HASH",
        "cost": 12,
        "drag": 0.02,
        "what": "record a hash of each crawled document; reject content that changed",
    },
    "two_person": {
        "title": "Two-person rule + egress monitoring",
        "short": "2P",
        "cost": 18,
        "drag": 0.04,
        "what": "sensitive actions need a second person; large outbound transfers alert",
    },
    "least_access": {
        "title": "Fewer people with weight access",
        "short": "FEW",
        "cost": 15,
        "drag": 0.03,
        "what": "a handful of named people can read the weights, through audited tooling",
    },
    "badges": {
        "title": "Badges + mantrap",
        "short": "BADGE",
        "cost": 8,
        "drag": 0.01,
        "what": "badge readers and a one-person door: nobody follows someone in",
    },
}
CONTROL_ORDER: list[str] = list(CONTROLS)

# APT campaigns are stopped by depth: every control it crosses in its lane wears it down,
# so two controls on one surface (or allies finishing it) stop it.
APT_DEPTH_DAMAGE = 1.0

THREATS: dict[str, dict] = {
    # lanes: the surfaces this threat can come through; target: the asset it hits;
    # severity 1..5 weights score and debrief; hp: how much ally effort stops it;
    # speed: fraction of the lane per second; hidden: invisible until scanned or close.
    "phishing": {
        "title": "Phishing",
        "lanes": ["inbox"],
        "target": "credentials",
        "severity": 2,
        "hp": 1.0,
        "speed": 0.10,
        "hidden": False,
        "counter": "hardware_keys",
        "real": "2022: an SMS phishing wave hit Twilio and Cloudflare; Cloudflare's FIDO2 keys stopped it cold",
    },
    "tailgater": {
        "title": "Tailgater",
        "lanes": ["building"],
        "target": "cluster",
        "severity": 2,
        "hp": 1.0,
        "speed": 0.08,
        "hidden": False,
        "counter": "badges",
        "real": "physical red teams walk in behind staff with coffee; badge doors and mantraps end it",
    },
    "poisoned_dependency": {
        "title": "Poisoned dependency",
        "lanes": ["supply_chain"],
        "target": "cluster",
        "severity": 3,
        "hp": 1.4,
        "speed": 0.09,
        "hidden": True,
        "counter": "pinned_hashes",
        "real": "Dec 2022: a fake 'torchtriton' on PyPI hijacked PyTorch nightly installs (dependency confusion)",
    },
    "flood": {
        "title": "Flood (DDoS)",
        "lanes": ["edge"],
        "target": "cluster",
        "severity": 1,
        "hp": 0.8,
        "speed": 0.14,
        "hidden": False,
        "counter": "rate_limit",
        "real": "2023: HTTP/2 'rapid reset' floods peaked at hundreds of millions of requests per second",
    },
    "exposed_dashboard": {
        "title": "Exposed dashboard",
        "lanes": ["edge"],
        "target": "cluster",
        "severity": 3,
        "hp": 1.4,
        "speed": 0.09,
        "hidden": False,
        "counter": "segmentation",
        "real": "2024 'ShadowRay': internet-facing Ray dashboards without auth let attackers run jobs on AI clusters",
    },
    "poisoned_crawl": {
        "title": "Poisoned crawl data",
        "lanes": ["data"],
        "target": "dataset",
        "severity": 2,
        "hp": 1.2,
        "speed": 0.08,
        "hidden": True,
        "counter": "content_hashing",
        "real": "2023: buying expired domains let researchers poison web-scale datasets for about $60 (split-view poisoning)",
    },
    "trojaned_model": {
        "title": "Trojaned model file",
        "lanes": ["supply_chain", "data"],
        "target": "cluster",
        "severity": 3,
        "hp": 1.4,
        "speed": 0.08,
        "hidden": True,
        "counter": "safetensors",
        "real": "2024: malicious pickle model files on Hugging Face opened reverse shells when loaded",
    },
    "insider": {
        "title": "Insider",
        "lanes": ["building"],
        "target": "weights",
        "severity": 4,
        "hp": 2.0,
        "speed": 0.07,
        "hidden": True,
        "counter": "two_person",
        "real": "2024: a former Google engineer was indicted for copying AI chip and cluster secrets to personal accounts",
    },
    "weight_exfil": {
        "title": "Weight exfiltration",
        "lanes": ["edge", "building"],
        "target": "weights",
        "severity": 5,
        "hp": 2.0,
        "speed": 0.07,
        "hidden": True,
        "counter": "least_access",
        "real": "2023: Meta's LLaMA weights leaked within a week of a gated release to researchers",
    },
    "apt": {
        "title": "Well-funded attacker",
        "lanes": list(LANES),
        "target": "weights",
        "severity": 5,
        "hp": 2.0,
        "speed": 0.06,
        "hidden": True,
        "counter": None,
        "real": "RAND 2024 'Securing AI Model Weights': top state actors chain many techniques; only depth stops them",
    },
}
THREAT_ORDER: list[str] = list(THREATS)

# The order new threat types enter the campaign (the final wave adds the APT).
INTRODUCTION_ORDER: list[str] = [
    "phishing",
    "tailgater",
    "poisoned_dependency",
    "flood",
    "exposed_dashboard",
    "poisoned_crawl",
    "trojaned_model",
    "insider",
    "weight_exfil",
]


def counter_title(kind: str) -> str:
    c = THREATS[kind]["counter"]
    return CONTROLS[c]["title"] if c else "defence in depth: two controls on one surface"
