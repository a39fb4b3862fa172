#version 330
// Instanced particle (engine/render/particles.py): same instance layout as sprite.vert, no
// rotation. The tint's alpha carries the fade (life / max_life), computed on the CPU.

in vec2 a_pos;
in vec2 a_size;
in float a_frame;
in vec4 a_tint;

uniform mat4 u_proj;
uniform vec4 u_frames[128];
uniform int u_frame_count;

out vec2 v_uv;
out vec4 v_tint;

void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
    vec2 world = a_pos + (corner - 0.5) * a_size;
    gl_Position = u_proj * vec4(world, 0.0, 1.0);
    int frame = int(max(a_frame, 0.0)) % max(u_frame_count, 1);
    vec4 r = u_frames[frame];
    v_uv = vec2(mix(r.x, r.z, corner.x), mix(r.w, r.y, corner.y));
    v_tint = a_tint;
}
