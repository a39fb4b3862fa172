"""Renderer facade over real EntityStores, BossSprites and ParticleRenderer on real GL: draw calls
per frame = non-empty tiers + projectiles + bosses + the player + particles; bosses animate,
flip and interpolate; the player walks, idles, mirrors and shows its swing ring in one draw;
particles add up and fade by life / max_life; store growth is followed."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from engine.data import EntityStore
from engine.horde import SWING_S, Renderer, TierSpec, build_atlas, tier_specs_from_table
from engine.render import (
    DEFAULT_SHADER_DIR,
    BossSprites,
    Camera2D,
    GraphicsContext,
    ParticleRenderer,
    ShaderLibrary,
    read_pixels,
)

pytestmark = pytest.mark.gl

W, H = 160, 120
ENEMY_COLUMNS = {"pos": ((2,), np.float32), "prev_pos": ((2,), np.float32),
                 "tier": ((), np.uint8), "anim_frame": ((), np.float32)}


@pytest.fixture(scope="module")
def atlas():
    return build_atlas()


def spawn(store, **cols):
    n = len(next(iter(cols.values())))
    start, got = store.spawn_batch(n)
    assert got == n
    for key, values in cols.items():
        store.columns[key][start:start + n] = values


@pytest.fixture
def rig(ctx, atlas):
    gfx = GraphicsContext(ctx)
    fbo = gfx.offscreen_target((W, H))
    renderer = Renderer(gfx, target=fbo, atlas=atlas, clear_color=(0.0, 0.0, 0.0, 1.0))
    yield SimpleNamespace(gfx=gfx, fbo=fbo, r=renderer, atlas=atlas)
    renderer.release()
    gfx.release()
    assert gfx.render_stats.gl_live == 0


def test_draw_calls_per_frame_follow_non_empty_batches(rig):
    r, rs = rig.r, rig.r.stats
    enemies = EntityStore("enemies", 64, ENEMY_COLUMNS)
    projectiles = EntityStore("shots", 16, {"pos": ((2,), np.float32),
                                            "vel": ((2,), np.float32)})
    particles = EntityStore("sparks", 16, {"pos": ((2,), np.float32), "life": ((), np.float32),
                                           "max_life": ((), np.float32),
                                           "color": ((4,), np.float32), "size": ((), np.float32)})
    r.set_enemy_source(enemies)
    r.set_projectile_source(projectiles, prev_pos=None)
    r.set_particle_source(particles, prev_pos=None)
    bosses: list[SimpleNamespace] = []
    r.set_boss_source(lambda sprites: sprites.add_from(bosses))

    r.render(1.0)
    assert rs.draw_calls == 0  # nothing to draw: no draw call at all
    spawn(enemies, pos=[(-40, 0), (40, 0)], tier=[0, 2])  # tiers swarm and elite
    r.render(1.0)
    assert rs.draw_calls == 2
    assert rs.instances["swarm"] == 1 and rs.instances["regular"] == 0
    spawn(projectiles, pos=[(0, 30)], vel=[(1, 0)])
    bosses.append(SimpleNamespace(sheet="boss_brute", animation="idle", x=0.0, y=-20.0))
    spawn(particles, pos=[(10, 10)], life=[1.0], max_life=[1.0], color=[(1, 1, 1, 1)],
          size=[4.0])
    r.render(1.0)
    assert rs.draw_calls == 2 + 1 + 1 + 1  # tiers + projectiles + bosses + particles
    assert rig.gfx.draw_calls_frame == rs.draw_calls
    spawn(enemies, pos=[(0, 40)], tier=[1])
    bosses[0].visible = False
    r.render(1.0)
    assert rs.draw_calls == 3 + 1 + 0 + 1
    assert rs.frames == 4 and rs.draw_calls_total == 0 + 2 + 5 + 5
    player = SimpleNamespace(pos=np.array([0.0, -40.0], np.float32),
                             prev_pos=np.array([0.0, -40.0], np.float32))
    r.set_player_source(player)
    r.render(1.0)
    assert rs.draw_calls == 3 + 1 + 0 + 1 + 1 and rs.instances["player"] == 1
    r.set_player_source(None)  # the batch stays, empty: no draw
    r.render(1.0)
    assert rs.draw_calls == 5 and rs.instances["player"] == 0


def _knight_at(img, atlas, cx, frame, flip=False, opaque_only=False):
    """Max abs difference between the 32 x 32 screen square at world (cx, 0) and the hero
    frame drawn over black (``opaque_only``: at the frame's opaque pixels only)."""
    want = atlas.frame_pixels("hero", frame)
    if flip:
        want = want[:, ::-1]
    x0, y0 = W // 2 + cx - 16, H // 2 - 16
    got = img[y0:y0 + 32, x0:x0 + 32, :3].astype(int)
    expect = (want[:, :, :3].astype(int) * want[:, :, 3:4].astype(int) + 127) // 255
    diff = np.abs(got - expect).max(axis=2)
    if opaque_only:
        diff = diff[want[:, :, 3] == 255]
    return int(diff.max())


def test_player_walks_mirrors_idles_and_swings_in_one_draw(rig):
    r, atlas, rs = rig.r, rig.atlas, rig.r.stats
    hero = atlas.sheet("hero")
    walk, idle, swing = (hero.animation(a) for a in ("walk", "idle", "swing"))
    player = SimpleNamespace(pos=np.array([20.0, 0.0], np.float32),
                             prev_pos=np.array([0.0, 0.0], np.float32),
                             facing=np.array([1.0, 0.0], np.float32))
    swings = [0]
    clock = [0.0]  # simulated seconds: the ring is timed by it, not by render frames
    r.set_player_source(player, swings=lambda: swings[0], clock=lambda: clock[0],
                        swing_radius=40.0)
    r.render(0.5)  # drawn at the interpolated (10, 0), 10 units from where it was: walking
    assert rs.draw_calls == 1 and rs.instances["player"] == 1
    stride = 0.3 * 32  # the walk advances one frame per 0.3 sprite heights walked
    assert _knight_at(read_pixels(rig.fbo), atlas, 10, walk.first + int(10 / stride)) <= 2
    player.facing[0] = -1.0
    r.render(0.5)  # facing left: mirrored; it did not move: idle
    assert _knight_at(read_pixels(rig.fbo), atlas, 10, idle.first, flip=True) <= 2
    swings[0] += 1  # a melee swing: the ring under the knight, in the same draw
    r.render(0.5)
    assert rs.draw_calls == 1 and rs.instances["player"] == 2
    img = read_pixels(rig.fbo)
    ring_r = 40.0 * 10.0 / 16.0  # frame 0's ring: radius 10 of the 16 px half-cell
    band = img[H // 2 - 2:H // 2 + 3, W // 2 + 10 + int(ring_r) - 3:W // 2 + 10 + int(ring_r) + 4]
    assert 20 < int(band[:, :, :3].max()) < 120  # a faint ring (35 % alpha)
    # The knight is drawn over the ring (the square's corners reach into the ring).
    assert _knight_at(img, atlas, 10, idle.first, flip=True, opaque_only=True) <= 2
    for _ in range(50):  # frames at the same simulated time (a paused world, a fast display)
        r.render(0.5)
    assert rs.instances["player"] == 2
    clock[0] = SWING_S * 0.9
    r.render(0.5)
    assert rs.instances["player"] == 2
    clock[0] = SWING_S  # SWING_S simulated seconds later the ring is gone
    r.render(0.5)
    assert rs.instances["player"] == 1
    assert swing.count == 4


def test_player_source_may_be_a_callable_and_bad_sources_are_refused(rig, atlas):
    r, rs = rig.r, rig.r.stats
    r.set_player_source(lambda: (-30.0, 10.0, -30.0, 10.0))
    r.render(0.5)
    assert rs.instances["player"] == 1
    img = read_pixels(rig.fbo)
    assert img[H // 2 - 10 - 8:H // 2 - 10 + 8, W // 2 - 30 - 8:W // 2 - 30 + 8, :3].any()
    with pytest.raises(TypeError, match="attribute 'pos'"):
        r.set_player_source(SimpleNamespace(position=(0, 0)))
    with pytest.raises(TypeError, match="swings must be callable"):
        r.set_player_source(lambda: (0.0, 0.0, 0.0, 0.0), swings=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="swings needs clock"):
        r.set_player_source(lambda: (0.0, 0.0, 0.0, 0.0), swings=lambda: 0)
    with pytest.raises(ValueError, match="swing_radius must be > 0"):
        r.set_player_source(lambda: (0.0, 0.0, 0.0, 0.0), swing_radius=0.0)
    with pytest.raises(KeyError, match="no sprite sheet 'knight'"):
        r.set_player_source(lambda: (0.0, 0.0, 0.0, 0.0), sheet="knight")


def test_player_tint_changes_the_knight_and_needs_a_source(rig, atlas):
    r = rig.r
    with pytest.raises(RuntimeError, match="no player source"):
        r.set_player_tint(1.0, 0.0, 0.0)
    player = SimpleNamespace(pos=np.array([0.0, 0.0], np.float32),
                             prev_pos=np.array([0.0, 0.0], np.float32))
    r.set_player_source(player)
    r.render(1.0)
    square = (slice(H // 2 - 16, H // 2 + 16), slice(W // 2 - 16, W // 2 + 16))
    plain = read_pixels(rig.fbo)[square].astype(int)
    r.set_player_tint(1.0, 0.0, 0.0)   # red only: green and blue vanish, red stays
    r.render(1.0)
    red = read_pixels(rig.fbo)[square].astype(int)
    assert plain[:, :, 1].max() > 40 and red[:, :, 1].max() == 0 and red[:, :, 2].max() == 0
    assert np.abs(red[:, :, 0] - plain[:, :, 0]).max() <= 2
    r.set_player_tint(1.0, 1.0, 1.0, 0.0)  # fully transparent: nothing left
    r.render(1.0)
    assert read_pixels(rig.fbo)[square][:, :, :3].max() == 0


def test_enemies_are_interpolated_animated_and_tiered(rig):
    r, atlas = rig.r, rig.atlas
    enemies = EntityStore("enemies", 8, ENEMY_COLUMNS)
    spawn(enemies, pos=[(-40, 20), (40, -20)], prev_pos=[(-60, 20), (40, -20)], tier=[1, 2],
          anim_frame=[4, 6])
    r.set_enemy_source(enemies)
    r.render(0.5)
    img = read_pixels(rig.fbo)
    for (cx, cy), sheet, frame in (((-50, 20), "regular", 4), ((40, -20), "elite", 6)):
        want = atlas.frame_pixels(sheet, frame)
        h, w = want.shape[:2]
        x0, y0 = W // 2 + cx - w // 2, H // 2 - cy - h // 2
        got = img[y0:y0 + h, x0:x0 + w, :3].astype(int)
        expect = want[:, :, :3].astype(int) * (want[:, :, 3:4] // 255)
        assert np.abs(got - expect).max() <= 2, sheet
    # The renderer only reads the store.
    np.testing.assert_array_equal(enemies.columns["pos"][:2], [(-40, 20), (40, -20)])


def test_store_growth_is_followed(rig):
    """A GROW store replaces its arrays: the renderer re-reads columns every frame."""
    r = rig.r
    enemies = EntityStore("enemies", 2, ENEMY_COLUMNS, policy="grow")
    r.set_enemy_source(enemies)
    spawn(enemies, pos=[(0, 0), (10, 0)], tier=[0, 0])
    r.render(1.0)
    spawn(enemies, pos=[(20, 0)] * 1500, tier=[0] * 1500)  # store grows; batch grows
    r.render(1.0)
    assert r.stats.instances["swarm"] == 1502
    assert r.tier_batches[0].capacity >= 1502
    assert r.tier_batches[0].vbo.size == r.tier_batches[0].capacity * 40
    assert r.stats.reallocations >= 1


def test_render_hook_and_callable_target(ctx, atlas):
    gfx = GraphicsContext(ctx)
    fbo = gfx.offscreen_target((W, H))
    holder = {"target": fbo}
    r = Renderer(gfx, target=lambda: holder["target"], atlas=atlas,
                 tiers=[TierSpec("only", 5, "swarm", size=(32.0, 32.0), tint=(1, 0, 0, 1))])
    assert (r.camera.width, r.camera.height) == (W, H)
    enemies = EntityStore("enemies", 4, {"pos": ((2,), np.float32), "tier": ((), np.int32)})
    spawn(enemies, pos=[(0, 0)], tier=[5])
    r.set_enemy_source(enemies, prev_pos=None, frame=None)
    fbo.use()
    fbo.clear(0.0, 0.0, 1.0, 1.0)  # the App clears; the renderer (clear_color None) does not
    hooks = [r.render_hook]
    for hook in hooks:
        hook(0.3)
    img = read_pixels(fbo)
    assert tuple(img[5, 5, :3]) == (0, 0, 255)
    assert img[H // 2, W // 2, 0] > 0 and img[H // 2, W // 2, 1] == 0
    r.resize(320, 240)
    assert r.camera.width == 320
    r.resize(0, 0)  # minimised: ignored
    assert r.camera.width == 320
    holder["target"] = None
    with pytest.raises(RuntimeError, match="no target"):
        r.render(1.0)
    r.release()
    r.release()  # twice is safe
    gfx.release()


def test_renderer_owns_a_context_it_made(ctx):
    r = Renderer(ctx, viewport=(32, 32))
    made = r.gfx
    assert made.render_stats.gl_live > 0
    r.release()
    assert made.closed and made.render_stats.gl_live == 0


def test_source_errors(rig):
    r = rig.r
    with pytest.raises(TypeError, match="store-like"):
        r.set_enemy_source(object())
    with pytest.raises(KeyError, match="no column 'tier'"):
        r.set_enemy_source(EntityStore("e", 2, {"pos": ((2,), np.float32)}))
    with pytest.raises(TypeError, match="callable"):
        r.set_boss_source(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="distinct tier names"):
        Renderer(rig.gfx, tiers=[TierSpec("a", 0, "swarm"), TierSpec("a", 1, "swarm")],
                 atlas=rig.atlas)


# ---------------------------------------------------------------------- bosses
@pytest.fixture
def boss_env(ctx, atlas):
    gfx = GraphicsContext(ctx)
    lib = ShaderLibrary(gfx, DEFAULT_SHADER_DIR)
    fbo = gfx.offscreen_target((W, H))
    bosses = BossSprites(gfx, lib, atlas, world_scale=1.0)
    cam = Camera2D(W, H)

    def draw():
        fbo.use()
        fbo.clear(0.0, 0.0, 0.0, 1.0)
        bosses.upload()
        bosses.draw(cam.matrix)
        return read_pixels(fbo)

    yield SimpleNamespace(b=bosses, draw=draw, atlas=atlas)
    bosses.release()
    atlas.release()
    lib.release()
    gfx.release()


def test_boss_animation_time_to_frame(boss_env):
    b = boss_env.b
    brute = boss_env.atlas.sheet("boss_brute")
    idle, attack = brute.animation("idle"), brute.animation("attack")  # 4 @ 6 loop, 6 @ 12 once
    base = b.base["boss_brute"]
    assert b.frame_index("boss_brute", "idle", time_s=0.0) == base + idle.first
    assert b.frame_index("boss_brute", "idle", time_s=0.5) == base + idle.first + 3
    assert b.frame_index("boss_brute", "idle", time_s=0.7) == base + idle.first + 0  # wraps
    assert b.frame_index("boss_brute", "attack", time_s=5.0) == base + attack.first + 5  # holds
    assert b.frame_index("boss_brute", "attack", frame=99) == base + attack.first + 5
    assert b.base["boss_spitter"] == brute.frame_count
    with pytest.raises(KeyError, match="has no animation 'dance'"):
        b.frame_index("boss_brute", "dance")
    with pytest.raises(KeyError, match="no boss sheet 'dragon'"):
        b.frame_index("dragon", "idle")


def test_boss_pixels_frame_flip_and_interpolation(boss_env):
    b, atlas = boss_env.b, boss_env.atlas
    b.begin(alpha=0.5)
    b.add("boss_brute", "attack", -20.0, 0.0, prev_x=-56.0, prev_y=0.0, time_s=0.2)  # frame 2
    b.add("boss_spitter", "move", 40.0, 0.0, frame=3, flip=True)
    img = boss_env.draw()
    for cx, sheet, anim, f, flip in ((-38, "boss_brute", "attack", 2, False),
                                     (40, "boss_spitter", "move", 3, True)):
        sheet_obj = atlas.sheet(sheet)
        want = atlas.frame_pixels(sheet, sheet_obj.animation(anim).first + f)
        if flip:
            want = want[:, ::-1]
        x0, y0 = W // 2 + cx - 32, H // 2 - 32
        got = img[y0:y0 + 64, x0:x0 + 64, :3].astype(int)
        expect = want[:, :, :3].astype(int) * (want[:, :, 3:4] // 255)
        assert np.abs(got - expect).max() <= 2, (sheet, anim)


# ---------------------------------------------------------------------- particles
def test_particles_add_up_and_fade(ctx, atlas):
    gfx = GraphicsContext(ctx)
    lib = ShaderLibrary(gfx, DEFAULT_SHADER_DIR)
    fbo = gfx.offscreen_target((W, H))
    cam = Camera2D(W, H)
    parts = ParticleRenderer(gfx, lib, atlas, sheet="white", capacity=2)  # solid texels
    pos = np.array([[-40, 0], [-40, 0], [40, 0], [0, 40], [0, -40]], dtype=np.float32)
    life = np.array([0.5, 0.5, 2.0, 0.0, 0.25], dtype=np.float32)
    max_life = np.array([1.0, 1.0, 1.0, 1.0, 0.0], dtype=np.float32)  # last: max_life 0
    color = np.tile(np.array([1.0, 0.5, 0.25, 1.0], dtype=np.float32), (5, 1))
    size = np.full(5, 6.0, dtype=np.float32)
    fbo.use()
    fbo.clear(0.0, 0.0, 0.0, 1.0)
    parts.begin()
    assert parts.pack(5, pos, life, max_life, color, size) == 5  # grows past capacity 2
    parts.upload()
    parts.draw(cam.matrix)
    img = read_pixels(fbo).astype(int)

    def at(x, y):
        return tuple(img[H // 2 - y, W // 2 + x, :3])

    # Two half-faded particles on top of each other: additive, so twice 0.5 x colour.
    assert np.allclose(at(-40, 0), (255, 128, 64), atol=2)
    assert np.allclose(at(40, 0), (255, 128, 64), atol=2)  # life > max_life: clipped to 1
    assert at(0, 40) == (0, 0, 0)  # life 0: invisible
    assert np.allclose(at(0, -40), (255, 128, 64), atol=2)  # max_life 0: no division by zero
    assert parts.batch.growths >= 1
    parts.release()
    atlas.release()
    lib.release()
    gfx.release()


def test_add_from_reads_the_horde_kit_boss_shape(boss_env):
    """add_from takes the combat Boss as it is: scene.sprite_sheet, anim, anim_frame, active,
    vx (facing); or the plain names sheet / animation / frame / visible / facing."""
    b, atlas = boss_env.b, boss_env.atlas
    kit_boss = SimpleNamespace(scene=SimpleNamespace(sprite_sheet="boss_brute"), anim="death",
                               anim_frame=5, anim_time=9.9, x=-38.0, y=0.0, prev_x=-38.0,
                               prev_y=0.0, active=True, vx=-3.0)
    dead = SimpleNamespace(scene=kit_boss.scene, anim="idle", anim_frame=0, x=0.0, y=0.0,
                           active=False)
    plain = SimpleNamespace(sheet="boss_spitter", animation="attack", frame=4, x=40.0, y=0.0,
                            visible=True, facing=1.0)
    b.begin()
    assert b.add_from([kit_boss, dead, plain]) == 2
    img = boss_env.draw()
    for cx, sheet, anim, f, flip in ((-38, "boss_brute", "death", 5, True),
                                     (40, "boss_spitter", "attack", 4, False)):
        want = atlas.frame_pixels(sheet, atlas.sheet(sheet).animation(anim).first + f)
        if flip:
            want = want[:, ::-1]
        x0, y0 = W // 2 + cx - 32, H // 2 - 32
        got = img[y0:y0 + 64, x0:x0 + 64, :3].astype(int)
        expect = (want[:, :, :3].astype(int) * want[:, :, 3:4].astype(int) + 127) // 255
        assert np.abs(got - expect).max() <= 2, (sheet, anim)


def test_renders_a_combat_world_as_it_is(ctx, atlas):
    """Integration with the horde kit: its stores, tier table and bosses, read unchanged."""
    from engine.combat.world import World  # here: only this test needs the combat layer

    world = World(seed=3)
    for tier in range(3):
        for i in range(4):
            world.spawn_enemy(40.0 * i - 60.0, 50.0 * tier - 50.0, tier)
    world.spawn_boss("demos/scenes/brute.toml", 0.0, 0.0)
    for _ in range(3):
        world.step(1.0 / 30.0)
    gfx = GraphicsContext(ctx)
    fbo = gfx.offscreen_target((W, H))
    r = Renderer(gfx, target=fbo, atlas=atlas, tiers=tier_specs_from_table(world.tiers, atlas))
    r.set_enemy_source(world.enemies)
    r.set_projectile_source(world.projectiles)
    r.set_particle_source(world.particles)
    r.set_boss_source(lambda sprites: sprites.add_from(world.bosses.slots))
    r.set_player_source(world.player, swings=lambda: world.stats.melee_swings,
                        clock=lambda: world.time, swing_radius=world.config.melee.radius)
    before = {k: v[:world.enemies.count].copy() for k, v in world.enemies.columns.items()}
    r.render(0.5)
    tier = world.enemies.columns["tier"][:world.enemies.count]
    for k, spec in enumerate(r.tiers):
        assert r.stats.instances[spec.name] == int(np.count_nonzero(tier == k))
    assert r.stats.instances["bosses"] == 1 and r.stats.instances["player"] == 1
    expected = sum(1 for n in ("swarm", "regular", "elite", "projectiles", "bosses", "player",
                               "particles")
                   if r.stats.instances[n] > 0)
    assert r.stats.draw_calls == expected
    for k, v in before.items():  # the renderer only read the store
        np.testing.assert_array_equal(world.enemies.columns[k][:world.enemies.count], v)
    assert read_pixels(fbo)[:, :, :3].any()
    r.release()
    atlas.release()
    gfx.release()
