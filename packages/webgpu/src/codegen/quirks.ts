// WGSL quirks, in one place: which WGSL type holds each engine dtype (bool is stored as u32: WGSL
// has no bool in storage; float64 does not exist; f16 is off), how literals are written (suffixes,
// i32's minimum, −0, and NaN/±Inf made at run time from bits, since a constant NaN or Inf is a
// shader-creation error), `select`'s argument order (false value first), and the helper functions
// that give WGSL the CPU backend's semantics where WGSL leaves them open (NaN in max, division by
// zero, pow of negative bases, tanh overflow, sin/cos of large arguments). Kernels request a helper
// by name and the builder emits only those used.
import type { DType } from "@scm-ts/core";

/** f16 needs the `shader-f16` feature (absent on llvmpipe); every float kernel is f32. */
export const F16_ENABLED = false;

/** The error for dtypes WebGPU cannot hold. */
export function unsupportedDtype(dtype: DType, where: string): Error {
  return new TypeError(`${where}: WebGPU has no ${dtype}; use float32 (float64 runs only on the CPU backend: setBackend('cpu'))`);
}

/** The WGSL type of a value of `dtype` inside a kernel. */
export function valueType(dtype: DType): string {
  switch (dtype) {
    case "float32":
      return "f32";
    case "int32":
      return "i32";
    case "uint32":
      return "u32";
    case "bool":
      return "bool";
    case "float64":
      throw unsupportedDtype(dtype, "WGSL codegen");
  }
}

/** The WGSL element type of a storage buffer holding `dtype` (bool is stored as u32 0/1). */
export function storageType(dtype: DType): string {
  return dtype === "bool" ? "u32" : valueType(dtype);
}

/** A loaded storage element as a value. */
export function fromStorage(dtype: DType, code: string): string {
  return dtype === "bool" ? `(${code} != 0u)` : code;
}

/** A value as the storage element that holds it. */
export function toStorage(dtype: DType, code: string): string {
  return dtype === "bool" ? `select(0u, 1u, ${code})` : code;
}

/** `cond ? ifTrue : ifFalse`: WGSL's select takes the false value first. */
export function select(cond: string, ifTrue: string, ifFalse: string): string {
  return `select(${ifFalse}, ${ifTrue}, ${cond})`;
}

/** A value of `dtype` as a truth value (JS truthiness: 0 and NaN are false). */
export function truthy(dtype: DType, code: string, use: (h: HelperName) => void): string {
  switch (dtype) {
    case "bool":
      return code;
    case "float32":
      use("truthy_f32");
      return `truthy_f32(${code})`;
    case "int32":
      return `(${code} != 0i)`;
    case "uint32":
      return `(${code} != 0u)`;
    case "float64":
      throw unsupportedDtype(dtype, "WGSL codegen");
  }
}

/** Whether a literal of this value must be made at run time (NaN and ±Inf). */
export function needsRuntimeLiteral(value: number, dtype: DType): boolean {
  return dtype === "float32" && !Number.isFinite(Math.fround(value));
}

/** A WGSL literal of `value` as `dtype`; NaN and ±Inf call helpers (see needsRuntimeLiteral). */
export function literal(value: number, dtype: DType, use: (h: HelperName) => void): string {
  switch (dtype) {
    case "float32": {
      const f = Math.fround(value);
      if (Number.isNaN(f)) return use("f32_nan"), "f32_nan()";
      if (f === Infinity) return use("f32_inf"), "f32_inf()";
      if (f === -Infinity) return use("f32_inf"), "(-f32_inf())";
      if (Object.is(f, -0)) return "-0.0f";
      // The shortest decimal of an f32 value read back as f32 is that value.
      return `${f}f`;
    }
    case "int32": {
      const i = value | 0;
      return i === -2147483648 ? "i32(-2147483647 - 1)" : `${i}i`;
    }
    case "uint32":
      return `${value >>> 0}u`;
    case "bool":
      return value ? "true" : "false";
    case "float64":
      throw unsupportedDtype(dtype, "WGSL codegen");
  }
}

