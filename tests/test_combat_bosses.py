"""Boss scenes: loading and one-line errors for malformed files; the state machine, hurt,
death, patterns and the boss pool, on a real World."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from engine.combat import (
    KIND_BOSS,
    SOURCE_OTHER,
    BossWave,
    MeleeConfig,
    SceneError,
    WaveSchedule,
    WeaponConfig,
    World,
    WorldConfig,
    load_boss_scene,
)
from engine.combat.scene import BOUNDS, LIMITS

SCENES = Path(__file__).resolve().parent.parent / "demos" / "scenes"
DT = 1.0 / 30.0

GOOD = """\
name = "test"
sprite_sheet = "boss_test"
hp = 100.0
speed = 60.0
size = 20.0

[animations.idle]
frames = 4
fps = 8.0
[animations.move]
frames = 6
fps = 12.0
[animations.attack]
frames = 3
fps = 6.0
[animations.hurt]
frames = 2
fps = 10.0
[animations.death]
frames = 5
fps = 10.0

[states.idle]
animation = "idle"
action = "wait"
duration = 0.5
next = "move"
[states.move]
animation = "move"
action = "chase"
duration = 1.0
next = "spit"
[states.spit]
animation = "attack"
action = "attack"
pattern = "burst"
next = "idle"

[patterns.burst]
kind = "radial_burst"
count = 8
speed = 100.0
damage = 5.0
cooldown = 1.0
"""


def write(tmp_path: Path, text: str, name: str = "boss.toml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# ---------------------------------------------------------------------- loading
def test_demo_scenes_load():
    brute = load_boss_scene(SCENES / "brute.toml")
    spitter = load_boss_scene(SCENES / "spitter.toml")
    assert brute.sprite_sheet == "boss_brute" and spitter.sprite_sheet == "boss_spitter"
    assert brute.patterns["dash"].kind == "charge"
    assert spitter.patterns["burst"].count == 16
    assert brute.animations["death"].loop is False and brute.animations["idle"].loop is True
    # An attack state without a duration lasts its animation (or the charge, if longer).
    assert spitter.states["spit"].duration == pytest.approx(5 / 10.0)
    assert brute.states["charge"].duration == pytest.approx(0.7)


FPS = "a number from 0.1 to 240"
FRAMES = "an integer from 1 to 15"
SIZE = "a number from 1 to 64"
DURATION = "a number from 0.001 to 3600"
BAD_CASES = [
    # (what to change in GOOD, field, expected, found)
    (("hp = 100.0\n", ""), "hp", "a number from 1 to 1000000000",
     "nothing (the field is missing)"),
    (("fps = 8.0", 'fps = "fast"'), "animations.idle.fps", FPS, '"fast"'),
    (("fps = 8.0", "fps = -3"), "animations.idle.fps", FPS, "-3"),
    (('animation = "move"', 'animation = "walk"'), "states.move.animation",
     'one of "idle", "move", "attack", "hurt", "death"', '"walk"'),
    (("[animations.hurt]\nframes = 2\nfps = 10.0\n", ""), "animations.hurt",
     "a table with frames and fps (every scene has idle, move, attack, hurt, death)",
     "nothing (the field is missing)"),
    (('next = "spit"', 'next = "sleep"'), "states.move.next",
     'one of "idle", "move", "spit"', '"sleep"'),
    (('kind = "radial_burst"', 'kind = "laser"'), "patterns.burst.kind",
     'one of "radial_burst", "charge"', '"laser"'),
    (("frames = 6\n", "frames = 6.5\n"), "animations.move.frames", FRAMES, "6.5"),
    (("fps = 12.0\n", "fsp = 12.0\n"), "animations.move.fsp",
     "one of the fields frames, fps, loop", "an unknown field"),
    (("size = 20.0", "size = [20.0]"), "size", SIZE, "an array"),
    (('pattern = "burst"', 'pattern = "burts"'), "states.spit.pattern", 'one of "burst"',
     '"burts"'),
    # Numbers out of their bounds (see engine.combat.scene.BOUNDS).
    (("size = 20.0", "size = 1e308"), "size", SIZE, "1e+308"),
    (("size = 20.0", "size = 0.0"), "size", SIZE, "0.0"),
    (("frames = 6\n", "frames = 1000000000\n"), "animations.move.frames", FRAMES,
     "1000000000"),
    (("frames = 6\n", "frames = 16\n"), "animations.move.frames", FRAMES, "16"),
    (("fps = 8.0", "fps = 0.0"), "animations.idle.fps", FPS, "0.0"),
    (("duration = 0.5\nnext = \"move\"", "duration = 1e-300\nnext = \"idle\""),
     "states.idle.duration", DURATION, "1e-300"),
    (("duration = 1.0", "duration = 1e9"), "states.move.duration", DURATION, "1000000000.0"),
    (("hp = 100.0", "hp = nan"), "hp", "a number from 1 to 1000000000", "nan"),
    (("speed = 60.0", "speed = inf"), "speed", "a number from 1 to 10000", "inf"),
    (("speed = 60.0", "speed = -inf"), "speed", "a number from 1 to 10000", "-inf"),
    (("hp = 100.0", "hp = 1" + "0" * 400), "hp", "a number from 1 to 1000000000",
     "an integer of about 401 digits"),
    (("size = 20.0", "size = 20.0\ncontact_damage = 1e7"), "contact_damage",
     "a number from 0 to 1000000", "10000000.0"),
    (("size = 20.0", "size = 20.0\nxp = -1"), "xp", "an integer from 0 to 1000000", "-1"),
    (("size = 20.0", "size = 20.0\nhurt_cooldown = 1e10"), "hurt_cooldown",
     "a number from 0 to 60", "10000000000.0"),
    (("count = 8", "count = 100000"), "patterns.burst.count", "an integer from 1 to 256",
     "100000"),
    (("cooldown = 1.0", "cooldown = nan"), "patterns.burst.cooldown",
     "a number from 0 to 3600", "nan"),
    (("cooldown = 1.0", "cooldown = 1.0\nlifetime = 0.0"), "patterns.burst.lifetime",
     "a number from 0.001 to 60", "0.0"),
    (("cooldown = 1.0", "cooldown = 1.0\nradius = 1e30"), "patterns.burst.radius",
     "a number from 0.5 to 64", "1e+30"),
    (("speed = 100.0", "speed = 1e6"), "patterns.burst.speed", "a number from 1 to 10000",
     "1000000.0"),
    (('sprite_sheet = "boss_test"', 'sprite_sheet = "' + "x" * 65 + '"'), "sprite_sheet",
     "a string of 1 to 64 printable characters", '"' + "x" * 59 + "..."),
    (('name = "test"', 'name = "a\\tb"'), "name",
     "a string of 1 to 64 printable characters", '"a\\tb"'),
    (("[animations.death]\nframes = 5\nfps = 10.0\n", "[animations.death]\nframes = 15\n"
      "fps = 10.0\n" + "".join(f"[animations.x{i}]\nframes = 15\nfps = 1.0\n" for i in range(4))),
     "animations", "at most 80 frames over all animations (the boss frame table)",
     "90 frames"),
]


@pytest.mark.parametrize("change,field,expected,found", BAD_CASES,
                         ids=[c[1] + ":" + c[3][:12] for c in BAD_CASES])
def test_malformed_scene_gives_one_line_naming_file_field_expected_found(
        tmp_path, change, field, expected, found):
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(SceneError) as info:
        load_boss_scene(path)
    msg = str(info.value)
    assert msg == f"{path}: {field}: expected {expected}, got {found}"
    assert "\n" not in msg
    assert (info.value.field, info.value.expected, info.value.found) == (field, expected, found)
    assert isinstance(info.value, ValueError)


def test_not_toml_names_the_line(tmp_path):
    path = write(tmp_path, GOOD.replace("hp = 100.0", "hp = = 100.0"))
    with pytest.raises(SceneError) as info:
        load_boss_scene(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: line 3, column 6: expected valid TOML, got a syntax error")
    assert "\n" not in msg


def test_missing_file_and_undecodable_file(tmp_path):
    missing = str(tmp_path / "nope.toml")
    with pytest.raises(SceneError, match=r"nope\.toml: expected a readable scene file, got "
                                         r"FileNotFoundError"):
        load_boss_scene(missing)
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(SceneError, match=r"latin1\.toml: expected a UTF-8 TOML file"):
        load_boss_scene(path)


FILE_CASES = [
    # (file bytes, or None for a directory, expected, found starts with)
    (b"", "a boss scene (TOML with", "an empty file"),
    (b"  \n\t\n", "a boss scene (TOML with", "an empty file"),
    (None, "a readable scene file", "IsADirectoryError"),
    (b"\xff\xfe\x00h\x00p", "a UTF-8 TOML file", "undecodable bytes (invalid start byte at "
                                                 "byte 0)"),
    (b"hp = 1" + b"0" * 5000, "valid TOML", "ValueError: Exceeds the limit"),
    (b"a = " + b"[" * 5000 + b"]" * 5000, "valid TOML", "RecursionError"),
    (b"# " + b"x" * (LIMITS["file_bytes"] + 1), f"a scene file of at most "
                                               f"{LIMITS['file_bytes']} bytes", "a larger file"),
]


@pytest.mark.parametrize("data,expected,found", FILE_CASES,
                         ids=[c[2][:20] for c in FILE_CASES])
def test_unreadable_files_give_one_line(tmp_path, data, expected, found):
    path = tmp_path / "scene.toml"
    if data is None:
        path.mkdir()
    else:
        path.write_bytes(data)
    with pytest.raises(SceneError) as info:
        load_boss_scene(path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"{path}: ")
    assert info.value.expected.startswith(expected) and info.value.found.startswith(found)


@pytest.mark.parametrize("table,most", [("animations", LIMITS["animations"]),
                                        ("states", LIMITS["states"]),
                                        ("patterns", LIMITS["patterns"])])
def test_too_many_tables_are_refused(tmp_path, table, most):
    extra = "".join(f"[{table}.z{i}]\n" for i in range(most + 1))
    path = write(tmp_path, GOOD + extra)
    with pytest.raises(SceneError) as info:
        load_boss_scene(path)
    assert str(info.value) == (f"{path}: {table}: expected at most {most} tables, got "
                               f"{most + 1 + GOOD.count(f'[{table}.')} tables")


def test_odd_table_keys_are_quoted_in_one_line(tmp_path):
    path = write(tmp_path, GOOD + '[states."a\\nb c"]\nanimation = "idle"\n')
    with pytest.raises(SceneError) as info:
        load_boss_scene(path)
    assert str(info.value) == (f"{path}: states: expected table names of 1 to 64 printable "
                               f'characters, got "a\\nb c"')
    path = write(tmp_path, GOOD + '[states."a.b"]\nanimation = "idle"\n')
    with pytest.raises(SceneError) as info:
        load_boss_scene(path)
    assert str(info.value).startswith(f'{path}: states."a.b".action: expected one of')


def bound_scene(edge: int) -> str:
    """A scene with every number at its low (edge 0) or high (edge 1) bound, every count at
    its most for the high one."""
    b = {k: v[edge] for k, v in BOUNDS.items()}
    frames = int(b["frames"])
    anims = list(REQUIRED) + (["extra"] if edge else [])
    counts = [frames] * len(REQUIRED) + ([LIMITS["scene_frames"] - frames * 5] if edge else [])
    lines = [f'sprite_sheet = "{"b" * 64 if edge else "b"}"', f"hp = {b['hp']}",
             f"speed = {b['speed']}", f"size = {b['size']}",
             f"contact_damage = {b['damage']}", f"xp = {b['xp']}",
             f"hurt_cooldown = {b['hurt_cooldown']}"]
    for name, n in zip(anims, counts):
        lines += [f"[animations.{name}]", f"frames = {n}", f"fps = {b['fps']}"]
    lines += ["[patterns.burst]", 'kind = "radial_burst"', f"count = {b['count']}",
              f"speed = {b['speed']}", f"damage = {b['damage']}", f"cooldown = {b['cooldown']}",
              f"lifetime = {b['lifetime']}", f"radius = {b['radius']}",
              "[patterns.dash]", 'kind = "charge"', f"speed = {b['speed']}",
              f"duration = {b['dash']}", f"damage = {b['damage']}",
              f"cooldown = {b['cooldown']}"]
    n_states = LIMITS["states"] if edge else 3
    for i in range(n_states):
        action = ("chase", "attack", "attack")[i % 3]
        lines += [f"[states.s{i}]", 'animation = "move"', f'action = "{action}"',
                  f'next = "s{(i + 1) % n_states}"']
        lines += [f"duration = {b['duration']}"] if action == "chase" else [
            f'pattern = "{("burst", "dash")[i % 2]}"']
    lines.insert(0, 'initial_state = "s0"')
    return "\n".join(lines) + "\n"


REQUIRED = ("idle", "move", "attack", "hurt", "death")


@pytest.mark.parametrize("edge", [0, 1], ids=["low", "high"])
def test_scene_at_its_bounds_loads_and_runs(tmp_path, edge):
    scene = load_boss_scene(write(tmp_path, bound_scene(edge)))
    if edge:
        assert sum(a.frames for a in scene.animations.values()) == LIMITS["scene_frames"]
        assert len(scene.states) == LIMITS["states"]
    world = arena()
    boss = world.spawn_boss(scene, 300.0, 0.0)
    assert boss is not None
    for _ in range(60):
        world.step(DT)
        assert math.isfinite(boss.x) and math.isfinite(boss.y)
    assert math.isfinite(world.player.hp)
    n = world.projectiles.count
    assert np.isfinite(world.projectiles.columns["pos"][:n]).all()


@pytest.mark.gl
def test_scene_at_its_high_bounds_is_drawable(ctx, tmp_path):
    from engine.horde import build_atlas, default_sheets
    from engine.render import (
        DEFAULT_SHADER_DIR,
        BossSprites,
        Camera2D,
        GraphicsContext,
        ShaderLibrary,
        read_pixels,
    )
    scene = load_boss_scene(write(tmp_path, bound_scene(1)))
    atlas = build_atlas(default_sheets({scene.sprite_sheet: scene.animations.values()}))
    gfx = GraphicsContext(ctx)
    lib = ShaderLibrary(gfx, DEFAULT_SHADER_DIR)
    sprites = BossSprites(gfx, lib, atlas)
    fbo = gfx.offscreen_target((256, 256))
    try:
        fbo.use()
        fbo.clear(0.0, 0.0, 0.0, 0.0)
        sprites.begin()
        for name, anim in scene.animations.items():
            assert sprites.add(scene.sprite_sheet, name, 0.0, 0.0, frame=anim.frames - 1)
        sprites.upload()
        assert sprites.draw(Camera2D(256, 256).matrix)
        assert (read_pixels(fbo)[:, :, 3] > 0).sum() > 1000
    finally:
        ctx.detect_framebuffer(0).use()
        sprites.release()
        atlas.release()
        lib.release()
        gfx.release()


def test_world_with_a_malformed_boss_file_fails_at_construction(tmp_path):
    path = write(tmp_path, GOOD.replace("fps = 8.0", 'fps = "fast"'), "brute.toml")
    with pytest.raises(SceneError, match=r"brute\.toml: animations\.idle\.fps: expected a "
                                         r'number from 0\.1 to 240, got "fast"'):
        World(WorldConfig(bosses=(BossWave(5.0, path),)))


# ---------------------------------------------------------------------- behaviour
def arena(**kw) -> World:
    cfg = WorldConfig(waves=WaveSchedule(start_rate=0.0, max_rate=0.0),
                      melee=MeleeConfig(enabled=False), weapon=WeaponConfig(enabled=False),
                      contact_damage=False, **kw)
    return World(cfg, seed=1)


def trace(world: World, boss, seconds: float) -> list[tuple[str, str]]:
    """(state, animation) each time it changes."""
    seen = [(boss.state, boss.anim)]
    for _ in range(round(seconds / DT)):
        world.step(DT)
        if (boss.state, boss.anim) != seen[-1]:
            seen.append((boss.state, boss.anim))
    return seen


def test_state_machine_follows_the_scene(tmp_path):
    world = arena()
    scene = load_boss_scene(write(tmp_path, GOOD))
    boss = world.spawn_boss(scene, 400.0, 0.0)
    assert boss is not None and boss.active
    assert (boss.state, boss.anim, boss.anim_frame) == ("idle", "idle", 0)
    seen = trace(world, boss, 4.5)
    # idle 0.5 s -> move 1 s -> spit (attack anim 0.5 s) -> idle ...; the second spit comes
    # 2 s after the first, past the 1 s cooldown.
    assert seen[:7] == [("idle", "idle"), ("move", "move"), ("spit", "attack"),
                        ("idle", "idle"), ("move", "move"), ("spit", "attack"),
                        ("idle", "idle")]
    assert world.stats.bosses_live == 1
    # The spit fired 8 hostile projectiles each time (some may have expired or hit).
    assert world.projectiles.stats.acquires == 16
    assert world.projectiles.columns["hostile"][:world.projectiles.count].all()


def test_animation_frame_follows_fps_and_loops(tmp_path):
    world = arena()
    boss = world.spawn_boss(load_boss_scene(write(tmp_path, GOOD)), 400.0, 0.0)
    frames = []
    for _ in range(14):                         # idle: 4 frames at 8 fps, 0.5 s
        world.step(DT)
        frames.append(boss.anim_frame)
    assert frames == [int((i + 1) * DT * 8) % 4 for i in range(14)]


def test_chase_moves_toward_the_player_and_cooldown_skips_the_attack(tmp_path):
    text = GOOD.replace("cooldown = 1.0", "cooldown = 100.0")
    world = arena()
    boss = world.spawn_boss(load_boss_scene(write(tmp_path, text)), 400.0, 0.0)
    seen = trace(world, boss, 4.0)
    # First spit fires; afterwards it cools down and its state is skipped: move -> idle.
    assert seen[:6] == [("idle", "idle"), ("move", "move"), ("spit", "attack"),
                        ("idle", "idle"), ("move", "move"), ("idle", "idle")]
    assert boss.x < 400.0 - 60.0 * 1.9               # two seconds of chasing at 60 px/s
    assert world.projectiles.stats.acquires == 8


def test_hurt_on_hit_then_resume_and_death_then_despawn(tmp_path):
    world = arena()
    boss = world.spawn_boss(load_boss_scene(write(tmp_path, GOOD)), 400.0, 0.0)
    for _ in range(20):                               # into "move" (0.5 s idle)
        world.step(DT)
    assert boss.state == "move"
    t_move = boss.state_time
    world.damage_ring.push(boss.handle, 30.0, SOURCE_OTHER, KIND_BOSS)
    world.step(DT)
    assert (boss.state, boss.anim, boss.hp) == ("hurt", "hurt", 70.0)
    x_hurt = boss.x
    for _ in range(6):                                # hurt: 2 frames at 10 fps = 0.2 s
        world.step(DT)
    assert boss.x == x_hurt                           # no chasing while hurt
    assert (boss.state, boss.anim) == ("move", "move")
    # Resumed where it was (it had stepped once more before the hit was applied).
    assert boss.state_time == pytest.approx(t_move + DT, abs=1e-9)
    # Lethal damage: death, then back to the pool after the death animation (0.5 s).
    handle = boss.handle
    world.damage_ring.push(handle, 500.0, SOURCE_OTHER, KIND_BOSS)
    world.step(DT)
    assert (boss.state, boss.anim, boss.dying) == ("death", "death", True)
    assert world.stats.boss_kills == 1
    frames = []
    while boss.active:
        frames.append(boss.anim_frame)
        world.step(DT)
    assert frames == sorted(frames) and frames[-1] == 4       # played once, not looped
    assert len(frames) == pytest.approx(0.5 / DT, abs=1.5)
    assert world.stats.bosses_live == 0
    assert world.bosses.pool.stats.releases == 1
    stale = world.stats.stale_damage_events
    world.damage_ring.push(handle, 1.0, SOURCE_OTHER, KIND_BOSS)
    world.step(DT)
    assert world.stats.stale_damage_events == stale + 1


def test_hostile_burst_hurts_the_player(tmp_path):
    world = arena()
    # Dense enough that one flies at the player; no contact damage, to see the burst's.
    dense = GOOD.replace("count = 8", "count = 64").replace("size = 20.0",
                                                            "size = 20.0\ncontact_damage = 0")
    boss = world.spawn_boss(load_boss_scene(write(tmp_path, dense)), 120.0, 0.0)
    hp = world.player.hp
    for _ in range(90):
        world.step(DT)
    assert world.player.hp == hp - 5.0                # one burst hit, then invulnerable
    assert boss.active


def test_charge_dashes_at_the_player():
    world = arena()
    brute = load_boss_scene(SCENES / "brute.toml")
    boss = world.spawn_boss(brute, 1500.0, 0.0)
    while boss.state != "charge":
        world.step(DT)
    x0 = boss.x
    world.step(DT)
    assert x0 - boss.x == pytest.approx(420.0 * DT, rel=1e-3)


def test_boss_pool_refuses_when_full_and_reuses_after_death(tmp_path):
    world = arena(boss_capacity=1)
    scene = load_boss_scene(write(tmp_path, GOOD))
    first = world.spawn_boss(scene, 300.0, 0.0)
    assert first is not None
    assert world.spawn_boss(scene, 300.0, 0.0) is None
    assert world.bosses.pool.stats.refusals == 1 and world.stats.boss_refusals == 1
    old_handle = first.handle
    world.damage_ring.push(first.handle, 1e6, SOURCE_OTHER, KIND_BOSS)
    for _ in range(30):
        world.step(DT)
    again = world.spawn_boss(scene, -300.0, 0.0)
    assert again is first and again.handle != old_handle
    assert world.bosses.pool.stats.reuses == 1
    assert (again.state, again.hp) == ("idle", 100.0)


def test_boss_waves_enter_on_schedule_on_the_spawn_ring():
    world = World(WorldConfig(waves=WaveSchedule(start_rate=0.0, max_rate=0.0),
                              bosses=(BossWave(1.0, str(SCENES / "spitter.toml")),)), seed=3)
    for _ in range(29):
        world.step(DT)
    assert world.stats.boss_spawns == 0
    world.step(DT)
    world.step(DT)
    (boss,) = world.live_bosses()
    assert boss.scene.name == "spitter"
    inner = math.hypot(*world.config.view_half_extent) + world.config.waves.spawn_margin
    assert math.hypot(boss.x, boss.y) >= inner - 60.0 * 2 * DT
