#version 330
// Instanced glyph quad (engine/render/text.py): one instance = one glyph. The quad's corners come
// from gl_VertexID (a triangle strip of 4 vertices), so no per-vertex buffer is bound.

in vec2 a_origin;  // the slot's anchor point (screen pixels y down, or world units y up)
in vec4 a_quad;    // x, y, w, h of the glyph from the origin (h < 0 in world space: y up)
in vec4 a_uv;      // u0, v0 (the bitmap's top-left), u1, v1 (its bottom-right)
in vec4 a_color;

uniform mat4 u_proj;  // pixels or world -> clip

out vec2 v_uv;
out vec4 v_color;

void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
    vec2 p = a_origin + a_quad.xy + corner * a_quad.zw;
    gl_Position = u_proj * vec4(p, 0.0, 1.0);
    // corner (0, 0) is the glyph's top-left in both spaces: the bitmap's top-left texel.
    v_uv = mix(a_uv.xy, a_uv.zw, corner);
    v_color = a_color;
}
