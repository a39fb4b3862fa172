#version 430
// Rows the CPU changed (spawned, or moved by a store flush), written in place: record k is
// (x, y, speed, radius) for row rows[k]. A patched row starts with no separation push.
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer Pos { vec2 pos[]; };
layout(std430, binding = 1) writeonly buffer Prev { vec2 prev_pos[]; };
layout(std430, binding = 2) writeonly buffer Sep { vec2 sep[]; };
layout(std430, binding = 3) writeonly buffer Speed { float speed[]; };
layout(std430, binding = 4) writeonly buffer Radius { float radius[]; };
layout(std430, binding = 11) readonly buffer Stage { vec4 stage[]; };
layout(std430, binding = 12) readonly buffer Rows { uint rows[]; };

uniform uint u_rows;

void main() {
    uint k = gl_GlobalInvocationID.x;
    if (k >= u_rows) return;
    vec4 s = stage[k];
    uint r = rows[k];
    pos[r] = s.xy;
    prev_pos[r] = s.xy;
    sep[r] = vec2(0.0);
    speed[r] = s.z;
    radius[r] = s.w;
}
