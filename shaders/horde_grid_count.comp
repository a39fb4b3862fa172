#version 430
// Counting sort, pass 1: each enemy's cell, and its rank inside the cell from atomicAdd.
// Positions outside the grid clamp to the edge cells.
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Pos { vec2 pos[]; };
layout(std430, binding = 5) writeonly buffer Cell { uint cell[]; };
layout(std430, binding = 6) writeonly buffer Rank { uint rank[]; };
layout(std430, binding = 7) buffer Count { uint count[]; };

uniform uint u_count;
uniform vec2 u_grid_min;
uniform float u_inv_cell;
uniform ivec2 u_grid_dim;

void main() {
    uint i = gl_GlobalInvocationID.x;
    if (i >= u_count) return;
    ivec2 c = clamp(ivec2(floor((pos[i] - u_grid_min) * u_inv_cell)), ivec2(0), u_grid_dim - 1);
    uint id = uint(c.y * u_grid_dim.x + c.x);
    cell[i] = id;
    rank[i] = atomicAdd(count[id], 1u);
}
