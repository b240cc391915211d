// Attention and its tangent as one online-softmax pass per query row (FlashAttention's recursion, with
// the JVP accumulators of sCM App. F, docs/guide/math.md, "Network changes"): one invocation owns row i of head b and walks
// the M keys once, never storing the logits. With x_j = s·q·k_j, t_j = s·(t_q·k_j + q·t_k_j) and the
// running max m, each key rescales every accumulator by α = e^{m_old − m_new} and adds, with
// e = e^{x_j − m_new}: ℓ += e, f += e·v_j and, for the tangent, μ += e·t_j, g += e·t_j·v_j,
// f_t += e·t_v_j. Then y = f/ℓ and t_y = g/ℓ − (μ/ℓ)·y + f_t/ℓ. Inputs are q, k, v (and t_q, t_k,
// t_v) as [batch, rows, width]; with more inputs than the adapter binds they come packed.
// `attentionJvp` writes both, y then t_y ([2, batch, rows, dv]).
import type { AttentionSpec } from "@scm-ts/core";
import { literal } from "../quirks.js";
import { bindingsOf, grid, needsPacking, WgslBuilder, type Binding, type DeviceLimits, type ShaderSpec } from "../shader.js";
import { linearWorkgroup } from "../kernel.js";

const WID = "@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32";

/** WGSL of `attention`, `attentionTangent` or `attentionJvp`. */
export function attentionShader(s: AttentionSpec, limits: DeviceLimits, key: string): ShaderSpec {
  if (s.dtype !== "float32") throw new TypeError(`WGSL ${s.name}: ${s.dtype} is not supported; use float32`);
  const tangent = s.name !== "attention";
  const arity = tangent ? 6 : 3;
  const packed = needsPacking(arity, limits);
  const bindings: Binding[] = packed
    ? [{ name: "packed", dtype: "uint32", access: "read" }, { name: "out", dtype: "float32", access: "read_write" }]
    : bindingsOf(Array.from({ length: arity }, () => "float32" as const), "float32");
  // in0..in5 = q, k, v, t_q, t_k, t_v
  const ld = (j: number, index: string): string => (packed ? `bitcast<f32>(packed[packedAt${j} + u32(${index})])` : `in${j}[${index}]`);
  const rows = s.batch * s.n;
  const wg = linearWorkgroup(limits, 64);
  const dispatch = rows === 0 || s.dv === 0 ? ([0, 0, 0] as const) : grid(Math.ceil(rows / wg), limits);
  const b = new WgslBuilder(bindings);
  // WGSL arrays need a positive size; a zero width never reaches the loops below.
  const consts = { N: s.n, M: s.m, D: s.d, DV: s.dv };
  for (const [name, v] of Object.entries(consts)) b.decl(`const ${name} = ${v}i;`);
  b.decl(`const DA = ${Math.max(1, s.d)};`).decl(`const DVA = ${Math.max(1, s.dv)};`);
  b.decl(`const SCALE = ${literal(s.scale, "float32", () => {})};`);
  if (packed) for (let j = 0; j < arity; j++) b.line(`let packedAt${j} = packed[${j}];`);
  b.line(`let row = i32((wid.y * ${dispatch[0]}u + wid.x) * ${wg}u + lid);`);
  b.line(`if (row >= ${rows}i) { return; }`);
  b.line("let head = row / N;");
  b.line("var qr: array<f32, DA>;");
  if (tangent) b.line("var tqr: array<f32, DA>;");
  b.block("for (var p = 0i; p < D; p++)", () => {
    b.line(`qr[p] = ${ld(0, "row * D + p")};`);
    if (tangent) b.line(`tqr[p] = ${ld(3, "row * D + p")};`);
  });
  // The lowest finite f32: e^{m − m_new} is 0 at the first key, with no ∞ − ∞.
  b.line("var mx = -0x1.fffffep+127f;").line("var l = 0.0f;").line("var f: array<f32, DVA>;");
  if (tangent) b.line("var mu = 0.0f;").line("var g: array<f32, DVA>;").line("var ft: array<f32, DVA>;");
  b.block("for (var j = 0i; j < M; j++)", () => {
    b.line("let kb = (head * M + j) * D;").line("var x = 0.0f;");
    if (tangent) b.line("var tx = 0.0f;");
    b.block("for (var p = 0i; p < D; p++)", () => {
      b.line(`let kv = ${ld(1, "kb + p")};`).line("x += qr[p] * kv;");
      if (tangent) b.line(`tx += tqr[p] * kv + qr[p] * ${ld(4, "kb + p")};`);
    });
    b.line("x *= SCALE;");
    if (tangent) b.line("tx *= SCALE;");
    b.line("let mNew = max(mx, x);").line("let alpha = exp(mx - mNew);").line("let e = exp(x - mNew);");
    b.line("mx = mNew;").line("l = l * alpha + e;");
    if (tangent) b.line("mu = mu * alpha + e * tx;");
    b.line("let vb = (head * M + j) * DV;");
    b.block("for (var c = 0i; c < DV; c++)", () => {
      b.line(`let vv = ${ld(2, "vb + c")};`).line("f[c] = f[c] * alpha + e * vv;");
      if (tangent) b.line("g[c] = g[c] * alpha + e * tx * vv;").line(`ft[c] = ft[c] * alpha + e * ${ld(5, "vb + c")};`);
    });
  });
  b.line("let inv = 1.0f / l;");
  b.block("for (var c = 0i; c < DV; c++)", () => {
    if (!tangent) b.line("out[row * DV + c] = f[c] * inv;");
    else b.line("let y = f[c] * inv;").line(`out[${s.name === "attentionJvp" ? `${rows * s.dv}i + ` : ""}row * DV + c] = g[c] * inv - mu * inv * y + ft[c] * inv;`);
    if (s.name === "attentionJvp") b.line("out[row * DV + c] = y;");
  });
  const workgroupSize = [wg, 1, 1] as const;
  const cacheKey = `${key}|wg${wg}x${dispatch[0]}${packed ? "|packed" : ""}`;
  return { code: b.build(workgroupSize, WID), bindings, workgroupSize, dispatch, cacheKey, ...(packed ? { packedInputs: arity } : {}) };
}
