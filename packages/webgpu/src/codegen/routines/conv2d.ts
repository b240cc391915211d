// The three bilinear maps of a grouped, strided, zero-padded 2-D convolution (NCHW input, OIHW
// weights) as implicit GEMMs batched over groups g, with Cg = C/groups and Og = O/groups:
//   conv2d            y[n, gOg+o, i, j]   = Σ_{c,u,v} w[gOg+o, c, u, v] · x[n, gCg+c, s·i+u−p, s·j+v−p]
//                     M = Og, N = batch·OH·OW (n, i, j), K = Cg·KH·KW (c, u, v)
//   conv2dInputGrad   dx[n, gCg+c, y, x]  = Σ_{o,u,v} w[gOg+o, c, u, v] · ct[n, gOg+o, (y+p−u)/s, (x+p−v)/s]
//                     (only where the division is exact and in range)  M = Cg, N = batch·H·W, K = Og·KH·KW
//   conv2dWeightGrad  dw[gOg+o, c, u, v]  = Σ_{n,i,j} ct[n, gOg+o, i, j] · x[n, gCg+c, s·i+u−p, s·j+v−p]
//                     M = Og, N = Cg·KH·KW, K = batch·OH·OW
// The input-gradient gathers instead of scattering, so every output element is written once.
import type { ConvSpec } from "@scm-ts/core";
import { fromStorage, literal } from "../quirks.js";
import type { DeviceLimits, ShaderSpec } from "../shader.js";
import { gemmShader, type GemmTemplate } from "./gemm.js";

function constants(s: ConvSpec): string {
  const c: Record<string, number> = {
    NB: s.n, CIN: s.cin, H: s.h, W: s.w, COUT: s.cout, KH: s.kh, KW: s.kw, OH: s.oh, OW: s.ow,
    SH: s.stride[0], SW: s.stride[1], PH: s.padding[0], PW: s.padding[1], CG: s.cin / s.groups, OG: s.cout / s.groups,
  };
  return Object.entries(c).map(([k, v]) => `const ${k} = ${v}i;`).join("\n");
}

/** Loads x[n, ch, y, x] or 0 outside the image. */
const loadX = (s: ConvSpec): string => {
  const zero = literal(0, s.dtype, () => {});
  return [
    `fn xAt(n: i32, ch: i32, y: i32, x: i32) -> ${s.dtype === "float32" ? "f32" : s.dtype === "int32" ? "i32" : "u32"} {`,
    `  if (y < 0i || y >= H || x < 0i || x >= W) { return ${zero}; }`,
    `  return ${fromStorage(s.dtype, "in0[((n * CIN + ch) * H + y) * W + x]")};`,
    "}",
  ].join("\n");
};

function template(s: ConvSpec): GemmTemplate {
  const base = { dtype: s.dtype, inputs: [s.dtype, s.dtype], batch: s.groups };
  const cg = s.cin / s.groups, og = s.cout / s.groups, khw = s.kh * s.kw;
  switch (s.name) {
    case "conv2d":
      // in0 = x, in1 = w; col = (n, i, j), kk = (c, u, v)
      return {
        ...base,
        m: og,
        n: s.n * s.oh * s.ow,
        k: cg * khw,
        decls: [constants(s), loadX(s)],
        loadA: (g, o, r) => fromStorage(s.dtype, `in1[(${g} * OG + ${o}) * K + ${r}]`),
        loadB: (g, r, col) =>
          `xAt(${col} / (OH * OW), ${g} * CG + ${r} / (KH * KW), SH * ((${col} / OW) % OH) + (${r} / KW) % KH - PH, SW * (${col} % OW) + ${r} % KW - PW)`,
        outIndex: (g, o, col) => `((${col} / (OH * OW)) * COUT + ${g} * OG + ${o}) * (OH * OW) + ${col} % (OH * OW)`,
      };
    case "conv2dInputGrad":
      // in0 = ct [n, O, OH, OW], in1 = w; row = c, col = (n, y, x), kk = (o, u, v)
      return {
        ...base,
        m: cg,
        n: s.n * s.h * s.w,
        k: og * khw,
        decls: [
          constants(s),
          [
            `fn ctAt(n: i32, ch: i32, ty: i32, tx: i32) -> ${s.dtype === "float32" ? "f32" : s.dtype === "int32" ? "i32" : "u32"} {`,
            "  if (ty < 0i || tx < 0i || ty % SH != 0i || tx % SW != 0i || ty / SH >= OH || tx / SW >= OW) {",
            `    return ${literal(0, s.dtype, () => {})};`,
            "  }",
            `  return ${fromStorage(s.dtype, "in0[((n * COUT + ch) * OH + ty / SH) * OW + tx / SW]")};`,
            "}",
          ].join("\n"),
        ],
        loadA: (g, c, r) => fromStorage(s.dtype, `in1[((${g} * OG + ${r} / (KH * KW)) * CG + ${c}) * (KH * KW) + ${r} % (KH * KW)]`),
        loadB: (g, r, col) =>
          `ctAt(${col} / (H * W), ${g} * OG + ${r} / (KH * KW), (${col} / W) % H + PH - (${r} / KW) % KH, ${col} % W + PW - ${r} % KW)`,
        outIndex: (g, c, col) => `((${col} / (H * W)) * CIN + ${g} * CG + ${c}) * (H * W) + ${col} % (H * W)`,
      };
    case "conv2dWeightGrad":
      // in0 = x, in1 = ct; row = o, col = (c, u, v), kk = (n, i, j)
      return {
        ...base,
        m: og,
        n: cg * khw,
        k: s.n * s.oh * s.ow,
        decls: [constants(s), loadX(s)],
        loadA: (g, o, r) => fromStorage(s.dtype, `in1[((${r} / (OH * OW)) * COUT + ${g} * OG + ${o}) * (OH * OW) + ${r} % (OH * OW)]`),
        loadB: (g, r, col) =>
          `xAt(${r} / (OH * OW), ${g} * CG + ${col} / (KH * KW), SH * ((${r} / OW) % OH) + (${col} / KW) % KH - PH, SW * (${r} % OW) + ${col} % KW - PW)`,
        outIndex: (g, o, col) => `(${g} * OG + ${o}) * N + ${col}`,
      };
  }
}

/** WGSL of one of the convolution routines. */
export function convShader(s: ConvSpec, limits: DeviceLimits, key: string): ShaderSpec {
  if (s.dtype === "bool" || s.dtype === "float64") throw new TypeError(`WGSL ${s.name}: ${s.dtype} is not supported; use float32`);
  return gemmShader(template(s), limits, key);
}
