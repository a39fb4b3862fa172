#version 430
// Seek + integrate + arena clamp, the rules of engine/combat/systems/movement.py: each enemy
// goes speed * dt toward the player (no further than touching it), plus last tick's separation
// velocity; the whole step is limited to max_push_factor * speed * dt.
layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer Pos { vec2 pos[]; };
layout(std430, binding = 1) writeonly buffer Prev { vec2 prev_pos[]; };
layout(std430, binding = 2) readonly buffer Sep { vec2 sep[]; };
layout(std430, binding = 3) readonly buffer Speed { float speed[]; };
layout(std430, binding = 4) readonly buffer Radius { float radius[]; };

uniform uint u_count;
uniform float u_dt;
uniform float u_max_step;   // max_push_factor * dt
uniform vec2 u_player;
uniform float u_player_radius;
uniform vec2 u_arena_min;
uniform vec2 u_arena_max;

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= u_count) return;
    vec2 p = pos[i];
    prev_pos[i] = p;
    vec2 d = u_player - p;
    float dist = sqrt(d.x * d.x + d.y * d.y);
    float v = speed[i];
    float step = min(v * u_dt, max(dist - radius[i] - u_player_radius, 0.0));
    d *= step / max(dist, 1e-4);
    d += sep[i] * u_dt;
    float len = max(sqrt(d.x * d.x + d.y * d.y), 1e-4);
    d *= min(v * u_max_step / len, 1.0);
    pos[i] = clamp(p + d, u_arena_min, u_arena_max);
}
