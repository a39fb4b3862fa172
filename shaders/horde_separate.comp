#version 430
// Exact capped separation over the grid. Invocation k takes the k-th enemy of the cell-sorted
// order (neighbouring invocations share cells). A pair (i, j) is a neighbour when
// |p_i - p_j| < r_i + r_j, so every neighbour of i lies in the disc of radius r_i + r_max
// around it: the pass visits, for each grid row crossing that disc, the cells of the row that
// the disc's chord over the row covers, one contiguous range of the sorted order (the cells of
// a grid row are consecutive there).
// Push on i from j: (p_i - p_j) * (R - d) / max(d, 1e-3), summed in fixed point (u_scale
// units) so that the sum does not depend on the order of the visit (the atomic order of the
// grid build), then times the strength.
// The cap: a first sweep sums every neighbour and counts them; only enemies with more than CAP
// neighbours sweep again, keeping the CAP nearest (ties by row) in a list held in registers
// (constant bounds, unrolled). Software GL runs both sides of a branch under a mask, so the
// list is kept out of the first sweep's loop.
#define CAP 8
layout(local_size_x = 128) in;
layout(std430, binding = 2) writeonly buffer Sep { vec2 sep[]; };
layout(std430, binding = 8) readonly buffer Start { uint start[]; };
layout(std430, binding = 9) readonly buffer Sorted { vec4 sorted[]; };
layout(std430, binding = 10) writeonly buffer Kept { uint kept[]; };

uniform uint u_count;
uniform float u_strength;
uniform vec2 u_grid_min;
uniform float u_inv_cell;
uniform ivec2 u_grid_dim;
uniform float u_max_radius;
uniform float u_scale;

ivec2 fixed_push(vec2 d, float d2, float r) {
    float dist = sqrt(d2);
    return ivec2(round(d * ((r - dist) / max(dist, 1e-3)) * u_scale));
}

void main() {
    uint k = gl_GlobalInvocationID.x;
    if (k >= u_count) return;
    vec4 me = sorted[k];
    uint row = floatBitsToUint(me.w);
    // The reach, with a margin for the rounding of the cell arithmetic.
    float reach = (me.z + u_max_radius) * 1.0001 + 1e-3;
    vec2 g = (me.xy - u_grid_min) * u_inv_cell;
    float greach = reach * u_inv_cell;
    int y0 = clamp(int(floor(g.y - greach)), 0, u_grid_dim.y - 1);
    int y1 = clamp(int(floor(g.y + greach)), 0, u_grid_dim.y - 1);
    ivec2 acc = ivec2(0);
    uint n = 0u;
    for (int sweep = 0; sweep < 2; ++sweep) {
        float kd[CAP];
        uint kr[CAP];
        ivec2 kf[CAP];
        for (int m = 0; m < CAP; ++m) {
            kd[m] = 3.0e38;
            kr[m] = 0xffffffffu;
            kf[m] = ivec2(0);
        }
        // Second sweep: only the enemies over the cap (zero rows for the others).
        int yend = sweep == 0 ? y1 : (n > uint(CAP) ? y1 : y0 - 1);
        for (int cy = y0; cy <= yend; ++cy) {
            // Distance (in cells) from the point to the row's band; the chord's half width.
            float dy = max(max(float(cy) - g.y, g.y - float(cy + 1)), 0.0);
            float half_w = sqrt(max(greach * greach - dy * dy, 0.0));
            int x0 = clamp(int(floor(g.x - half_w)), 0, u_grid_dim.x - 1);
            int x1 = clamp(int(floor(g.x + half_w)), 0, u_grid_dim.x - 1);
            uint b = start[uint(cy * u_grid_dim.x + x0)];
            uint e = start[uint(cy * u_grid_dim.x + x1 + 1)];
            if (sweep == 0) {
                for (uint q = b; q < e; ++q) {
                    vec4 o = sorted[q];
                    vec2 d = me.xy - o.xy;
                    float d2 = d.x * d.x + d.y * d.y;
                    float r = me.z + o.z;
                    if (floatBitsToUint(o.w) != row && d2 < r * r) {
                        ++n;
                        acc += fixed_push(d, d2, r);
                    }
                }
            } else {
                for (uint q = b; q < e; ++q) {
                    vec4 o = sorted[q];
                    vec2 d = me.xy - o.xy;
                    float d2 = d.x * d.x + d.y * d.y;
                    float r = me.z + o.z;
                    float cd = d2;
                    uint cr = floatBitsToUint(o.w);
                    if (cr == row || !(d2 < r * r)) continue;
                    ivec2 cf = fixed_push(d, d2, r);
                    for (int m = 0; m < CAP; ++m) {  // insertion by compare-and-swap
                        if (cd < kd[m] || (cd == kd[m] && cr < kr[m])) {
                            float td = kd[m]; kd[m] = cd; cd = td;
                            uint tr = kr[m]; kr[m] = cr; cr = tr;
                            ivec2 tf = kf[m]; kf[m] = cf; cf = tf;
                        }
                    }
                }
            }
        }
        if (sweep == 1 && n > uint(CAP)) {
            acc = ivec2(0);
            for (int m = 0; m < CAP; ++m) acc += kf[m];
        }
    }
    sep[row] = vec2(acc) * (u_strength / u_scale);
    kept[row] = min(n, uint(CAP));
}
