// Counter-based random bits: threefry2x32 (Salmon et al. 2011, 20 rounds) of a key (two uint32
// words) and a counter derived from the element index, written as kernel IR so every backend
// produces the same stream for the same key. Counters follow JAX's original scheme: element i < h
// takes word 0 of threefry(key, (i, i+h)), element i ≥ h word 1 of threefry(key, (i−h, i)), with
// h = ⌈n/2⌉ and a zero counter past the end.
import { binary, cast, idx, konst, where as irWhere, type Expr } from "../ir/expr.js";
import { defineOp, type OpDef } from "../primitive.js";
import { fmtAval, sizeOf } from "../shape.js";
import * as T from "./rules.js";

const u = (n: number): Expr => konst(n >>> 0, "uint32");
const addU = (a: Expr, b: Expr): Expr => binary("ADD", a, b);
const rotl = (x: Expr, r: number): Expr => binary("OR", binary("SHL", x, u(r)), binary("SHR", x, u(32 - r)));

/** threefry2x32(key, counter) → two words, as IR. */
export function threefry2x32(k0: Expr, k1: Expr, c0: Expr, c1: Expr): [Expr, Expr] {
  const ks = [k0, k1, binary("XOR", binary("XOR", k0, k1), u(0x1bd11bda))];
  const rot = [
    [13, 15, 26, 6],
    [17, 29, 16, 24],
  ];
  let x0 = addU(c0, ks[0]!);
  let x1 = addU(c1, ks[1]!);
  for (let b = 0; b < 5; b++) {
    for (const r of rot[b % 2]!) {
      x0 = addU(x0, x1);
      x1 = binary("XOR", rotl(x1, r), x0);
    }
    x0 = addU(x0, ks[(b + 1) % 3]!);
    x1 = addU(addU(x1, ks[(b + 2) % 3]!), u(b + 1));
  }
  return [x0, x1];
}

/** Params of random_bits: the output shape, and raw uint32 bits or float32 uniforms in [0, 1). */
export interface RandomParams {
  readonly shape: number[];
  readonly dist: "bits" | "uniform";
}

/** Random bits (uint32) or uniforms (float32 (bits >> 9)·2⁻²³, as JAX) of `shape` from a key (uint32[2]). */
export const randomBits: OpDef<RandomParams> = defineOp<RandomParams>({
  name: "random_bits",
  kind: "nonlinear",
  abstractEval: ([k], { shape, dist }) => {
    if (k!.dtype !== "uint32" || k!.shape.length !== 1 || k!.shape[0] !== 2) throw new TypeError(`random_bits: a key is uint32[2] (from random.key), got ${fmtAval(k!)}`);
    return [{ shape, dtype: dist === "bits" ? "uint32" : "float32" }];
  },
  lower: {
    kind: "map",
    build: ([key], _, out, { dist }) => (i) => {
      const n = sizeOf(out.shape);
      const h = Math.ceil(n / 2);
      const k0 = key!(idx(0)), k1 = key!(idx(1));
      const first = binary("CMPLT", i, idx(h));
      const j = irWhere(first, i, binary("SUB", i, idx(h)));
      const j2 = binary("ADD", j, idx(h));
      const c1 = irWhere(binary("CMPLT", j2, idx(n)), j2, idx(0));
      const [w0, w1] = threefry2x32(k0, k1, cast(j, "uint32"), cast(c1, "uint32"));
      const bits = irWhere(first, w0, w1);
      if (dist === "bits") return bits;
      return binary("MUL", cast(binary("SHR", bits, u(9)), "float32"), konst(2 ** -23, "float32"));
    },
  },
  jvp: (xs, _, p) => T.zeroJvp(randomBits, xs, p),
});
