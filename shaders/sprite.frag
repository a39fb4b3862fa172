#version 330
// Straight-alpha sprite: texel times tint; fully transparent texels are discarded.

uniform sampler2D u_atlas;

in vec2 v_uv;
in vec4 v_tint;

out vec4 f_color;

void main() {
    vec4 color = texture(u_atlas, v_uv) * v_tint;
    if (color.a < 0.004) {
        discard;
    }
    f_color = color;
}
