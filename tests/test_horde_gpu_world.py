"""GpuHorde: a combat World stepped with its horde on the GPU (llvmpipe), against the CPU path.

Counts and tolerances only. Skipped where the context is older than GL 4.3.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.combat import PlayerConfig, WaveSchedule, WeaponConfig, World, WorldConfig
from engine.core.scheduler import Scheduler
from engine.horde.gpu import GPU_SYSTEMS, MIN_GL_VERSION, GpuHorde
from engine.profiler.steady_state import measure_steady_state
from engine.render import GraphicsContext

DT = 1.0 / 30.0
LOW56 = (1 << 56) - 1  # a handle without its store tag: generation and slot


@pytest.fixture
def gfx(ctx):
    if ctx.version_code < MIN_GL_VERSION:
        pytest.skip(f"compute shaders need GL >= 4.3, this context is {ctx.version_code}")
    if ctx.fbo is None:  # a session that drew nothing yet: the ctx fixture checks ctx.fbo
        ctx.detect_framebuffer(0).use()
    g = GraphicsContext(ctx)
    yield g
    g.release()


def churning_world(n: int, seed: int = 1) -> World:
    cfg = WorldConfig(
        enemy_capacity=n + n // 4,
        waves=WaveSchedule(start_rate=1e6, max_rate=1e6, max_enemies=n,
                           tier_mix=((0.0, (0.6, 0.3, 0.1)),)),
        weapon=WeaponConfig(multishot=3, pierce=1, fire_rate=6.0),
        player=PlayerConfig(autopilot=True, immortal=True),
    )
    return World(cfg, seed=seed)


def test_the_gpu_world_follows_the_cpu_world(gfx):
    """Same rules: for the default seed 0 the horde, its kills and its positions agree."""
    cpu = World(seed=0)
    gw = World(seed=0)
    horde = GpuHorde(gw, gfx)
    for _ in range(150):
        cpu.step(DT)
        horde.step(DT)
    n = cpu.enemies.count
    assert gw.enemies.count == n > 20
    np.testing.assert_array_equal(gw.enemies.handles[:n] & LOW56, cpu.enemies.handles[:n] & LOW56)
    np.testing.assert_allclose(gw.enemies.columns["pos"][:n], cpu.enemies.columns["pos"][:n],
                               atol=1e-2)
    np.testing.assert_array_equal(gw.stats.kills_by_tier, cpu.stats.kills_by_tier)
    assert gw.stats.ticks == 150
    horde.release()


def test_spawns_and_deaths_reach_the_gpu_in_place(gfx):
    world = churning_world(600)
    horde = GpuHorde(world, gfx)
    for _ in range(40):
        horde.step(DT)
    store = world.enemies
    n0 = store.count
    assert n0 > 500
    store.kill_rows(np.arange(n0) % 7 == 3)  # holes all through the rows
    store.flush()
    start, got = store.spawn_batch(25)
    cols = store.columns
    cols["pos"][start:start + got] = (5.0, -9.0)
    cols["speed"][start:start + got] = 33.0
    cols["radius"][start:start + got] = 4.0
    horde.sync(DT)
    n = store.count
    assert 0 < horde.upload_bytes < 24 * n          # only the changed rows went up
    hc = horde.compute
    pos = np.zeros((n, 2), np.float32)
    speed = np.zeros(n, np.float32)
    radius = np.zeros(n, np.float32)
    hc.read_into("pos", pos)
    hc.read_into("speed", speed)
    hc.read_into("radius", radius)
    np.testing.assert_array_equal(pos, cols["pos"][:n])
    np.testing.assert_array_equal(speed, cols["speed"][:n])
    np.testing.assert_array_equal(radius, cols["radius"][:n])
    horde.sync(DT)
    assert horde.upload_bytes == 0                  # nothing changed since
    # Game code moving enemies in place says so; the GPU copy wins otherwise.
    cols["pos"][:10] = (1.0, 2.0)
    horde.invalidate(0, 10)
    horde.sync(DT)
    assert horde.upload_bytes == 20 * 10
    hc.read_into("pos", pos)
    np.testing.assert_array_equal(pos[:10], cols["pos"][:10])
    assert GpuHorde.supported(gfx)
    horde.release()


def test_it_installs_as_timed_fixed_step_systems(gfx):
    world = churning_world(300)
    horde = GpuHorde(world, gfx)
    sched = Scheduler(step_hz=30)
    horde.install(sched)
    names = list(sched.system_names)
    assert [n for n in names if n in GPU_SYSTEMS] == list(GPU_SYSTEMS)
    assert names.index("gpu_sync") < names.index("movement") < names.index("gpu_readback") \
        < names.index("spatial_hash") < names.index("gpu_grid") < names.index("separation") \
        < names.index("contact")
    for _ in range(30):
        assert sched.advance(sched.step_ns) == 1
    assert (horde.pass_ns > 0).all()
    timed = dict(zip(sched.system_names, sched.system_ns, strict=True))
    assert all(timed[name] > 0 for name in GPU_SYSTEMS)
    assert horde.readback_bytes == 8 * world.enemies.count
    assert horde.buffer_bytes > 60 * world.enemies.capacity
    horde.release()


def test_the_gpu_step_meets_the_steady_state_contract(gfx):
    world = churning_world(2000)
    horde = GpuHorde(world, gfx)
    for _ in range(150):
        horde.step(DT)
    assert world.enemies.count > 1900
    kills0 = int(world.stats.kills_by_tier.sum())
    report = measure_steady_state(lambda: horde.step(DT))
    assert report.ok, str(report)
    assert int(world.stats.kills_by_tier.sum()) - kills0 > 200  # with churn, not idle
    horde.release()


def test_the_benchmark_runs_both_paths(gfx, tmp_path, capsys):
    from tools.bench_gpu import main

    out = tmp_path / "bench.json"
    assert main(["--sizes", "400", "--ticks", "2", "--warmup", "0.05", "--report", str(out)]) == 0
    text = capsys.readouterr().out
    assert "cpu/gpu" in text and "readback" in text
    import json

    (row,) = json.loads(out.read_text())["results"]
    assert row["size"] == 400 and row["gpu"]["readback_bytes"] == 8 * row["gpu"]["n"]
