// A WebAssembly SIMD128 float32 matrix-product kernel, assembled here byte by byte (no toolchain):
// C (4·mb × 8·nb) = A·B with A packed in 4-row panels ([mb][k][4]) and B in 8-column panels
// ([nb][k][8]), so every load is sequential and each k step does 8 f32x4 multiply-adds into a 4×8
// register tile. Packing pads to whole panels, so any M, N, K ≥ 1 works. Used for float32 gemm by the
// CPU backend when the runtime has WebAssembly SIMD; accumulation is in float32.
import type { DataArray } from "../dtype.js";
import type { MatView } from "./gemm.js";
import { runGemm } from "./gemm-threads.js";

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const V128_LOAD = 0, V128_STORE = 11, V128_CONST = 12, F32X4_SPLAT = 19, F32X4_ADD = 228, F32X4_MUL = 230;
const ADD = 0x6a, SUB = 0x6b, MUL = 0x6c, NE = 0x47, LT_U = 0x49, LOOP = [0x03, 0x40], END = 0x0b, BR_IF = 0x0d;

// params: 0 aPtr, 1 bPtr, 2 cPtr, 3 mBlocks, 4 nBlocks, 5 K, 6 ldc (floats); i32 locals 7..12; v128 13..23
const [aPtr, bPtr, cPtr, mBlocks, nBlocks, K, ldc, ib, jb, k, aP, bP, cp] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const acc = (i: number) => 13 + i;
const [b0, b1, a] = [21, 22, 23];

function body(): number[] {
  const code: number[] = [];
  const zero = simd(V128_CONST, ...new Array<number>(16).fill(0));
  code.push(...i32(0), ...set(ib), ...LOOP); // for ib
  code.push(...i32(0), ...set(jb), ...LOOP); // for jb
  for (let i = 0; i < 8; i++) code.push(...zero, ...set(acc(i)));
  code.push(...get(aPtr), ...get(ib), ...get(K), MUL, ...i32(16), MUL, ADD, ...set(aP));
  code.push(...get(bPtr), ...get(jb), ...get(K), MUL, ...i32(32), MUL, ADD, ...set(bP));
  code.push(...get(K), ...set(k), ...LOOP); // for k
  code.push(...get(bP), ...simd(V128_LOAD, 4, 0), ...set(b0));
  code.push(...get(bP), ...simd(V128_LOAD, 4, 16), ...set(b1));
  for (let r = 0; r < 4; r++) {
    code.push(...get(aP), 0x2a, 2, ...uleb(4 * r), ...simd(F32X4_SPLAT), ...set(a));
    for (let h = 0; h < 2; h++) {
      code.push(...get(acc(2 * r + h)), ...get(a), ...get(h ? b1 : b0), ...simd(F32X4_MUL), ...simd(F32X4_ADD), ...set(acc(2 * r + h)));
    }
  }
  code.push(...get(aP), ...i32(16), ADD, ...set(aP), ...get(bP), ...i32(32), ADD, ...set(bP));
  code.push(...get(k), ...i32(1), SUB, 0x22, ...uleb(k), ...i32(0), NE, BR_IF, 0, END); // end k
  // cp = cPtr + ((ib·4)·ldc + jb·8)·4
  code.push(...get(cPtr), ...get(ib), ...i32(4), MUL, ...get(ldc), MUL, ...get(jb), ...i32(8), MUL, ADD, ...i32(4), MUL, ADD, ...set(cp));
  for (let r = 0; r < 4; r++) {
    code.push(...get(cp), ...get(acc(2 * r)), ...simd(V128_STORE, 4, 0));
    code.push(...get(cp), ...get(acc(2 * r + 1)), ...simd(V128_STORE, 4, 16));
    code.push(...get(cp), ...get(ldc), ...i32(4), MUL, ADD, ...set(cp));
  }
  code.push(...get(jb), ...i32(1), ADD, 0x22, ...uleb(jb), ...get(nBlocks), LT_U, BR_IF, 0, END); // end jb
  code.push(...get(ib), ...i32(1), ADD, 0x22, ...uleb(ib), ...get(mBlocks), LT_U, BR_IF, 0, END); // end ib
  code.push(END);
  const locals = [2, ...uleb(6), 0x7f, ...uleb(11), 0x7b];
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}
const str = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];

