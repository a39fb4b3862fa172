"""Property-based fuzzing of the boss scene loader and of WorldConfig.validate(): whatever the
input, the answer is a valid result or one error line of the module's own type, never another
exception."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.combat import (
    BossScene,
    BossWave,
    ConfigError,
    MeleeConfig,
    ParticleConfig,
    PlayerConfig,
    SceneError,
    SeparationConfig,
    WaveSchedule,
    WeaponConfig,
    WorldConfig,
    load_boss_scene,
)
from engine.combat.scene import BOUNDS, LIMITS

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])

# The structure of a valid scene; the fuzz replaces, drops and adds leaves.
VALID: dict[str, Any] = {
    "name": "fuzz", "sprite_sheet": "boss_fuzz", "hp": 100.0, "speed": 60.0, "size": 20.0,
    "contact_damage": 5.0, "xp": 10, "hurt_cooldown": 0.3, "initial_state": "idle",
    "animations": {a: {"frames": 3, "fps": 8.0, "loop": a == "idle"}
                   for a in ("idle", "move", "attack", "hurt", "death")},
    "states": {
        "idle": {"animation": "idle", "action": "wait", "duration": 0.5, "next": "move"},
        "move": {"animation": "move", "action": "chase", "duration": 1.0, "next": "spit"},
        "spit": {"animation": "attack", "action": "attack", "pattern": "burst",
                 "next": "dash"},
        "dash": {"animation": "attack", "action": "attack", "pattern": "rush",
                 "next": "idle"},
    },
    "patterns": {
        "burst": {"kind": "radial_burst", "count": 8, "speed": 100.0, "damage": 5.0,
                  "cooldown": 1.0, "lifetime": 2.0, "radius": 5.0},
        "rush": {"kind": "charge", "speed": 300.0, "duration": 0.5, "damage": 9.0,
                 "cooldown": 2.0},
    },
}


# ---------------------------------------------------------------------- a TOML writer
def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) \
            else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # JSON escapes are TOML basic-string escapes
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + "}"


def toml_key(k: str) -> str:
    return json.dumps(k, ensure_ascii=False)


def dump(doc: dict[str, Any]) -> str:
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in doc.items())


# ---------------------------------------------------------------------- strategies
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.integers(min_value=-10**400, max_value=10**400),
    st.sampled_from([0, -1, 1, 2**63, 1e-300, 5e-324, 1e308, 0.0009, 0.001, 15, 16, 64,
                     64.0001, 80, 256, 257, 3600.5, 1e9, 1e9 + 1]),
)
_EDGES = {v for pair in BOUNDS.values() for v in pair} | {0, 1, 2, 7, 0.5, 3.0, 10.0, 1e-4}
edges = {int: st.sampled_from(sorted(int(v) for v in _EDGES if v == int(v))),
         float: st.sampled_from(sorted(float(v) for v in _EDGES))}
scalars = st.one_of(
    numbers, st.booleans(), st.text(max_size=80),
    st.sampled_from(["idle", "move", "spit", "dash", "burst", "rush", "wait", "chase",
                     "attack", "radial_burst", "charge", "hurt", "death", ""]),
    st.datetimes(timezones=st.none()), st.dates(), st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
keys = st.one_of(st.text(min_size=0, max_size=70),
                 st.sampled_from(["frames", "fps", "loop", "kind", "count", "duration"]))


@st.composite
def mutated_scenes(draw: st.DrawFn) -> dict[str, Any]:
    """The valid scene with some leaves replaced, dropped or added, anywhere in the tree."""
    doc = json.loads(json.dumps(VALID))

    def tables(d: dict[str, Any], path: tuple[str, ...]) -> list[tuple[dict[str, Any], str]]:
        out = [(d, k) for k in d]
        for k, v in d.items():
            if isinstance(v, dict):
                out += tables(v, path + (k,))
        return out

    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        spots = tables(doc, ())
        if not spots:
            break
        table, key = draw(st.sampled_from(spots))
        op = draw(st.sampled_from(["near", "replace", "drop", "add"]))
        if op == "near" and isinstance(table[key], (int, float)) \
                and not isinstance(table[key], bool):
            # A number of the same type near the bounds: often valid, so that whole scenes
            # load too, not only first errors.
            table[key] = draw(edges[type(table[key])])
        elif op in ("near", "replace"):
            table[key] = draw(values)
        elif op == "drop":
            del table[key]
        else:
            table[draw(keys)] = draw(values)
    return doc


def in_bounds(bound: str, like: Any) -> st.SearchStrategy[Any]:
    lo, hi = BOUNDS[bound]
    if isinstance(like, int):
        return st.integers(min_value=int(lo), max_value=int(hi))
    return st.floats(min_value=lo, max_value=hi)


@st.composite
def in_bounds_scenes(draw: st.DrawFn) -> dict[str, Any]:
    """The valid scene with every number drawn anywhere within its bounds."""
    doc = json.loads(json.dumps(VALID))
    for key in ("hp", "speed", "size", "xp", "hurt_cooldown"):
        doc[key] = draw(in_bounds(key, doc[key]))
    doc["contact_damage"] = draw(in_bounds("damage", 1.0))
    for a in doc["animations"].values():
        a["frames"] = draw(in_bounds("frames", 1))
        a["fps"] = draw(in_bounds("fps", 1.0))
    for st_ in doc["states"].values():
        if draw(st.booleans()) or st_["action"] != "attack":
            st_["duration"] = draw(in_bounds("duration", 1.0))
    burst, rush = doc["patterns"]["burst"], doc["patterns"]["rush"]
    for p in (burst, rush):
        for key in ("speed", "damage", "cooldown"):
            p[key] = draw(in_bounds(key, 1.0))
    burst["count"] = draw(in_bounds("count", 1))
    burst["lifetime"] = draw(in_bounds("lifetime", 1.0))
    burst["radius"] = draw(in_bounds("radius", 1.0))
    rush["duration"] = draw(in_bounds("dash", 1.0))
    return doc


@st.composite
def mutated_text(draw: st.DrawFn) -> bytes:
    """The valid scene's TOML text with a few byte-level edits."""
    data = bytearray(dump(VALID).encode())
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        end = draw(st.integers(min_value=at, max_value=min(len(data), at + 8)))
        data[at:end] = draw(st.binary(max_size=8))
    return bytes(data)


