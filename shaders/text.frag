#version 330
// Glyph coverage (an R8 texture) times the colour's alpha; uncovered texels are discarded.

uniform sampler2D u_glyphs;

in vec2 v_uv;
in vec4 v_color;

out vec4 f_color;

void main() {
    float a = texture(u_glyphs, v_uv).r * v_color.a;
    if (a < 0.004) {
        discard;
    }
    f_color = vec4(v_color.rgb, a);
}
