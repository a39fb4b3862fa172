#version 430
// Exact capped separation over the grid. Invocation k takes the k-th enemy of the cell-sorted
// order (neighbours in the same warp share cells) and visits its 3x3 neighbour cells. A pair
// (i, j) is a neighbour when |p_i - p_j| < r_i + r_j (cell size >= the largest such sum, so
// the 3x3 block holds every one). The cap keeps the u_cap nearest ones, ties by row: the kept
// set and the order they are summed in depend only on the positions, not on the atomic order
// of the grid build. Push on i: strength * (p_i - p_j) * (R - d) / max(d, 1e-3).
#define MAX_CAP 32
layout(local_size_x = 128) in;
layout(std430, binding = 2) writeonly buffer Sep { vec2 sep[]; };
layout(std430, binding = 8) readonly buffer Start { uint start[]; };
layout(std430, binding = 9) readonly buffer Sorted { vec4 sorted[]; };
layout(std430, binding = 10) writeonly buffer Kept { uint kept[]; };

uniform uint u_count;
uniform uint u_cap;
uniform float u_strength;
uniform vec2 u_grid_min;
uniform float u_inv_cell;
uniform ivec2 u_grid_dim;

void main() {
    uint k = gl_GlobalInvocationID.x;
    if (k >= u_count) return;
    vec4 me = sorted[k];
    uint row = floatBitsToUint(me.w);
    ivec2 c = clamp(ivec2(floor((me.xy - u_grid_min) * u_inv_cell)), ivec2(0), u_grid_dim - 1);
    float best_d2[MAX_CAP];
    uint best_row[MAX_CAP];
    uint best_slot[MAX_CAP];
    uint n = 0u;
    for (int cy = max(c.y - 1, 0); cy <= min(c.y + 1, u_grid_dim.y - 1); ++cy) {
        for (int cx = max(c.x - 1, 0); cx <= min(c.x + 1, u_grid_dim.x - 1); ++cx) {
            uint id = uint(cy * u_grid_dim.x + cx);
            uint e = start[id + 1u];
            for (uint q = start[id]; q < e; ++q) {
                vec4 o = sorted[q];
                uint orow = floatBitsToUint(o.w);
                vec2 d = me.xy - o.xy;
                float d2 = d.x * d.x + d.y * d.y;
                float r = me.z + o.z;
                if (orow == row || !(d2 < r * r)) continue;
                if (n == u_cap && (d2 > best_d2[n - 1u]
                                   || (d2 == best_d2[n - 1u] && orow > best_row[n - 1u])))
                    continue;
                // Insert into the list kept sorted by (d2, row); drop the last when full.
                uint m = n < u_cap ? n : n - 1u;
                while (m > 0u && (best_d2[m - 1u] > d2
                                  || (best_d2[m - 1u] == d2 && best_row[m - 1u] > orow))) {
                    best_d2[m] = best_d2[m - 1u];
                    best_row[m] = best_row[m - 1u];
                    best_slot[m] = best_slot[m - 1u];
                    --m;
                }
                best_d2[m] = d2;
                best_row[m] = orow;
                best_slot[m] = q;
                if (n < u_cap) ++n;
            }
        }
    }
    vec2 f = vec2(0.0);
    for (uint m = 0u; m < n; ++m) {
        vec4 o = sorted[best_slot[m]];
        vec2 d = me.xy - o.xy;
        float dist = sqrt(best_d2[m]);
        f += d * ((me.z + o.z - dist) / max(dist, 1e-3));
    }
    sep[row] = f * u_strength;
    kept[row] = n;
}
