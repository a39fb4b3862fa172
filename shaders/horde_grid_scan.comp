#version 430
// Counting sort, pass 2: exclusive prefix sum of the cell counts into start[0..cells], in ONE
// workgroup: each of the 1024 invocations sums a contiguous chunk of cells, the 1024 partial
// sums are scanned in shared memory (Hillis-Steele, 10 steps), then each chunk is written.
// The grid has far fewer cells than the horde has enemies (tens of thousands), so one dispatch
// with no intermediate buffers beats a multi-pass scan. The counts are zeroed on the way, ready
// for the next tick's pass 1.
layout(local_size_x = 1024) in;
layout(std430, binding = 7) buffer Count { uint count[]; };
layout(std430, binding = 8) writeonly buffer Start { uint start[]; };

uniform uint u_cells;
shared uint s_sum[1024];

void main() {
    uint t = gl_LocalInvocationID.x;
    uint chunk = (u_cells + 1023u) / 1024u;
    uint b = min(t * chunk, u_cells);
    uint e = min(b + chunk, u_cells);
    uint sum = 0u;
    for (uint c = b; c < e; ++c) sum += count[c];
    s_sum[t] = sum;
    barrier();
    for (uint off = 1u; off < 1024u; off <<= 1) {
        uint add = t >= off ? s_sum[t - off] : 0u;
        barrier();
        s_sum[t] += add;
        barrier();
    }
    uint run = s_sum[t] - sum;
    for (uint c = b; c < e; ++c) {
        uint k = count[c];
        start[c] = run;
        run += k;
        count[c] = 0u;
    }
    if (t == 1023u) start[u_cells] = s_sum[1023];
}
