"""Boss scenes: a boss described in a TOML data file, validated into frozen dataclasses.

A scene names the boss's sprite sheet, its animations, its numbers, its attack patterns and a
small state machine. The file format (see ``demos/scenes/brute.toml``)::

    name = "brute"                 # optional, default: the file name without extension
    sprite_sheet = "boss_brute"    # required
    hp = 1500.0                    # required
    speed = 70.0                   # required (world units per second while chasing)
    size = 40.0                    # required (body radius in world units)
    contact_damage = 20.0          # optional (default 10)
    xp = 100                       # optional, integer (default 50)
    hurt_cooldown = 0.5            # optional, s between two hurt reactions (default 0.4)
    initial_state = "idle"         # optional (default "idle"), names a state

    [animations.idle]              # idle, move, attack, hurt and death are required
    frames = 4                     # integer
    fps = 6.0
    loop = true                    # optional (default: true for idle/move, false otherwise)

    [states.idle]
    animation = "idle"             # names an animation
    action = "wait"                # "wait", "chase" or "attack"
    duration = 0.8                 # optional for "attack" (default: the animation's
                                   # length, or the charge's duration when longer)
    next = "move"                  # names a state
    # pattern = "burst"            # required for action = "attack": names a pattern

    [patterns.burst]
    kind = "radial_burst"          # count, speed, damage, cooldown, lifetime?, radius?
    [patterns.dash]
    kind = "charge"                # speed, duration, cooldown, damage

Two states are built in and not declared: ``hurt`` (entered when the boss takes damage, plays
the hurt animation once, then resumes the interrupted state) and ``death`` (entered at hp <= 0,
plays the death animation once, then the boss is despawned).

Bounds (inclusive, ``BOUNDS`` and ``LIMITS``; NaN and infinities are refused everywhere):

=========================================  ==============  ===================================
field                                      range           why
=========================================  ==============  ===================================
hp                                         1 .. 1e9
speed, patterns.*.speed                    1 .. 10000      world units/s
size                                       1 .. 64         the boss sprite: 64 px x scale 2
contact_damage, patterns.*.damage          0 .. 1e6        finite in float32 damage columns
xp (integer)                               0 .. 1000000
hurt_cooldown                              0 .. 60         seconds
animations.*.frames (integer)              1 .. 15         a 1024 px atlas row of 66 px cells
frames of all animations together          at most 80      the 128-frame boss table, beside
                                                           the stock sheets' 47
animations.*.fps                           0.1 .. 240
states.*.duration                          0.001 .. 3600   seconds: a state lasts >= 1 ms
patterns.*.cooldown                        0 .. 3600       seconds
patterns.*.count (integer)                 1 .. 256        projectiles per burst
patterns.*.lifetime, .duration (charge)    0.001 .. 60     seconds
patterns.*.radius                          0.5 .. 64       world units
animations / states / patterns tables      16 / 64 / 64    at most
name, sprite_sheet, table names            1 .. 64         printable characters
the file                                   at most 1 MiB   UTF-8 TOML
=========================================  ==============  ===================================

Errors: :func:`load_boss_scene` raises one :class:`SceneError` per bad file, with a one-line
message ``<file>: <field>: expected <what>, got <found>``, e.g.
``scenes/brute.toml: animations.idle.fps: expected a number from 0.1 to 240, got "fast"``.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "SceneError", "AnimationSpec", "Pattern", "StateSpec", "BossScene", "load_boss_scene",
    "REQUIRED_ANIMATIONS", "ACTIONS", "PATTERN_KINDS", "BOUNDS", "LIMITS",
]

REQUIRED_ANIMATIONS = ("idle", "move", "attack", "hurt", "death")
"""Animations every boss scene declares."""
ACTIONS = ("wait", "chase", "attack")
"""What a state does while it lasts."""
PATTERN_KINDS = ("radial_burst", "charge")
"""Attack pattern kinds."""
BUILTIN_STATES = ("hurt", "death")

BOUNDS: dict[str, tuple[float, float]] = {
    "hp": (1, 1_000_000_000), "speed": (1, 10_000), "size": (1, 64),
    "damage": (0, 1_000_000), "xp": (0, 1_000_000), "hurt_cooldown": (0, 60),
    "frames": (1, 15), "fps": (0.1, 240), "duration": (0.001, 3600), "cooldown": (0, 3600),
    "count": (1, 256), "lifetime": (0.001, 60), "radius": (0.5, 64), "dash": (0.001, 60),
}
"""Inclusive (low, high) of each kind of number (see the table above; ``damage`` covers
contact_damage and patterns' damage, ``dash`` a charge's duration)."""
LIMITS: dict[str, int] = {
    "scene_frames": 80, "animations": 16, "states": 64, "patterns": 64, "name_chars": 64,
    "file_bytes": 1 << 20,
}
"""Most frames over all animations, tables of each kind, characters of a name, file bytes."""

_MISSING = object()
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


class SceneError(ValueError):
    """A boss scene file is unreadable, not TOML, or has a bad field.

    Attributes:
        path: the file, as given.
        field: the dotted field name ("" for the file as a whole).
        expected: what was expected.
        found: what was found, formatted.
    """

    def __init__(self, path: str, field: str, expected: str, found: str) -> None:
        self.path = path
        self.field = field
        self.expected = expected
        self.found = found
        where = f"{path}: {field}" if field else path
        # One line, whatever the parts contain.
        msg = f"{where}: expected {expected}, got {found}"
        super().__init__(" ".join(msg.split()))


def _clip(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[:most] + "..."


def _found(value: object) -> str:
    if value is _MISSING:
        return "nothing (the field is missing)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _clip(json.dumps(value))
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, int) and value.bit_length() > 64:
        # repr of a huge int is long, and past 4300 digits Python refuses to make it.
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    if isinstance(value, (int, float)):
        return repr(value)
    return _clip(f"a {type(value).__name__} ({value})")


def _key(name: str) -> str:
    """A table key as a field name part: as written when plain, else quoted (one line)."""
    return name if _PLAIN_KEY.fullmatch(name) else _clip(json.dumps(name), 40)


def _names(options: Any) -> str:
    return _clip(", ".join(json.dumps(o) for o in options), 200)


@dataclass(frozen=True)
class AnimationSpec:
    """A boss animation as its scene declares it (frames, fps, loop); the frames themselves
    are a row of the sprite sheet the render layer loads."""

    name: str
    frames: int
    fps: float
    loop: bool

    @property
    def duration(self) -> float:
        """Seconds for one pass over the frames."""
        return self.frames / self.fps


@dataclass(frozen=True)
class Pattern:
    """An attack pattern. Fields not used by the kind are 0."""

    name: str
    kind: str
    cooldown: float
    damage: float
    speed: float
    count: int = 0
    """radial_burst: projectiles per burst."""
    lifetime: float = 0.0
    """radial_burst: seconds a projectile flies."""
    radius: float = 0.0
    """radial_burst: projectile radius."""
    duration: float = 0.0
    """charge: seconds of the dash."""


@dataclass(frozen=True)
class StateSpec:
    """A state of the boss's state machine."""

    name: str
    animation: str
    action: str
    duration: float
    next: str
    pattern: str | None


