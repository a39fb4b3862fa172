#version 430
// Counting sort, pass 3: each enemy to slot start[cell] + rank, as (x, y, radius, row bits),
// so the neighbour pass reads one 16-byte record per candidate, cell by cell.
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Pos { vec2 pos[]; };
layout(std430, binding = 4) readonly buffer Radius { float radius[]; };
layout(std430, binding = 5) readonly buffer Cell { uint cell[]; };
layout(std430, binding = 6) readonly buffer Rank { uint rank[]; };
layout(std430, binding = 8) readonly buffer Start { uint start[]; };
layout(std430, binding = 9) writeonly buffer Sorted { vec4 sorted[]; };

uniform uint u_count;

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= u_count) return;
    sorted[start[cell[i]] + rank[i]] = vec4(pos[i], radius[i], uintBitsToFloat(i));
}
