// The register-tiled GEMM template shared by matmul and the three convolutions (implicit GEMM):
// C[b] (M×N) = A[b] (M×K) · B[b] (K×N), where the routine supplies WGSL loaders for A and B and
// the output index, so convolutions never materialise im2col. A workgroup of TX×TY invocations
// computes a BM×BN block (each invocation a TM×TN register tile, rows ty + i·TY and columns
// tx + j·TX so stores are coalesced). On GPUs BK-deep slices of A and B are staged in workgroup
// memory; on CPU implementations (llvmpipe), where workgroup memory and barriers cost more than
// they save, each invocation reads its rows and columns straight from storage. Loaders are only
// called in bounds; out-of-range tile entries are zero (staged) or clamped and never stored (direct).
import type { DType } from "@scm-ts/core";
import { literal, storageType, valueType } from "../quirks.js";
import { bindingsOf, checkBindings, grid, WgslBuilder, type DeviceLimits, type ShaderSpec } from "../shader.js";

/** What a routine supplies to the template. Loader arguments are WGSL i32 expressions. */
export interface GemmTemplate {
  readonly dtype: DType;
  readonly inputs: readonly DType[];
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** A[b][row][kk] as a WGSL expression of the element (reads in0/in1…). */
  readonly loadA: (b: string, row: string, kk: string) => string;
  /** B[b][kk][col]. */
  readonly loadB: (b: string, kk: string, col: string) => string;
  /** The flat output index of C[b][row][col]. */
  readonly outIndex: (b: string, row: string, col: string) => string;
  /** Module-scope WGSL the loaders use (constants, functions). */
  readonly decls?: readonly string[];
}

/** Tile shape of a GEMM. */
export interface GemmTiling {
  /** Threads along a workgroup's columns (workgroup size x). */
  readonly tx: number;
  /** Threads along a workgroup's rows (workgroup size y). */
  readonly ty: number;
  /** Output rows per thread (register tile height); a workgroup covers ty·tm rows of C. */
  readonly tm: number;
  /** Output columns per thread (register tile width); a workgroup covers tx·tn columns of C. */
  readonly tn: number;
  /** Depth of one K step staged in workgroup memory: the A tile is (ty·tm)×bk, the B tile bk×(tx·tn). */
  readonly bk: number;
  /** Stage A and B tiles in workgroup memory (GPUs) or read them from storage (CPU adapters). */
  readonly staged: boolean;
}

/** Picks the tiling from the problem size and the adapter's limits. */
export function gemmTiling(t: Pick<GemmTemplate, "m" | "n">, limits: DeviceLimits): GemmTiling {
  const big = limits.maxComputeInvocationsPerWorkgroup >= 256 && limits.maxComputeWorkgroupSizeY >= 16;
  const tx = 16, ty = big ? 16 : 8;
  const staged = !limits.cpuAdapter;
  // Thin problems (matrix-vector, few output channels) waste less with one row per invocation;
  // large ones on GPUs take 8×8 register tiles (128×128 blocks), which halve the shared-memory reads per FMA.
  const per = (size: number, threads: number): number => (size <= threads ? 1 : size <= 2 * threads ? 2 : staged && size > 4 * threads ? 8 : 4);
  const tm = per(t.m, ty), tn = per(t.n, tx);
  const bk = tm === 8 || tn === 8 ? 8 : 16;
  const bytes = (ty * tm + tx * tn) * bk * 4;
  if (staged && bytes > limits.maxComputeWorkgroupStorageSize) throw new Error(`GEMM tiling needs ${bytes} bytes of workgroup memory; the adapter allows ${limits.maxComputeWorkgroupStorageSize}`);
  return { tx, ty, tm, tn, bk, staged };
}

