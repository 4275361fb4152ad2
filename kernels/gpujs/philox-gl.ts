// Perturbations generated on the GPU: element i of the standard-normal stream (seed, stream) of
// kernels/rng.ts — the same Philox-4x32-10 words and the same Box–Muller pairing — computed by a
// WebGL2 fragment shader, one Philox block (four normals) per texel, in float32, read back: a
// standalone generator on a page's WebGL2 context. Its GLSL (PHILOX_GLSL) is also what
// kernels/gpujs/direction.ts pastes into gpu.js, where training makes v in a texture; test/browser/
// compares both with the CPU stream in Chromium.
// GLSL ES 3.00 has 32-bit uint arithmetic (wrapping) but no umulExtended, so the high word of a
// 32×32 product is assembled from 16-bit partial products, as in kernels/rng.ts's mulhi.

/** The slice of WebGL2RenderingContext used here (kernels/ compiles without DOM types). */
/* eslint-disable @typescript-eslint/no-explicit-any */
type GL = any;

const VERTEX = `#version 300 es
in vec2 p;
void main() { gl_Position = vec4(p, 0.0, 1.0); }`;

/** GLSL ES 3.00 helpers (fg_-prefixed: they are pasted into gpu.js's shaders too): the Philox block and the float32 Box–Muller pieces (also direction.ts's source). */
export const PHILOX_GLSL = `uint fg_mulhi(uint a, uint b) {
  uint aL = a & 0xffffu, aH = a >> 16, bL = b & 0xffffu, bH = b >> 16;
  uint p0 = aL * bL, p1 = aH * bL, p2 = aL * bH, p3 = aH * bH;
  uint mid = (p0 >> 16) + (p1 & 0xffffu) + (p2 & 0xffffu);
  return p3 + (p1 >> 16) + (p2 >> 16) + (mid >> 16);
}
// fg_ln x for x > 0 to float32 accuracy: the precision of GLSL's log is implementation-defined (we do
// not rely on it), so split x = m·2^e from its bits and sum atanh's series for ln m, m in [1, 2).
float fg_ln(float x) {
  uint bits = floatBitsToUint(x);
  float e = float(int(bits >> 23) - 127);
  float m = uintBitsToFloat((bits & 0x7fffffu) | 0x3f800000u);
  float t = (m - 1.0) / (m + 1.0), t2 = t * t;
  float series = t * (2.0 + t2 * (0.6666666666666666 + t2 * (0.4 + t2 * (0.2857142857142857 + t2 * (0.2222222222222222 + t2 * (0.18181818181818182 + t2 * 0.15384615384615385))))));
  return e * 0.6931471805599453 + series;
}
float fg_unit(uint w) { return (float(w) + 0.5) * 2.3283064365386963e-10; }
// -log(u(w)). Near u = 1 the float u rounds to 1 (a word within 2^8 of 2^32), which would zero r:
// there 1 − u = (d + 0.5)·2^-32 with d = 2^32 − 1 − w is exact, and −log(1 − x) = x + x²/2 + x³/3 + x⁴/4.
float fg_nlog(uint w) {
  float x = (float(0xffffffffu - w) + 0.5) * 2.3283064365386963e-10;
  if (x < 1e-3) return x + x * x * (0.5 + x * (0.3333333333333333 + x * 0.25));
  return -fg_ln(fg_unit(w));
}
// (cos 2πu, sin 2πu) to float32 accuracy (GLSL's cos/sin may be coarse: with SwiftShader's the
// normals were off by up to 7.6e-4, measured): 4u splits exactly into a quadrant k and f in [0, 1); θ = (k + ½)·π/2 + a, |a| ≤ π/4, with
// Taylor polynomials for cos a and sin a (next terms below 1e-9) and one exact rotation.
vec2 fg_cosSin(float u) {
  float q = 4.0 * u, k = floor(q), a = (q - k - 0.5) * 1.5707963267948966, a2 = a * a;
  float s = a * (1.0 - a2 / 6.0 * (1.0 - a2 / 20.0 * (1.0 - a2 / 42.0 * (1.0 - a2 / 72.0 * (1.0 - a2 / 110.0)))));
  float c = 1.0 - a2 / 2.0 * (1.0 - a2 / 12.0 * (1.0 - a2 / 30.0 * (1.0 - a2 / 56.0 * (1.0 - a2 / 90.0))));
  float h = 0.7071067811865476; // cos and sin of (k + ½)·π/2 are ±h
  float cp = (k == 1.0 || k == 2.0) ? -h : h, sp = k >= 2.0 ? -h : h;
  return vec2(cp * c - sp * s, sp * c + cp * s);
}
// The Philox-4x32-10 block of counter (c0, c1, c2, c3) under key (k0, k1), as kernels/rng.ts computes it.
uvec4 fg_philox10(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1) {
  for (int r = 0; r < 10; r++) {
    uint hi0 = fg_mulhi(c0, 0xD2511F53u), lo0 = c0 * 0xD2511F53u;
    uint hi1 = fg_mulhi(c2, 0xCD9E8D57u), lo1 = c2 * 0xCD9E8D57u;
    c0 = hi1 ^ c1 ^ k0; c1 = lo1; c2 = hi0 ^ c3 ^ k1; c3 = lo0;
    k0 += 0x9E3779B9u; k1 += 0xBB67AE85u;
  }
  return uvec4(c0, c1, c2, c3);
}
`;

