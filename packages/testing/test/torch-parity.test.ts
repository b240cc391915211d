// Parity with PyTorch: the networks of fixtures/torch (an MLP; conv → group norm → silu → grouped
// strided conv; attention; softmax and logsumexp with large entries) evaluated by the engine on the
// CPU backend, with their JVP along the stored tangents, the gradients of sum(out·cotangent) with
// respect to every input, and the JVP of that gradient map along the same tangents (a
// Hessian-vector product, forward over reverse), against PyTorch's values.
//
// float32: each tensor within 1e-5 of torch float32 and of torch float64, measured as
//   max|ours − torch| / max|torch|, eagerly and under jit.
// float64 (the same float32 inputs widened exactly): checkJvp (central differences, rtol 1e-6)
//   and checkVjp (dot-product identity), and within 1e-10 of torch float64.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { array, getBackend, grad, jit, jvp, mul, setBackend, sum, type DType, type Tensor } from "@scm-ts/core";
import { checkJvp, checkVjp } from "../src/index.js";
import { attention, convnet, logsumexpLast, mlp, softmaxLast } from "./networks.js";

/** A stored tensor: shape and flat row-major data. */
interface Stored {
  readonly shape: number[];
  readonly data: number[];
}

/** The reference quantities of one function: out, jvp, grads and jvp_of_grad per input name. */
interface Quantities {
  readonly out: Stored;
  readonly jvp: Stored;
  readonly grads: Record<string, Stored>;
  readonly jvp_of_grad: Record<string, Stored>;
}

/** One single-output case, normalised from a fixture file. */
interface Case {
  readonly name: string;
  readonly fn: (...xs: Tensor[]) => Tensor;
  readonly inputNames: readonly string[];
  readonly inputs: readonly Stored[];
  readonly tangents: readonly Stored[];
  readonly cotangent: Stored;
  readonly ref32: Quantities;
  readonly ref64: Quantities;
}

type Json = Record<string, unknown>;

function readFixture(file: string): Json {
  return JSON.parse(readFileSync(new URL(`../fixtures/torch/${file}`, import.meta.url), "utf8")) as Json;
}

function quantities(src: Json, suffix: "" | "64", output?: string): Quantities {
  const pick = (key: string): unknown => {
    const v = src[key + suffix] as Json;
    return output === undefined ? v : v[output];
  };
  return {
    out: pick("out") as Stored,
    jvp: pick("jvp") as Stored,
    grads: pick("grads") as Record<string, Stored>,
    jvp_of_grad: pick("jvp_of_grad") as Record<string, Stored>,
  };
}

function singleOutputCase(name: string, file: string, fn: (...xs: Tensor[]) => Tensor): Case {
  const f = readFixture(file);
  const inputs = f["inputs"] as Record<string, Stored>;
  const tangents = f["tangents"] as Record<string, Stored>;
  const inputNames = Object.keys(inputs);
  return {
    name,
    fn,
    inputNames,
    inputs: inputNames.map((k) => inputs[k]!),
    tangents: inputNames.map((k) => tangents[k]!),
    cotangent: f["cotangent"] as Stored,
    ref32: quantities(f, ""),
    ref64: quantities(f, "64"),
  };
}

function softmaxCases(): Case[] {
  const f = readFixture("softmax_logsumexp.json");
  const x = (f["inputs"] as Record<string, Stored>)["x"]!;
  const t = (f["tangents"] as Record<string, Stored>)["x"]!;
  const cts = f["cotangent"] as Record<string, Stored>;
  const fns: Record<string, (x: Tensor) => Tensor> = { softmax: softmaxLast, logsumexp: logsumexpLast };
  if (JSON.stringify(f["outputs"]) !== JSON.stringify(["softmax", "logsumexp"])) throw new Error(`softmax_logsumexp.json: unexpected outputs ${JSON.stringify(f["outputs"])}`);
  return (f["outputs"] as string[]).map((o) => ({
    name: `softmax_logsumexp/${o}`,
    fn: fns[o]! as (...xs: Tensor[]) => Tensor,
    inputNames: ["x"],
    inputs: [x],
    tangents: [t],
    cotangent: cts[o]!,
    ref32: quantities(f, "", o),
    ref64: quantities(f, "64", o),
  }));
}