/** WGSL of a GEMM described by a template. */
export function gemmShader(t: GemmTemplate, limits: DeviceLimits, key: string): ShaderSpec {
  const bindings = bindingsOf(t.inputs, t.dtype);
  checkBindings("a GEMM routine", bindings, limits);
  if (t.dtype === "bool") throw new TypeError("WGSL GEMM: bool products are not supported; cast to float32");
  storageType(t.dtype);
  const T = valueType(t.dtype);
  const tiling = gemmTiling(t, limits);
  const { tx, ty, tm, tn, bk } = tiling;
  const bm = ty * tm, bn = tx * tn;
  const zero = literal(0, t.dtype, () => {});
  const b = new WgslBuilder(bindings);
  b.decl(`const M = ${t.m}i;\nconst N = ${t.n}i;\nconst K = ${t.k}i;`);
  for (const d of t.decls ?? []) b.decl(d);
  b.decl(`fn loadA(b: i32, row: i32, kk: i32) -> ${T} { return ${t.loadA("b", "row", "kk")}; }`);
  b.decl(`fn loadB(b: i32, kk: i32, col: i32) -> ${T} { return ${t.loadB("b", "kk", "col")}; }`);
  b.line("let b = i32(wid.z);");
  b.line(`let row0 = i32(wid.y) * ${bm}i;`);
  b.line(`let col0 = i32(wid.x) * ${bn}i;`);
  b.line("let tx = i32(lid.x);");
  b.line("let ty = i32(lid.y);");
  for (let i = 0; i < tm * tn; i++) b.line(`var acc${i}: ${T} = ${zero};`);
  if (tiling.staged) stagedLoop(b, tiling, T, zero);
  else directLoop(b, tiling);
  for (let i = 0; i < tm; i++) {
    for (let j = 0; j < tn; j++) {
      b.block(`if (row0 + ty + ${i * ty}i < M && col0 + tx + ${j * tx}i < N)`, () => {
        b.line(`out[${t.outIndex("b", `(row0 + ty + ${i * ty}i)`, `(col0 + tx + ${j * tx}i)`)}] = acc${i * tn + j};`);
      });
    }
  }
  const workgroupSize = [tx, ty, 1] as const;
  const [gx, gy] = [Math.ceil(t.n / bn), Math.ceil(t.m / bm)];
  if (gx > limits.maxComputeWorkgroupsPerDimension || gy > limits.maxComputeWorkgroupsPerDimension) {
    throw new Error(`GEMM ${t.m}×${t.k}·${t.k}×${t.n} needs a ${gx}×${gy} grid, beyond the adapter's ${limits.maxComputeWorkgroupsPerDimension} per dimension`);
  }
  const dispatch: [number, number, number] = t.m * t.n * t.batch === 0 ? [0, 0, 0] : [gx, gy, grid(1, limits, t.batch)[2]];
  const code = b.build(workgroupSize, "@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>");
  return { code, bindings, workgroupSize, dispatch, cacheKey: `${key}|gemm${tx}x${ty}/${tm}x${tn}/${tiling.staged ? bk : "direct"}` };
}

/** The K loop over BK-deep tiles staged in workgroup memory. */
function stagedLoop(b: WgslBuilder, { tx, ty, tm, tn, bk }: GemmTiling, T: string, zero: string): void {
  const bm = ty * tm, bn = tx * tn, threads = tx * ty;
  b.decl(`var<workgroup> tileA: array<${T}, ${bk * bm}>;\nvar<workgroup> tileB: array<${T}, ${bk * bn}>;`);
  b.line(`let t = ty * ${tx}i + tx;`);
  b.block(`for (var k0: i32 = 0i; k0 < K; k0 += ${bk}i)`, () => {
    // A is read along K (consecutive invocations read consecutive kk), B along N.
    b.block(`for (var e: i32 = t; e < ${bk * bm}i; e += ${threads}i)`, () => {
      b.line(`let r = e / ${bk}i;`);
      b.line(`let kk = e % ${bk}i;`);
      b.line(`var v: ${T} = ${zero};`);
      b.block("if (row0 + r < M && k0 + kk < K)", () => b.line("v = loadA(b, row0 + r, k0 + kk);"));
      b.line(`tileA[kk * ${bm}i + r] = v;`);
    });
    b.block(`for (var e: i32 = t; e < ${bk * bn}i; e += ${threads}i)`, () => {
      b.line(`let kk = e / ${bn}i;`);
      b.line(`let c = e % ${bn}i;`);
      b.line(`var v: ${T} = ${zero};`);
      b.block("if (col0 + c < N && k0 + kk < K)", () => b.line("v = loadB(b, k0 + kk, col0 + c);"));
      b.line(`tileB[kk * ${bn}i + c] = v;`);
    });
    b.line("workgroupBarrier();");
    b.block(`for (var kk: i32 = 0i; kk < ${bk}i; kk++)`, () => {
      for (let i = 0; i < tm; i++) b.line(`let a${i} = tileA[kk * ${bm}i + ty + ${i * ty}i];`);
      for (let j = 0; j < tn; j++) b.line(`let b${j} = tileB[kk * ${bn}i + tx + ${j * tx}i];`);
      fmas(b, tm, tn);
    });
    b.line("workgroupBarrier();");
  });
}

/** The K loop reading rows of A and columns of B from storage (rows and columns clamped in range). */
function directLoop(b: WgslBuilder, { tx, ty, tm, tn }: GemmTiling): void {
  for (let i = 0; i < tm; i++) b.line(`let r${i} = min(row0 + ty + ${i * ty}i, M - 1i);`);
  for (let j = 0; j < tn; j++) b.line(`let c${j} = min(col0 + tx + ${j * tx}i, N - 1i);`);
  b.block("for (var kk: i32 = 0i; kk < K; kk++)", () => {
    for (let i = 0; i < tm; i++) b.line(`let a${i} = loadA(b, r${i}, kk);`);
    for (let j = 0; j < tn; j++) b.line(`let b${j} = loadB(b, kk, c${j});`);
    fmas(b, tm, tn);
  });
}

function fmas(b: WgslBuilder, tm: number, tn: number): void {
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) b.line(`acc${i * tn + j} = acc${i * tn + j} + a${i} * b${j};`);
}