const FRAGMENT = `#version 300 es
precision highp float;
precision highp int;
uniform uvec2 key;     // seed lo, hi
uniform uvec2 sid;     // stream lo, hi
uniform uvec2 base;    // first block lo, hi
uniform uint width;
out vec4 z;
${PHILOX_GLSL}
void main() {
  uint idx = uint(gl_FragCoord.y) * width + uint(gl_FragCoord.x);
  uint c0 = base.x + idx;
  uvec4 w = fg_philox10(c0, base.y + (c0 < base.x ? 1u : 0u), sid.x, sid.y, key.x, key.y);
  float r0 = sqrt(2.0 * fg_nlog(w.x)), r1 = sqrt(2.0 * fg_nlog(w.z));
  z = vec4(r0 * fg_cosSin(fg_unit(w.y)), r1 * fg_cosSin(fg_unit(w.w)));
}`;

const TWO32 = 4294967296;
/** Texels per row of the render target (blocks per row). */
const WIDTH = 1024;

export interface GlNormals {
  /** out[j] = element offset + j of the normal stream (seed, stream), computed on the GPU. */
  fill(out: Float32Array, seed: number, stream?: number, offset?: number): Float32Array;
  destroy(): void;
}

function compile(gl: GL, type: number, source: string, what: string): unknown {
  const s = gl.createShader(type);
  gl.shaderSource(s, source);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS))
    throw new Error(`philox-gl: the ${what} shader does not compile: ${gl.getShaderInfoLog(s)}`);
  return s;
}

/** Builds the generator on a WebGL2 context; throws naming what the context lacks. */
export function createGlNormals(gl: GL): GlNormals {
  if (!gl || typeof gl.texStorage2D !== 'function') throw new Error('philox-gl: needs a WebGL2 context');
  if (!gl.getExtension('EXT_color_buffer_float'))
    throw new Error('philox-gl: this WebGL2 context cannot render to float textures (EXT_color_buffer_float)');
  const program = gl.createProgram();
  gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, VERTEX, 'vertex'));
  gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, FRAGMENT, 'fragment'));
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS))
    throw new Error(`philox-gl: link failed: ${gl.getProgramInfoLog(program)}`);
  const quad = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, quad);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 3, -1, -1, 3]), gl.STATIC_DRAW);
  const at = (name: string) => gl.getUniformLocation(program, name);
  const u = { key: at('key'), sid: at('sid'), base: at('base'), width: at('width') };
  const split = (v: number) => [v % TWO32, Math.floor(v / TWO32)];

  return {
    fill(out, seed, stream = 0, offset = 0) {
      for (const [name, v] of [
        ['seed', seed],
        ['stream', stream],
        ['offset', offset],
      ] as const) {
        if (!Number.isSafeInteger(v) || v < 0)
          throw new RangeError(`philox-gl: ${name} must be a non-negative safe integer, got ${v}`);
      }
      if (out.length === 0) return out;
      const b0 = Math.floor(offset / 4),
        blocks = Math.floor((offset + out.length - 1) / 4) - b0 + 1;
      const rows = Math.ceil(blocks / WIDTH);
      const tex = gl.createTexture();
      gl.bindTexture(gl.TEXTURE_2D, tex);
      gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA32F, WIDTH, rows);
      const fb = gl.createFramebuffer();
      gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex, 0);
      try {
        gl.viewport(0, 0, WIDTH, rows);
        gl.useProgram(program);
        gl.uniform2ui(u.key, ...split(seed));
        gl.uniform2ui(u.sid, ...split(stream));
        gl.uniform2ui(u.base, ...split(b0));
        gl.uniform1ui(u.width, WIDTH);
        gl.bindBuffer(gl.ARRAY_BUFFER, quad);
        const loc = gl.getAttribLocation(program, 'p');
        gl.enableVertexAttribArray(loc);
        gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 0, 0);
        gl.drawArrays(gl.TRIANGLES, 0, 3);
        const all = new Float32Array(WIDTH * rows * 4);
        gl.readPixels(0, 0, WIDTH, rows, gl.RGBA, gl.FLOAT, all);
        out.set(all.subarray(offset - 4 * b0, offset - 4 * b0 + out.length));
        return out;
      } finally {
        gl.bindFramebuffer(gl.FRAMEBUFFER, null);
        gl.deleteFramebuffer(fb);
        gl.deleteTexture(tex);
      }
    },
    destroy() {
      gl.deleteProgram(program);
      gl.deleteBuffer(quad);
    },
  };
}
