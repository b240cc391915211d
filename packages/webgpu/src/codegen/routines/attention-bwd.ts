// Attention's reverse mode as two routines (FlashAttention-2's backward, core's ops/attention-bwd.ts),
// neither of which stores an N×M array. With G the output cotangent, x_ij = s·q_i·k_j, L_i the row's
// log-sum-exp, P_ij = e^{x_ij − L_i}, δ_i = g_i·y_i and dS_ij = P_ij·(g_i·v_j − δ_i):
// - `attentionBwdQ`: one invocation per query row i walks the keys twice. The first walk is the
//   forward's online softmax (running max m, ℓ = Σe, f = Σe·v_j), giving L_i = m + log ℓ and
//   δ_i = g_i·f/ℓ; the second recomputes P_ij from L_i and adds dS_ij·k_j into dq. It writes the row
//   [s·dq, L_i, δ_i] ([batch, n, d + 2]).
// - `attentionBwdKV`: one invocation per key row j walks the queries once, recomputing P_ij from the
//   saved L_i, adding P_ij·g_i into dv and dS_ij·q_i into dk; it writes [s·dk, dv] ([batch, m, d + dv]).
// Inputs are q, k, v, g (and [L, δ] for the second) as [batch, rows, width]; with more inputs than the
// adapter binds they come packed.
import type { AttentionSpec } from "@scm-ts/core";
import { literal } from "../quirks.js";
import { bindingsOf, grid, needsPacking, WgslBuilder, type Binding, type DeviceLimits, type ShaderSpec } from "../shader.js";
import { linearWorkgroup } from "../kernel.js";

const WID = "@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32";

/** WGSL of `attentionBwdQ` or `attentionBwdKV`. */
export function attentionBwdShader(s: AttentionSpec, limits: DeviceLimits, key: string): ShaderSpec {
  if (s.dtype !== "float32") throw new TypeError(`WGSL ${s.name}: ${s.dtype} is not supported; use float32`);
  const byQuery = s.name === "attentionBwdQ";
  if (!byQuery && s.name !== "attentionBwdKV") throw new Error(`internal: attentionBwdShader got ${s.name}`);
  const arity = byQuery ? 4 : 5;
  const packed = needsPacking(arity, limits);
  const bindings: Binding[] = packed
    ? [{ name: "packed", dtype: "uint32", access: "read" }, { name: "out", dtype: "float32", access: "read_write" }]
    : bindingsOf(Array.from({ length: arity }, () => "float32" as const), "float32");
  // in0..in4 = q, k, v, g, [L, δ]
  const ld = (j: number, index: string): string => (packed ? `bitcast<f32>(packed[packedAt${j} + u32(${index})])` : `in${j}[${index}]`);
  // One workgroup row of the grid per head (z): the head, and so every address computed from it and
  // the loop counter (the other operand's rows), is the same for all invocations of a workgroup.
  const perHead = byQuery ? s.n : s.m;
  const wg = linearWorkgroup(limits, 64);
  const dispatch = perHead === 0 || s.batch === 0 ? ([0, 0, 0] as const) : grid(Math.ceil(perHead / wg), limits, s.batch);
  const b = new WgslBuilder(bindings);
  for (const [name, v] of Object.entries({ N: s.n, M: s.m, D: s.d, DV: s.dv })) b.decl(`const ${name} = ${v}i;`);
  // WGSL arrays need a positive size; a zero width never reaches the loops below.
  b.decl(`const DA = ${Math.max(1, s.d)};`).decl(`const DVA = ${Math.max(1, s.dv)};`);
  b.decl(`const SCALE = ${literal(s.scale, "float32", () => {})};`);
  if (packed) for (let j = 0; j < arity; j++) b.line(`let packedAt${j} = packed[${j}];`);
  b.line("let head = i32(wid.z);");
  b.line(`let r = i32((wid.y * ${dispatch[0]}u + wid.x) * ${wg}u + lid);`);
  b.line(`if (r >= ${perHead}i) { return; }`);
  b.line(`let row = head * ${perHead}i + r;`);
  if (byQuery) queryPass(b, ld);
  else keyPass(b, ld);
  const workgroupSize = [wg, 1, 1] as const;
  const cacheKey = `${key}|wg${wg}x${dispatch[0]}${packed ? "|packed" : ""}`;
  return { code: b.build(workgroupSize, WID), bindings, workgroupSize, dispatch, cacheKey, ...(packed ? { packedInputs: arity } : {}) };
}

type Load = (input: number, index: string) => string;