/** Helper functions kernels may call; each is emitted once, with its dependencies first. */
export const helpers = {
  // bitcast of a `let` is a run-time value, so NaN/Inf are not constant-folded into an error.
  f32_inf: { deps: [], code: "fn f32_inf() -> f32 { let bits = 0x7f800000u; return bitcast<f32>(bits); }" },
  f32_nan: { deps: [], code: "fn f32_nan() -> f32 { let bits = 0x7fc00000u; return bitcast<f32>(bits); }" },
  is_nan_f32: { deps: [], code: "fn is_nan_f32(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }" },
  truthy_f32: { deps: ["is_nan_f32"], code: "fn truthy_f32(x: f32) -> bool { return x != 0.0f && !is_nan_f32(x); }" },
  // max propagating NaN (JAX, and Math.max on the CPU backend); WGSL's max leaves NaN open.
  max_f32: { deps: ["is_nan_f32"], code: "fn max_f32(a: f32, b: f32) -> f32 { return select(max(a, b), a + b, is_nan_f32(a) || is_nan_f32(b)); }" },
  // tanh saturates beyond |x| = 10 in f32; clamping avoids inf/inf = NaN in exp-based lowerings.
  tanh_f32: { deps: ["is_nan_f32"], code: "fn tanh_f32(x: f32) -> f32 { return select(tanh(clamp(x, -10.0f, 10.0f)), x, is_nan_f32(x)); }" },
  // sin/cos after a three-part Cody–Waite reduction by 2π = 6.28125 + 0.0019350052 + 3.0199160e-7:
  // the first two parts have 8 and 11 significant bits, so k·part is exact in f32 for |k| < 2¹³
  // (|x| up to ~5·10⁴) without relying on fma, which llvmpipe does not fuse.
  reduce_2pi: {
    deps: [],
    code: "fn reduce_2pi(x: f32) -> f32 { let k = round(x * 0.15915494f); return ((x - k * 6.28125f) - k * 0.0019350052f) - k * 3.019916e-7f; }",
  },
  sin_f32: { deps: ["reduce_2pi"], code: "fn sin_f32(x: f32) -> f32 { return sin(reduce_2pi(x)); }" },
  cos_f32: { deps: ["reduce_2pi"], code: "fn cos_f32(x: f32) -> f32 { return cos(reduce_2pi(x)); }" },
  // llvmpipe's atan and pow turn NaN into 0; the CPU backend propagates it.
  atan_f32: { deps: ["is_nan_f32"], code: "fn atan_f32(x: f32) -> f32 { return select(atan(x), x, is_nan_f32(x)); }" },
  // Math.pow: x^0 = 1, NaN otherwise propagates, negative bases need integer exponents, else exp2(y·log2 x).
  pow_f32: {
    deps: ["f32_nan", "is_nan_f32"],
    code: [
      "fn pow_f32(x: f32, y: f32) -> f32 {",
      "  if (y == 0.0f) { return 1.0f; }",
      "  if (is_nan_f32(x) || is_nan_f32(y)) { return f32_nan(); }",
      "  let r = pow(abs(x), y);",
      "  if (x >= 0.0f) { return select(r, 0.0f, x == 0.0f && y > 0.0f); }",
      "  if (floor(y) != y) { return f32_nan(); }",
      "  return select(r, -r, (abs(y) % 2.0f) == 1.0f);",
      "}",
    ].join("\n"),
  },
  // Integer division and remainder truncate (as JS `(a / b) | 0` and `%`); by zero they give 0.
  idiv_i32: { deps: [], code: "fn idiv_i32(a: i32, b: i32) -> i32 { return select(a / b, 0i, b == 0i); }" },
  imod_i32: { deps: [], code: "fn imod_i32(a: i32, b: i32) -> i32 { return select(a % b, 0i, b == 0i); }" },
  idiv_u32: { deps: [], code: "fn idiv_u32(a: u32, b: u32) -> u32 { return select(a / b, 0u, b == 0u); }" },
  imod_u32: { deps: [], code: "fn imod_u32(a: u32, b: u32) -> u32 { return select(a % b, 0u, b == 0u); }" },
  // JS ToUint32 of a float wraps negatives (−1.5 → 2³²−1); WGSL's u32(f32) saturates.
  f32_to_u32: { deps: [], code: "fn f32_to_u32(x: f32) -> u32 { return select(u32(x), bitcast<u32>(i32(x)), x < 0.0f); }" },
} as const satisfies Record<string, { deps: readonly string[]; code: string }>;

/** The name of a helper function. */
export type HelperName = keyof typeof helpers;

/** The helpers' code, dependencies first, each once. */
export function helperCode(used: Iterable<HelperName>): string[] {
  const out: string[] = [];
  const done = new Set<HelperName>();
  const visit = (h: HelperName): void => {
    if (done.has(h)) return;
    done.add(h);
    for (const d of helpers[h].deps) visit(d as HelperName);
    out.push(helpers[h].code);
  };
  for (const h of used) visit(h);
  return out;
}