const cases: Case[] = [
  singleOutputCase("mlp", "mlp.json", mlp as (...xs: Tensor[]) => Tensor),
  singleOutputCase("conv", "conv.json", convnet as (...xs: Tensor[]) => Tensor),
  singleOutputCase("attention", "attention.json", attention as (...xs: Tensor[]) => Tensor),
  ...softmaxCases(),
];

/** A float32 field decoded exactly: the shortest decimal, rounded to float32. */
function f32Values(s: Stored): Float64Array {
  return Float64Array.from(Float32Array.from(s.data));
}

/** An engine tensor from a stored float32 field (float64: the same values widened exactly). */
function tensorOf(s: Stored, dtype: DType): Tensor {
  const v = Float32Array.from(s.data);
  return array(dtype === "float64" ? Float64Array.from(v) : v, s.shape, { dtype });
}

/** max|ours − ref| / max|ref| (1 in the denominator when ref is all zeros). */
function maxRelError(ours: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(ours.length).toBe(ref.length);
  let num = 0, den = 0;
  for (let i = 0; i < ref.length; i++) {
    num = Math.max(num, Math.abs(ours[i]! - ref[i]!));
    den = Math.max(den, Math.abs(ref[i]!));
  }
  // NaN anywhere must fail, not compare false.
  const err = num / (den > 0 ? den : 1);
  return Number.isNaN(err) ? Infinity : err;
}

/** What the engine computes for one case. */
interface Derivatives {
  readonly out: Tensor;
  readonly jvp: Tensor;
  readonly grads: Tensor[];
  readonly jvpOfGrad: Tensor[];
}

/**
 * out and its JVP along `ts` (forward mode), the gradients of sum(out·ct) with respect to every
 * input (grad with argnums), and the JVP of that gradient map along `ts` (forward over reverse).
 */
function derivatives(fn: (...xs: Tensor[]) => Tensor, xs: Tensor[], ts: Tensor[], ct: Tensor): Derivatives {
  const argnums = xs.map((_, i) => i);
  const loss = (...a: Tensor[]): Tensor => sum(mul(fn(...a), ct));
  const gradMap = (...a: Tensor[]): Tensor[] => grad(loss, { argnums })(...a) as Tensor[];
  const [out, tout] = jvp(fn, xs, ts);
  const grads = gradMap(...xs);
  const [, jvpOfGrad] = jvp(gradMap, xs, ts);
  return { out, jvp: tout, grads, jvpOfGrad };
}

interface Errors {
  readonly [quantity: string]: number;
}

/** Per-tensor max relative errors of `d` against `ref` ("grads.x", "jvp_of_grad.W1", …). */
async function errorsAgainst(c: Case, d: Derivatives, ref: Quantities, decode: (s: Stored) => ArrayLike<number>): Promise<Errors> {
  const errs: Record<string, number> = {};
  const cmp = async (key: string, t: Tensor, s: Stored): Promise<void> => {
    expect(t.shape, `${c.name} ${key} shape`).toEqual(s.shape);
    errs[key] = maxRelError(Float64Array.from(await t.data()), decode(s));
  };
  await cmp("out", d.out, ref.out);
  await cmp("jvp", d.jvp, ref.jvp);
  for (const [i, k] of c.inputNames.entries()) {
    await cmp(`grads.${k}`, d.grads[i]!, ref.grads[k]!);
    await cmp(`jvp_of_grad.${k}`, d.jvpOfGrad[i]!, ref.jvp_of_grad[k]!);
  }
  return errs;
}

/** Asserts every error is below `tol`, naming the worst quantity on failure. */
function expectAllBelow(what: string, errs: Errors, tol: number): void {
  const entries = Object.entries(errs);
  expect(entries.length).toBeGreaterThan(0);
  const [worstKey, worst] = entries.reduce((a, b) => (b[1] > a[1] ? b : a));
  expect(worst, `${what}: worst is ${worstKey} (${worst.toExponential(2)}); all: ${JSON.stringify(errs)}`).toBeLessThan(tol);
}

