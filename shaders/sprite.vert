#version 330
// Instanced sprite (engine/render/batch.py): one instance = one sprite. The quad's corners come
// from gl_VertexID (a triangle strip of 4 vertices), so no per-vertex buffer is bound.

in vec2 a_pos;    // world position of the sprite's center
in vec2 a_size;   // world width, height (a negative width mirrors the sprite)
in float a_rot;   // radians, counter-clockwise
in float a_frame; // index into u_frames, wrapped modulo u_frame_count
in vec4 a_tint;   // multiplies the texel

uniform mat4 u_proj;          // world -> clip (Camera2D.matrix)
uniform vec4 u_frames[128];   // uv rect per frame: (u_left, v_top, u_right, v_bottom)
uniform int u_frame_count;

out vec2 v_uv;
out vec4 v_tint;

void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
    vec2 local = (corner - 0.5) * a_size;
    float c = cos(a_rot);
    float s = sin(a_rot);
    vec2 world = a_pos + vec2(c * local.x - s * local.y, s * local.x + c * local.y);
    gl_Position = u_proj * vec4(world, 0.0, 1.0);
    int frame = int(max(a_frame, 0.0)) % max(u_frame_count, 1);
    vec4 r = u_frames[frame];
    // corner.y == 0 is the sprite's bottom: the image's bottom row is v_bottom.
    v_uv = vec2(mix(r.x, r.z, corner.x), mix(r.w, r.y, corner.y));
    v_tint = a_tint;
}