/** x = s·q·k_j with q in `qr` and k_j at kb (the logit), as WGSL lines. */
function logit(b: WgslBuilder, ld: Load, qr: string, kIn: number, kb: string): void {
  b.line("var x = 0.0f;");
  b.block("for (var p = 0i; p < D; p++)", () => b.line(`x += ${qr}[p] * ${ld(kIn, `${kb} + p`)};`));
  b.line("x *= SCALE;");
}

// Row i (`row`) of head `head`: online softmax over the keys for L and δ, then dq = Σ_j dS_ij·k_j.
function queryPass(b: WgslBuilder, ld: Load): void {
  b.line("var qr: array<f32, DA>;").line("var gr: array<f32, DVA>;").line("var f: array<f32, DVA>;").line("var dq: array<f32, DA>;");
  b.block("for (var p = 0i; p < D; p++)", () => b.line(`qr[p] = ${ld(0, "row * D + p")};`));
  b.block("for (var c = 0i; c < DV; c++)", () => b.line(`gr[c] = ${ld(3, "row * DV + c")};`));
  // The lowest finite f32: e^{m − m_new} is 0 at the first key, with no ∞ − ∞.
  b.line("var mx = -0x1.fffffep+127f;").line("var l = 0.0f;");
  b.block("for (var j = 0i; j < M; j++)", () => {
    logit(b, ld, "qr", 1, "(head * M + j) * D");
    b.line("let mNew = max(mx, x);").line("let alpha = exp(mx - mNew);").line("let e = exp(x - mNew);");
    b.line("mx = mNew;").line("l = l * alpha + e;").line("let vb = (head * M + j) * DV;");
    b.block("for (var c = 0i; c < DV; c++)", () => b.line(`f[c] = f[c] * alpha + e * ${ld(2, "vb + c")};`));
  });
  b.line("let lse = mx + log(l);").line("var delta = 0.0f;");
  b.block("for (var c = 0i; c < DV; c++)", () => b.line("delta += gr[c] * f[c];"));
  b.line("delta = delta / l;");
  b.block("for (var j = 0i; j < M; j++)", () => {
    b.line("let kb = (head * M + j) * D;");
    logit(b, ld, "qr", 1, "kb");
    b.line("let pr = exp(x - lse);").line("let vb = (head * M + j) * DV;").line("var dp = 0.0f;");
    b.block("for (var c = 0i; c < DV; c++)", () => b.line(`dp += gr[c] * ${ld(2, "vb + c")};`));
    b.line("let ds = pr * (dp - delta);");
    b.block("for (var p = 0i; p < D; p++)", () => b.line(`dq[p] += ds * ${ld(1, "kb + p")};`));
  });
  b.line("let ob = row * (D + 2i);");
  b.block("for (var p = 0i; p < D; p++)", () => b.line("out[ob + p] = SCALE * dq[p];"));
  b.line("out[ob + D] = lse;").line("out[ob + D + 1i] = delta;");
}

// Key row j of head `head`: one walk over the queries, P_ij from the saved L_i.
function keyPass(b: WgslBuilder, ld: Load): void {
  b.line("var kr: array<f32, DA>;").line("var vr: array<f32, DVA>;").line("var dk: array<f32, DA>;").line("var dv: array<f32, DVA>;");
  b.block("for (var p = 0i; p < D; p++)", () => b.line(`kr[p] = ${ld(1, "row * D + p")};`));
  b.block("for (var c = 0i; c < DV; c++)", () => b.line(`vr[c] = ${ld(2, "row * DV + c")};`));
  b.block("for (var i = 0i; i < N; i++)", () => {
    b.line("let qi = head * N + i;").line("let qb = qi * D;");
    logit(b, ld, "kr", 0, "qb");
    b.line(`let pr = exp(x - ${ld(4, "qi * 2i")});`).line("let gb = qi * DV;").line("var dp = 0.0f;");
    b.block("for (var c = 0i; c < DV; c++)", () => {
      b.line(`let gv = ${ld(3, "gb + c")};`).line("dp += gv * vr[c];").line("dv[c] += pr * gv;");
    });
    b.line(`let ds = pr * (dp - ${ld(4, "qi * 2i + 1i")});`);
    b.block("for (var p = 0i; p < D; p++)", () => b.line(`dk[p] += ds * ${ld(0, "qb + p")};`));
  });
  b.line("let ob = row * (D + DV);");
  b.block("for (var p = 0i; p < D; p++)", () => b.line("out[ob + p] = SCALE * dk[p];"));
  b.block("for (var c = 0i; c < DV; c++)", () => b.line("out[ob + D + c] = dv[c];"));
}