const F32_TOL = 1e-5;
const F64_TOL = 1e-10;

async function checkFloat32(c: Case, d: Derivatives): Promise<void> {
  // Against torch float32, and against torch float64 (decoded as stored: full doubles).
  expectAllBelow(`${c.name} f32 vs torch f32`, await errorsAgainst(c, d, c.ref32, f32Values), F32_TOL);
  expectAllBelow(`${c.name} f32 vs torch f64`, await errorsAgainst(c, d, c.ref64, (s) => s.data), F32_TOL);
}

function args(c: Case, dtype: DType): { xs: Tensor[]; ts: Tensor[]; ct: Tensor } {
  return { xs: c.inputs.map((s) => tensorOf(s, dtype)), ts: c.tangents.map((s) => tensorOf(s, dtype)), ct: tensorOf(c.cotangent, dtype) };
}

beforeAll(async () => {
  await setBackend("cpu");
});

describe.each(cases.map((c) => [c.name, c] as const))("torch parity: %s", (_name, c) => {
  it("fixture is self-consistent (inputs, tangents and cotangent shapes)", () => {
    expect(getBackend().name).toBe("cpu");
    c.inputs.forEach((s, i) => {
      expect(c.tangents[i]!.shape).toEqual(s.shape);
      expect(s.data.length).toBe(s.shape.reduce((a, b) => a * b, 1));
    });
    expect(c.cotangent.shape).toEqual(c.ref32.out.shape);
  });

  it("float32: out, jvp, grads and jvp_of_grad match torch (f32 and f64) to 1e-5", async () => {
    const { xs, ts, ct } = args(c, "float32");
    const d = derivatives(c.fn, xs, ts, ct);
    expect(d.out.dtype).toBe("float32");
    await checkFloat32(c, d);
  });

  it("float32 under jit: the same comparisons pass", async () => {
    const n = c.inputs.length;
    const jitted = jit((xs: Tensor[], ts: Tensor[], ct: Tensor) => derivatives(c.fn, xs, ts, ct), { name: `parity_${c.name}` });
    const { xs, ts, ct } = args(c, "float32");
    const d = jitted(xs, ts, ct);
    expect(d.grads.length).toBe(n);
    await checkFloat32(c, d);
    // A second call replays the cached plan and gives the same values.
    const again = jitted(xs, ts, ct);
    expect(Array.from(await again.out.data())).toEqual(Array.from(await d.out.data()));
    expect(Array.from(await again.jvpOfGrad[0]!.data())).toEqual(Array.from(await d.jvpOfGrad[0]!.data()));
  });

  it("float64: checkJvp and checkVjp pass, and values match torch float64 to 1e-10", async () => {
    const { xs, ts, ct } = args(c, "float64");
    const d = derivatives(c.fn, xs, ts, ct);
    expect(d.out.dtype).toBe("float64");
    expectAllBelow(`${c.name} f64 vs torch f64`, await errorsAgainst(c, d, c.ref64, (s) => s.data), F64_TOL);
    // JVP against central differences (rtol 1e-6) and the VJP identity on the network itself
    // (random float64 directions and cotangents inside the checks; the fixture's own tangents and
    // cotangent are covered by the comparison with torch above).
    const jvpErr = await checkJvp(c.fn, xs, { rtol: 1e-6 });
    const vjpErr = await checkVjp(c.fn, xs, { rtol: 1e-6 });
    expect(jvpErr).toBeLessThan(1e-6);
    expect(vjpErr).toBeLessThan(1e-6);
    // The same checks on sum(out·ct), i.e. on what grad differentiates.
    const loss = (...a: Tensor[]): Tensor => sum(mul(c.fn(...a), ct));
    await checkJvp(loss, xs, { rtol: 1e-6, seed: 3 });
    await checkVjp(loss, xs, { rtol: 1e-6, seed: 3 });
  });
});