# ---------------------------------------------------------------------- the property
@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file the examples overwrite (module-scoped: hypothesis reuses it)."""
    return tmp_path_factory.mktemp("scene_fuzz") / "scene.toml"


def check_load(path: Path, data: bytes) -> BossScene | SceneError:
    path.write_bytes(data)
    try:
        scene = load_boss_scene(path)
    except SceneError as exc:
        msg = str(exc)
        assert len(msg.splitlines()) == 1 and msg == msg.strip(), msg
        assert msg.startswith(f"{path}: "), msg
        assert len(msg) < 1000, msg
        return exc
    check_bounds(scene)
    return scene


def check_bounds(scene: BossScene) -> None:
    def within(bound: str, value: float) -> None:
        lo, hi = BOUNDS[bound]
        assert math.isfinite(value) and lo <= value <= hi, (bound, value)

    for bound in ("hp", "speed", "size", "xp", "hurt_cooldown"):
        within(bound, getattr(scene, bound))
    within("damage", scene.contact_damage)
    assert sum(a.frames for a in scene.animations.values()) <= LIMITS["scene_frames"]
    for a in scene.animations.values():
        within("frames", a.frames)
        within("fps", a.fps)
    for s in scene.states.values():
        within("duration", s.duration)
        assert s.next in scene.states and s.animation in scene.animations
    for p in scene.patterns.values():
        within("cooldown", p.cooldown)
        within("damage", p.damage)
        within("speed", p.speed)
        if p.kind == "radial_burst":
            within("count", p.count)
            within("lifetime", p.lifetime)
            within("radius", p.radius)
        else:
            within("dash", p.duration)
    assert scene.initial_state in scene.states


def test_the_unmutated_scene_loads(path):
    assert isinstance(check_load(path, dump(VALID).encode()), BossScene)


@FUZZ
@given(mutated_scenes())
def test_scenes_with_random_values_load_or_give_one_line(path, doc):
    check_load(path, dump(doc).encode())


@FUZZ
@given(in_bounds_scenes())
def test_every_scene_within_the_bounds_loads_as_written(path, doc):
    scene = check_load(path, dump(doc).encode())
    assert isinstance(scene, BossScene), str(scene)
    assert (scene.hp, scene.size, scene.xp) == (doc["hp"], doc["size"], doc["xp"])
    assert scene.patterns["burst"].count == doc["patterns"]["burst"]["count"]
    for name, a in doc["animations"].items():
        assert (scene.animations[name].frames, scene.animations[name].fps) == \
            (a["frames"], a["fps"])


@FUZZ
@given(st.one_of(st.binary(max_size=300), mutated_text()))
def test_random_bytes_load_or_give_one_line(path, data):
    result = check_load(path, data)
    assert isinstance(result, (BossScene, SceneError))


@FUZZ
@given(st.text(max_size=300))
def test_random_text_loads_or_gives_one_line(path, text):
    check_load(path, text.encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------------- WorldConfig
config_values = st.one_of(
    numbers, st.booleans(), st.none(), st.text(max_size=5),
    st.tuples(numbers, numbers), st.lists(numbers, max_size=3).map(tuple),
    st.lists(st.tuples(numbers, st.lists(numbers, max_size=4).map(tuple)),
             max_size=3).map(tuple),
    st.lists(st.builds(BossWave, numbers, st.text(max_size=5)), max_size=2).map(tuple),
)
SECTIONS = {"waves": WaveSchedule, "player": PlayerConfig, "melee": MeleeConfig,
            "weapon": WeaponConfig, "separation": SeparationConfig,
            "particles": ParticleConfig}
TOP_FIELDS = [f.name for f in dataclasses.fields(WorldConfig)
              if f.name not in SECTIONS and f.name != "tiers"]


@st.composite
def configs(draw: st.DrawFn) -> WorldConfig:
    """A WorldConfig with a few fields (top-level or in a section) set to random values."""
    top: dict[str, Any] = {}
    sections: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        section = draw(st.sampled_from([None, *SECTIONS]))
        if section is None:
            top[draw(st.sampled_from(TOP_FIELDS))] = draw(config_values)
        else:
            fields = [f.name for f in dataclasses.fields(SECTIONS[section])]
            sections[section][draw(st.sampled_from(fields))] = draw(config_values)
    for name, cls in SECTIONS.items():
        top[name] = cls(**sections[name])
    return WorldConfig(**top)


@FUZZ
@given(configs())
def test_world_config_validates_or_raises_config_error(cfg):
    try:
        table = cfg.validate()
    except ConfigError as exc:
        assert len(str(exc).splitlines()) == 1, str(exc)
        return
    assert len(table) == len(cfg.tiers)