/** Pages (64 KiB) a shared memory may grow to: 1 GiB, reserved, not committed. */
export const maxSharedPages = 16384;

/** The module bytes: imports memory env.mem (shared, for worker threads, when `shared`), exports gemm. */
export function gemmModuleBytes(shared = false): Uint8Array {
  const type = section(1, [1, 0x60, 7, ...new Array<number>(7).fill(0x7f), 0]);
  const limits = shared ? [0x03, 1, ...uleb(maxSharedPages)] : [0x00, 1];
  const imp = section(2, [1, ...str("env"), ...str("mem"), 0x02, ...limits]);
  const func = section(3, [1, 0]);
  const exp = section(7, [1, ...str("gemm"), 0x00, 0]);
  const code = section(10, [1, ...body()]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...type, ...imp, ...func, ...exp, ...code]);
}

// The few WebAssembly APIs used here (the ES lib has no WebAssembly types; Node and browsers have the API).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
};

/** The kernel's signature: (aPtr, bPtr, cPtr, mBlocks, nBlocks, K, ldc). */
export type GemmKernel = (a: number, b: number, c: number, mb: number, nb: number, k: number, ldc: number) => void;

/** A compiled kernel and its memory; `shared` when worker threads can use the memory too. */
export interface Instance {
  readonly memory: WasmMemory;
  readonly gemm: GemmKernel;
  readonly shared: boolean;
  readonly bytes: Uint8Array;
}

let instance: Instance | null | undefined;

/** The compiled kernel (on shared memory where the runtime allows), or null without WebAssembly SIMD. */
export function wasmGemm(): Instance | null {
  if (instance !== undefined) return instance;
  instance = null;
  for (const shared of typeof SharedArrayBuffer === "function" ? [true, false] : [false]) {
    try {
      const memory = shared ? new WebAssembly.Memory({ initial: 1, maximum: maxSharedPages, shared: true }) : new WebAssembly.Memory({ initial: 1 });
      const bytes = gemmModuleBytes(shared);
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } });
      instance = { memory, gemm: inst.exports.gemm as GemmKernel, shared, bytes };
      break;
    } catch {
      // try the next variant
    }
  }
  return instance;
}

/** C[m×n] (contiguous at cOff) = A·B (or += with accumulate) in float32 on the SIMD kernel. */
export function gemmF32Wasm(w: Instance, m: number, n: number, k: number, a: MatView, b: MatView, c: DataArray, cOff: number, accumulate: boolean): void {
  const mb = Math.ceil(m / 4), nb = Math.ceil(n / 8), mp = mb * 4, np = nb * 8;
  const aBytes = mp * k * 4, bBytes = k * np * 4, cBytes = mp * np * 4;
  const need = aBytes + bBytes + cBytes;
  const have = w.memory.buffer.byteLength;
  if (need > have) w.memory.grow(Math.ceil((need - have) / 65536));
  const mem = new Float32Array(w.memory.buffer);
  const A = a.data, B = b.data;
  // A panels: mem[(ib·k + p)·4 + r] = A[4·ib + r, p]
  for (let i = 0; i < mp; i++) {
    const base = (i >> 2) * k * 4 + (i & 3);
    if (i >= m) {
      for (let p = 0; p < k; p++) mem[base + p * 4] = 0;
      continue;
    }
    const ai = a.off + i * a.rs;
    for (let p = 0; p < k; p++) mem[base + p * 4] = A[ai + p * a.cs]!;
  }
  // B panels: mem[bOff + (jb·k + p)·8 + c] = B[p, 8·jb + c]
  const bOff = aBytes / 4;
  for (let p = 0; p < k; p++) {
    const bp = b.off + p * b.rs;
    for (let j = 0; j < np; j++) mem[bOff + ((j >> 3) * k + p) * 8 + (j & 7)] = j < n ? B[bp + j * b.cs]! : 0;
  }
  const cStart = (aBytes + bBytes) / 4;
  runGemm(w, 0, aBytes, aBytes + bBytes, mb, nb, k, np);
  for (let i = 0; i < m; i++) {
    const src = cStart + i * np, dst = cOff + i * n;
    if (accumulate) for (let j = 0; j < n; j++) c[dst + j]! += mem[src + j]!;
    else c.set(mem.subarray(src, src + n), dst);
  }
}