@dataclass(frozen=True)
class BossScene:
    """A validated boss scene."""

    path: str
    name: str
    sprite_sheet: str
    hp: float
    speed: float
    size: float
    contact_damage: float
    xp: int
    hurt_cooldown: float
    initial_state: str
    animations: Mapping[str, AnimationSpec]
    states: Mapping[str, StateSpec]
    patterns: Mapping[str, Pattern]


class _Reader:
    """Field access with the one-line errors."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, field: str, expected: str, value: object) -> SceneError:
        return SceneError(self.path, field, expected, _found(value))

    def table(self, doc: Mapping[str, Any], key: str, where: str, *, required: bool = True,
              most: int | None = None) -> dict[str, Any]:
        value = doc.get(key, _MISSING)
        if value is _MISSING and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(where, "a table", value)
        if most is not None and len(value) > most:
            raise SceneError(self.path, where, f"at most {most} tables",
                             f"{len(value)} tables")
        for name in value:
            if not (0 < len(name) <= LIMITS["name_chars"] and name.isprintable()):
                raise SceneError(self.path, where, f"table names of 1 to "
                                 f"{LIMITS['name_chars']} printable characters",
                                 _found(name))
        return value

    def only(self, doc: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in doc:
            if key not in allowed:
                field = f"{where}.{_key(key)}" if where else _key(key)
                raise SceneError(self.path, field, f"one of the fields {', '.join(allowed)}",
                                 "an unknown field")

    def number(self, doc: Mapping[str, Any], key: str, where: str, bound: str, *,
               default: float | None = None, integer: bool = False) -> Any:
        """The field as a float (an int when ``integer``) within ``BOUNDS[bound]``."""
        value = doc.get(key, _MISSING)
        if value is _MISSING and default is not None:
            return default
        lo, hi = BOUNDS[bound]
        kinds = int if integer else (int, float)
        # The range test alone refuses NaN and infinities, and compares huge ints exactly.
        if isinstance(value, bool) or not isinstance(value, kinds) or not lo <= value <= hi:
            raise self.fail(where, f"{'an integer' if integer else 'a number'} from {lo} to "
                            f"{hi}", value)
        return value if integer else float(value)

    def string(self, doc: Mapping[str, Any], key: str, where: str, *,
               default: str | None = None) -> str:
        value = doc.get(key, _MISSING)
        if value is _MISSING and default is not None:
            return default
        most = LIMITS["name_chars"]
        if not isinstance(value, str) or not 0 < len(value) <= most \
                or not value.isprintable():
            raise self.fail(where, f"a string of 1 to {most} printable characters", value)
        return value

    def choice(self, doc: Mapping[str, Any], key: str, where: str, options: Any, *,
               default: str | None = None) -> str:
        value = doc.get(key, _MISSING)
        if value is _MISSING and default is not None:
            return default
        if not isinstance(value, str) or value not in options:
            expected = f"one of {_names(options)}" if options else "a name (none are declared)"
            raise self.fail(where, expected, value)
        return value

    def boolean(self, doc: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = doc.get(key, _MISSING)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            raise self.fail(where, "true or false", value)
        return value


_TOML_POS = re.compile(r"\s*\(at (line \d+, column \d+)\)\s*$")


def _parse(path: str) -> dict[str, Any]:
    most = LIMITS["file_bytes"]
    try:
        with open(path, "rb") as f:
            raw = f.read(most + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        why = getattr(exc, "strerror", None) or exc
        raise SceneError(path, "", "a readable scene file",
                         f"{type(exc).__name__}: {why}") from None
    if len(raw) > most:
        raise SceneError(path, "", f"a scene file of at most {most} bytes", "a larger file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SceneError(path, "", "a UTF-8 TOML file", f"undecodable bytes ({exc.reason} "
                         f"at byte {exc.start})") from None
    if not text.strip():
        raise SceneError(path, "", "a boss scene (TOML with sprite_sheet, hp, speed, size, "
                         "animations, states)", "an empty file")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        where = m.group(1) if m else ""
        text = _TOML_POS.sub("", msg)
        raise SceneError(path, where, "valid TOML", f"a syntax error: {text}") from None
    except (ValueError, RecursionError) as exc:
        # tomllib lets through int() refusing a number of over 4300 digits, and deep nesting.
        raise SceneError(path, "", "valid TOML",
                         f"{type(exc).__name__}: {_clip(str(exc), 80)}") from None


def load_boss_scene(path: str | Path) -> BossScene:
    """Read and validate a boss scene file.

    Args:
        path: the TOML file; errors name it as given.

    Returns:
        The validated scene.

    Raises:
        SceneError: the file cannot be read, is not TOML, or a field is missing, of the
            wrong type, out of range (see ``BOUNDS`` and ``LIMITS``), unknown, or names an
            animation, state or pattern that does not exist. The message is one line: file,
            field, expected, found.
    """
    spath = str(path)
    doc = _parse(spath)
    r = _Reader(spath)
    r.only(doc, ("name", "sprite_sheet", "hp", "speed", "size", "contact_damage", "xp",
                 "hurt_cooldown", "initial_state", "animations", "states", "patterns"), "")
    name = r.string(doc, "name", "name", default=Path(spath).stem or "boss")
    sprite_sheet = r.string(doc, "sprite_sheet", "sprite_sheet")
    hp = r.number(doc, "hp", "hp", "hp")
    speed = r.number(doc, "speed", "speed", "speed")
    size = r.number(doc, "size", "size", "size")
    contact = r.number(doc, "contact_damage", "contact_damage", "damage", default=10.0)
    xp = r.number(doc, "xp", "xp", "xp", default=50, integer=True)
    hurt_cooldown = r.number(doc, "hurt_cooldown", "hurt_cooldown", "hurt_cooldown",
                             default=0.4)

    # Animations.
    anims_doc = r.table(doc, "animations", "animations", most=LIMITS["animations"])
    animations: dict[str, AnimationSpec] = {}
    for req in REQUIRED_ANIMATIONS:
        if req not in anims_doc:
            raise SceneError(spath, f"animations.{req}", "a table with frames and fps "
                             f"(every scene has {', '.join(REQUIRED_ANIMATIONS)})",
                             _found(_MISSING))
    total_frames = 0
    for aname, adoc in anims_doc.items():
        where = f"animations.{_key(aname)}"
        if not isinstance(adoc, dict):
            raise r.fail(where, "a table with frames and fps", adoc)
        r.only(adoc, ("frames", "fps", "loop"), where)
        frames = r.number(adoc, "frames", f"{where}.frames", "frames", integer=True)
        fps = r.number(adoc, "fps", f"{where}.fps", "fps")
        loop = r.boolean(adoc, "loop", f"{where}.loop", aname in ("idle", "move"))
        animations[aname] = AnimationSpec(aname, frames, fps, loop)
        total_frames += frames
    if total_frames > LIMITS["scene_frames"]:
        raise SceneError(spath, "animations", f"at most {LIMITS['scene_frames']} frames over "
                         "all animations (the boss frame table)", f"{total_frames} frames")

    # Patterns.
    pats_doc = r.table(doc, "patterns", "patterns", required=False, most=LIMITS["patterns"])
    patterns: dict[str, Pattern] = {}
    for pname, pdoc in pats_doc.items():
        where = f"patterns.{_key(pname)}"
        if not isinstance(pdoc, dict):
            raise r.fail(where, "a table with a kind", pdoc)
        kind = r.choice(pdoc, "kind", f"{where}.kind", PATTERN_KINDS)
        if kind == "radial_burst":
            r.only(pdoc, ("kind", "count", "speed", "damage", "cooldown", "lifetime",
                          "radius"), where)
        else:
            r.only(pdoc, ("kind", "speed", "duration", "damage", "cooldown"), where)
        cooldown = r.number(pdoc, "cooldown", f"{where}.cooldown", "cooldown")
        damage = r.number(pdoc, "damage", f"{where}.damage", "damage")
        pspeed = r.number(pdoc, "speed", f"{where}.speed", "speed")
        if kind == "radial_burst":
            count = r.number(pdoc, "count", f"{where}.count", "count", integer=True)
            lifetime = r.number(pdoc, "lifetime", f"{where}.lifetime", "lifetime", default=3.0)
            pradius = r.number(pdoc, "radius", f"{where}.radius", "radius", default=6.0)
            patterns[pname] = Pattern(pname, kind, cooldown, damage, pspeed, count=count,
                                      lifetime=lifetime, radius=pradius)
        else:
            duration = r.number(pdoc, "duration", f"{where}.duration", "dash")
            patterns[pname] = Pattern(pname, kind, cooldown, damage, pspeed,
                                      duration=duration)

    # States: read everything first, then check that names refer to something.
    states_doc = r.table(doc, "states", "states", most=LIMITS["states"])
    if not states_doc:
        raise SceneError(spath, "states", "at least one state table", "an empty table")
    raw_states: list[tuple[str, dict[str, Any]]] = []
    for sname, sdoc in states_doc.items():
        where = f"states.{_key(sname)}"
        if sname in BUILTIN_STATES:
            raise SceneError(spath, where, f"a state name other than the built-in states "
                             f"{_names(BUILTIN_STATES)}", json.dumps(sname))
        if not isinstance(sdoc, dict):
            raise r.fail(where, "a table with animation, action and next", sdoc)
        r.only(sdoc, ("animation", "action", "duration", "next", "pattern"), where)
        raw_states.append((sname, sdoc))
    states: dict[str, StateSpec] = {}
    state_names = tuple(states_doc)
    for sname, sdoc in raw_states:
        where = f"states.{_key(sname)}"
        anim = r.choice(sdoc, "animation", f"{where}.animation", tuple(animations))
        action = r.choice(sdoc, "action", f"{where}.action", ACTIONS)
        nxt = r.choice(sdoc, "next", f"{where}.next", state_names)
        pattern: str | None = None
        if action == "attack":
            pattern = r.choice(sdoc, "pattern", f"{where}.pattern", tuple(patterns))
            pat = patterns[pattern]
            default = animations[anim].duration
            if pat.kind == "charge":
                default = max(default, pat.duration)
            duration = r.number(sdoc, "duration", f"{where}.duration", "duration",
                                default=default)
        else:
            if "pattern" in sdoc:
                raise SceneError(spath, f"{where}.pattern", 'no pattern unless action is '
                                 '"attack"', f'a pattern with action {json.dumps(action)}')
            duration = r.number(sdoc, "duration", f"{where}.duration", "duration")
        states[sname] = StateSpec(sname, anim, action, duration, nxt, pattern)
    initial = r.choice(doc, "initial_state", "initial_state", state_names,
                       default="idle" if "idle" in states else None)
    return BossScene(spath, name, sprite_sheet, hp, speed, size, contact, xp, hurt_cooldown,
                     initial, animations, states, patterns)
