"""Boss scenes: a boss described in a TOML data file, validated into frozen dataclasses.

A scene names the boss's sprite sheet, its animations, its numbers, its attack patterns and a
small state machine. The file format (see ``demos/scenes/brute.toml``)::

    name = "brute"                 # optional, default: the file name without extension
    sprite_sheet = "boss_brute"    # required
    hp = 1500.0                    # required, > 0
    speed = 70.0                   # required, > 0 (pixels per second while chasing)
    size = 40.0                    # required, > 0 (body radius in pixels)
    contact_damage = 20.0          # optional, >= 0 (default 10)
    xp = 100                       # optional, int >= 0 (default 50)
    hurt_cooldown = 0.5            # optional, >= 0 s between two hurt reactions (default 0.4)
    initial_state = "idle"         # optional (default "idle"), names a state

    [animations.idle]              # idle, move, attack, hurt and death are required
    frames = 4                     # int >= 1
    fps = 6.0                      # > 0
    loop = true                    # optional (default: true for idle/move, false otherwise)

    [states.idle]
    animation = "idle"             # names an animation
    action = "wait"                # "wait", "chase" or "attack"
    duration = 0.8                 # > 0; optional for "attack" (default: the animation's
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

Errors: :func:`load_boss_scene` raises one :class:`SceneError` per bad file, with a one-line
message ``<file>: <field>: expected <what>, got <found>``, e.g.
``scenes/brute.toml: animations.idle.fps: expected a positive number, got "fast"``.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "SceneError", "AnimationSpec", "Pattern", "StateSpec", "BossScene", "load_boss_scene",
    "REQUIRED_ANIMATIONS", "ACTIONS", "PATTERN_KINDS",
]

REQUIRED_ANIMATIONS = ("idle", "move", "attack", "hurt", "death")
"""Animations every boss scene declares."""
ACTIONS = ("wait", "chase", "attack")
"""What a state does while it lasts."""
PATTERN_KINDS = ("radial_burst", "charge")
"""Attack pattern kinds."""
BUILTIN_STATES = ("hurt", "death")

_MISSING = object()


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


def _found(value: object) -> str:
    if value is _MISSING:
        return "nothing (the field is missing)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, (int, float)):
        return repr(value)
    return f"a {type(value).__name__} ({value})"


def _names(options: Any) -> str:
    return ", ".join(json.dumps(o) for o in options)


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

    def table(self, doc: Mapping[str, Any], key: str, where: str, *,
              required: bool = True) -> dict[str, Any]:
        value = doc.get(key, _MISSING)
        if value is _MISSING and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(where, "a table", value)
        return value

    def only(self, doc: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in doc:
            if key not in allowed:
                field = f"{where}.{key}" if where else key
                raise SceneError(self.path, field, f"one of the fields {', '.join(allowed)}",
                                 "an unknown field")

    def number(self, doc: Mapping[str, Any], key: str, where: str, *, positive: bool = True,
               default: float | None = None) -> float:
        value = doc.get(key, _MISSING)
        if value is _MISSING and default is not None:
            return default
        ok = (not isinstance(value, bool) and isinstance(value, (int, float))
              and math.isfinite(value) and (value > 0 if positive else value >= 0))
        if not ok:
            raise self.fail(where, "a positive number" if positive else "a number >= 0", value)
        return float(value)  # type: ignore[arg-type]

    def integer(self, doc: Mapping[str, Any], key: str, where: str, *, minimum: int,
                default: int | None = None) -> int:
        value = doc.get(key, _MISSING)
        if value is _MISSING and default is not None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(where, f"an integer >= {minimum}", value)
        return value

    def string(self, doc: Mapping[str, Any], key: str, where: str, *,
               default: str | None = None) -> str:
        value = doc.get(key, _MISSING)
        if value is _MISSING and default is not None:
            return default
        if not isinstance(value, str) or not value:
            raise self.fail(where, "a non-empty string", value)
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
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SceneError(path, "", "a readable scene file",
                         f"{type(exc).__name__}: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SceneError(path, "", "a UTF-8 TOML file", f"undecodable bytes ({exc.reason} "
                         f"at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        where = m.group(1) if m else ""
        text = _TOML_POS.sub("", msg)
        raise SceneError(path, where, "valid TOML", f"a syntax error: {text}") from None


def load_boss_scene(path: str | Path) -> BossScene:
    """Read and validate a boss scene file.

    Args:
        path: the TOML file; errors name it as given.

    Returns:
        The validated scene.

    Raises:
        SceneError: the file cannot be read, is not TOML, or a field is missing, of the
            wrong type, out of range, unknown, or names an animation, state or pattern that
            does not exist. The message is one line: file, field, expected, found.
    """
    spath = str(path)
    doc = _parse(spath)
    r = _Reader(spath)
    r.only(doc, ("name", "sprite_sheet", "hp", "speed", "size", "contact_damage", "xp",
                 "hurt_cooldown", "initial_state", "animations", "states", "patterns"), "")
    default_name = Path(spath).stem
    name = r.string(doc, "name", "name", default=default_name)
    sprite_sheet = r.string(doc, "sprite_sheet", "sprite_sheet")
    hp = r.number(doc, "hp", "hp")
    speed = r.number(doc, "speed", "speed")
    size = r.number(doc, "size", "size")
    contact = r.number(doc, "contact_damage", "contact_damage", positive=False, default=10.0)
    xp = r.integer(doc, "xp", "xp", minimum=0, default=50)
    hurt_cooldown = r.number(doc, "hurt_cooldown", "hurt_cooldown", positive=False,
                             default=0.4)

    # Animations.
    anims_doc = r.table(doc, "animations", "animations")
    animations: dict[str, AnimationSpec] = {}
    for req in REQUIRED_ANIMATIONS:
        if req not in anims_doc:
            raise SceneError(spath, f"animations.{req}", "a table with frames and fps "
                             f"(every scene has {', '.join(REQUIRED_ANIMATIONS)})",
                             _found(_MISSING))
    for aname, adoc in anims_doc.items():
        where = f"animations.{aname}"
        if not isinstance(adoc, dict):
            raise r.fail(where, "a table with frames and fps", adoc)
        r.only(adoc, ("frames", "fps", "loop"), where)
        frames = r.integer(adoc, "frames", f"{where}.frames", minimum=1)
        fps = r.number(adoc, "fps", f"{where}.fps")
        loop = r.boolean(adoc, "loop", f"{where}.loop", aname in ("idle", "move"))
        animations[aname] = AnimationSpec(aname, frames, fps, loop)

    # Patterns.
    pats_doc = r.table(doc, "patterns", "patterns", required=False)
    patterns: dict[str, Pattern] = {}
    for pname, pdoc in pats_doc.items():
        where = f"patterns.{pname}"
        if not isinstance(pdoc, dict):
            raise r.fail(where, "a table with a kind", pdoc)
        kind = r.choice(pdoc, "kind", f"{where}.kind", PATTERN_KINDS)
        cooldown = r.number(pdoc, "cooldown", f"{where}.cooldown", positive=False)
        damage = r.number(pdoc, "damage", f"{where}.damage", positive=False)
        pspeed = r.number(pdoc, "speed", f"{where}.speed")
        if kind == "radial_burst":
            r.only(pdoc, ("kind", "count", "speed", "damage", "cooldown", "lifetime",
                          "radius"), where)
            count = r.integer(pdoc, "count", f"{where}.count", minimum=1)
            lifetime = r.number(pdoc, "lifetime", f"{where}.lifetime", default=3.0)
            pradius = r.number(pdoc, "radius", f"{where}.radius", default=6.0)
            patterns[pname] = Pattern(pname, kind, cooldown, damage, pspeed, count=count,
                                      lifetime=lifetime, radius=pradius)
        else:
            r.only(pdoc, ("kind", "speed", "duration", "damage", "cooldown"), where)
            duration = r.number(pdoc, "duration", f"{where}.duration")
            patterns[pname] = Pattern(pname, kind, cooldown, damage, pspeed,
                                      duration=duration)

    # States: read everything first, then check that names refer to something.
    states_doc = r.table(doc, "states", "states")
    if not states_doc:
        raise SceneError(spath, "states", "at least one state table", "an empty table")
    raw_states: list[tuple[str, dict[str, Any]]] = []
    for sname, sdoc in states_doc.items():
        where = f"states.{sname}"
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
        where = f"states.{sname}"
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
            duration = r.number(sdoc, "duration", f"{where}.duration", default=default)
        else:
            if "pattern" in sdoc:
                raise SceneError(spath, f"{where}.pattern", 'no pattern unless action is '
                                 '"attack"', f'a pattern with action {json.dumps(action)}')
            duration = r.number(sdoc, "duration", f"{where}.duration")
        states[sname] = StateSpec(sname, anim, action, duration, nxt, pattern)
    initial = r.choice(doc, "initial_state", "initial_state", state_names,
                       default="idle" if "idle" in states else None)
    return BossScene(spath, name, sprite_sheet, hp, speed, size, contact, xp, hurt_cooldown,
                     initial, animations, states, patterns)
