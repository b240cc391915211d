// Standardisation of rows (the core of group and layer norm, ops/standardize.ts) with one workgroup
// per row: the invocations stride over the row, tree-reduce in workgroup memory the sum (μ), then the
// sum of squared deviations (r = 1/√(var + ε), two passes over the row for accuracy), and write
// y = (x − μ)·r. The tangent also reduces mean(t) and mean(y ⊙ t) (together, in a second array) and
// writes t_y = r·(t − mean(t) − y·mean(y ⊙ t)); `standardizeJvp` writes y and then t_y ([2, rows, len]).
// Workgroup ids are uniform, so the barriers are too.
import type { StandardizeSpec } from "@scm-ts/core";
import { literal } from "../quirks.js";
import { bindingsOf, grid, WgslBuilder, type DeviceLimits, type ShaderSpec } from "../shader.js";
import { linearWorkgroup } from "../kernel.js";

const WID = "@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32";

/** WGSL of `standardize`, `standardizeTangent` or `standardizeJvp`. */
export function standardizeShader(s: StandardizeSpec, limits: DeviceLimits, key: string): ShaderSpec {
  if (s.dtype !== "float32") throw new TypeError(`WGSL ${s.name}: ${s.dtype} is not supported; use float32`);
  const tangent = s.name !== "standardize";
  const bindings = bindingsOf(tangent ? ["float32", "float32"] : ["float32"], "float32");
  // Short rows waste fewer idle invocations with a smaller workgroup.
  const wg = linearWorkgroup(limits, s.len >= 256 ? 256 : 64);
  const dispatch = s.rows === 0 ? ([0, 0, 0] as const) : grid(s.rows, limits);
  const b = new WgslBuilder(bindings);
  b.decl(`const L = ${s.len}i;`).decl(`const WG = ${wg}u;`).decl(`const EPS = ${literal(s.eps, "float32", () => {})};`);
  b.decl("var<workgroup> red: array<f32, WG>;");
  if (tangent) b.decl("var<workgroup> red2: array<f32, WG>;");
  const reduce = (arrays: string[]): void => {
    b.line("workgroupBarrier();");
    b.block("for (var st = WG / 2u; st > 0u; st = st / 2u)", () => {
      b.block("if (lid < st)", () => arrays.forEach((a) => b.line(`${a}[lid] += ${a}[lid + st];`)));
      b.line("workgroupBarrier();");
    });
  };
  b.line(`let row = i32(wid.y * ${dispatch[0]}u + wid.x);`);
  b.line(`if (row >= ${s.rows}i) { return; }`);
  b.line("let base = row * L;").line("var s = 0.0f;");
  b.block("for (var i = i32(lid); i < L; i += i32(WG))", () => b.line("s += in0[base + i];"));
  b.line("red[lid] = s;");
  reduce(["red"]);
  b.line("let mu = red[0] / f32(L);").line("workgroupBarrier();").line("s = 0.0f;");
  b.block("for (var i = i32(lid); i < L; i += i32(WG))", () => b.line("let d = in0[base + i] - mu;").line("s += d * d;"));
  b.line("red[lid] = s;");
  reduce(["red"]);
  b.line("let r = inverseSqrt(red[0] / f32(L) + EPS);");
  if (!tangent) {
    b.block("for (var i = i32(lid); i < L; i += i32(WG))", () => b.line("out[base + i] = (in0[base + i] - mu) * r;"));
  } else {
    b.line("workgroupBarrier();").line("var st1 = 0.0f;").line("var st2 = 0.0f;");
    b.block("for (var i = i32(lid); i < L; i += i32(WG))", () => b.line("let t = in1[base + i];").line("st1 += t;").line("st2 += (in0[base + i] - mu) * r * t;"));
    b.line("red[lid] = st1;").line("red2[lid] = st2;");
    reduce(["red", "red2"]);
    b.line("let mt = red[0] / f32(L);").line("let myt = red2[0] / f32(L);");
    const both = s.name === "standardizeJvp";
    b.block("for (var i = i32(lid); i < L; i += i32(WG))", () => {
      if (both) b.line("out[base + i] = (in0[base + i] - mu) * r;");
      b.line(`out[${both ? `${s.rows * s.len}i + ` : ""}base + i] = r * (in1[base + i] - mt - (in0[base + i] - mu) * r * myt);`);
    });
  }
  const workgroupSize = [wg, 1, 1] as const;
  return { code: b.build(workgroupSize, WID), bindings, workgroupSize, dispatch, cacheKey: `${key}|wg${wg}x${dispatch[0]}` };
}
