// The per-primitive conformance suite, shared by every backend: forward values in float32 against
// the float64 references (inputs rounded to float32 first), and — where the backend has float64 —
// JVP against finite differences, the VJP identity and second-order checks for every
// differentiable primitive, and zero tangents for the others. Backends without float64 (WebGPU)
// run a float32 parity mode instead: forward, JVP, VJP and both second-order maps (jvp of the
// VJP, vjp of the JVP) of every primitive on the backend against the CPU backend on the same
// float32 inputs, tangents and cotangents, and float32 zero tangents for the rest.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as c from "@scm-ts/core";
import type { PrimitiveName, Tensor } from "@scm-ts/core";
import { fcParams, type HostArray } from "./arbitraries.js";
import { checkGrads } from "./check-grads.js";
import { compareArrays, type Tolerance } from "./close.js";
import { opSpecs, type OpSpec } from "./op-specs.js";
import { runOn } from "./parity.js";
import { normalStream } from "./seeded.js";

const toTensor = (h: HostArray, dtype: c.DType): Tensor => c.array(h.data, h.shape, { dtype });
const roundF32 = (h: HostArray): HostArray => ({ shape: h.shape, data: h.data.map(Math.fround) });

/** Options of the suite. */
export interface OpSuiteOptions {
  /** Whether the backend has float64 (else the float32 parity mode runs against `reference`). */
  readonly float64: boolean;
  /** Property runs of the forward checks (default 15). */
  readonly runs?: number;
  /** Property runs of the derivative checks (default 3). */
  readonly gradRuns?: number;
  /** The backend the parity mode compares with (default 'cpu'). */
  readonly reference?: string;
  /** Parity tolerance; atol is scaled by the largest reference magnitude of each output (default rtol 2e-4, atol 2e-5). */
  readonly parityTol?: Tolerance;
  /** Loosens the forward tolerance of every row to at least this (for backends with their own transcendental functions). */
  readonly forwardTol?: Tolerance;
}

/** Rows whose standard form needs float64, restated in float32 for backends without it. */
const float32Rows: Partial<Record<PrimitiveName, OpSpec>> = {
  // float32 → int32 → float32 truncates toward zero (the float64 round trip needs float64).
  convert: {
    ...opSpecs.convert,
    apply: (x) => c.applyPrimitive(c.primitives.convert, [c.applyPrimitive(c.primitives.convert, [x], { dtype: "int32" })[0]!], { dtype: "float32" })[0]!,
    ref: (x) => x.data.map(Math.trunc),
    differentiable: false,
  },
};

/** Seeded standard normals shaped like `t`, as a float32 tensor on the active backend. */
const normalLike = (t: Tensor, seed: number): Tensor => c.array(Float64Array.from({ length: t.size }, normalStream(seed)), [...t.shape], { dtype: "float32" });

/** Every derivative of `apply` at `xs`: y, J·t, Jᵀ·ct, the JVP of the VJP map and the VJP of the JVP map. */
function derivatives(apply: (...xs: Tensor[]) => Tensor, xs: Tensor[]): unknown {
  const ts = xs.map((x, i) => normalLike(x, 11 + i));
  const [y, ty] = c.jvp(apply, xs, ts) as [Tensor, Tensor];
  const ct = normalLike(y, 97);
  const cts = c.vjp(apply, ...xs)[1](ct);
  const jvpMap = (...zs: Tensor[]): Tensor => (c.jvp(apply, zs, ts) as [Tensor, Tensor])[1];
  const vjpOfJvp = c.vjp(jvpMap, ...xs)[1](ct);
  const vjpMap = (...zs: Tensor[]): unknown => c.vjp(apply, ...zs)[1](ct);
  const jvpOfVjp = c.jvp(vjpMap, xs, ts)[1];
  return [y, ty, cts, vjpOfJvp, jvpOfVjp];
}

/** Compares outputs of `fn` on two backends; atol scales with each reference output's largest magnitude. */
async function expectParity(name: string, what: string, fn: (...xs: Tensor[]) => unknown, inputs: HostArray[], backends: [string, string], tol: Tolerance): Promise<void> {
  const got = await runOn(backends[0], fn, inputs);
  const want = await runOn(backends[1], fn, inputs);
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    const scale = w.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 1);
    const r = compareArrays(got[i]!, w, { rtol: tol.rtol ?? 2e-4, atol: (tol.atol ?? 2e-5) * scale });
    if (!r.ok) throw new Error(`${name}: ${what}, output ${i}, ${backends[0]} vs ${backends[1]}: ${r.message}`);
  });
}

/** Registers the suite for a backend (set it with setBackend before the tests run). */
export function defineOpSuite(backend: string, options: OpSuiteOptions = { float64: true }): void {
  const loosen = (t: Tolerance | undefined): Tolerance => {
    const f = options.forwardTol;
    if (!f) return t ?? { rtol: 2e-6, atol: 2e-6 };
    return { rtol: Math.max(t?.rtol ?? 2e-6, f.rtol ?? 0), atol: Math.max(t?.atol ?? 2e-6, f.atol ?? 0) };
  };
  describe(`primitives on ${backend}`, () => {
    it("every primitive has a spec row", () => {
      expect(Object.keys(opSpecs).sort()).toEqual(Object.keys(c.primitives).sort());
    });
    for (const name of Object.keys(opSpecs) as PrimitiveName[]) {
      const spec = (!options.float64 && float32Rows[name]) || opSpecs[name];
      describe(name, () => {
        if (spec.ref) {
          it("float32 forward matches the float64 reference", async () => {
            await c.setBackend(backend);
            await fc.assert(
              fc.asyncProperty(spec.inputs, async (inputs) => {
                const rounded = inputs.map(roundF32);
                const out = spec.apply(...rounded.map((h) => toTensor(h, "float32")));
                const r = compareArrays(await out.data(), spec.ref!(...rounded), loosen(spec.tol));
                if (!r.ok) throw new Error(`${name}: ${r.message}`);
              }),
              fcParams(options.runs ?? 15),
            );
          });
        }
        if (!options.float64) {
          defineParityChecks(backend, name, spec, options);
          return;
        }
        if (spec.differentiable) {
          it("JVP vs finite differences, VJP identity, second order (float64)", async () => {
            await c.setBackend(backend);
            await fc.assert(
              fc.asyncProperty(spec.inputs, async (inputs) => {
                await checkGrads(spec.apply, inputs.map((h) => toTensor(h, "float64")), { rtol: 1e-6 });
              }),
              fcParams(3),
            );
          });
        } else {
          it("has a zero tangent", async () => {
            await c.setBackend(backend);
            await fc.assert(
              fc.asyncProperty(spec.inputs, async (inputs) => {
                const xs = inputs.map((h) => toTensor(h, "float64"));
                const [, t] = c.jvp(spec.apply, xs, xs.map((x) => c.ones([...x.shape], { dtype: "float64" })));
                const d = await t.data();
                expect(Array.from(d).every((v) => v === 0)).toBe(true);
              }),
              fcParams(3),
            );
          });
        }
      });
    }
  });
}

/** The float32 parity checks of one row (backends without float64). */
function defineParityChecks(backend: string, name: string, spec: OpSpec, options: OpSuiteOptions): void {
  const backends: [string, string] = [backend, options.reference ?? "cpu"];
  const tol = options.parityTol ?? {};
  const runs = options.gradRuns ?? 3;
  it(`forward matches ${backends[1]}`, async () => {
    await fc.assert(
      fc.asyncProperty(spec.inputs, async (inputs) => expectParity(name, "forward", spec.apply, inputs, backends, tol)),
      fcParams(runs),
    );
  });
  if (spec.differentiable) {
    it(`JVP, VJP and second order match ${backends[1]} (float32)`, async () => {
      await fc.assert(
        fc.asyncProperty(spec.inputs, async (inputs) => expectParity(name, "derivatives", (...xs) => derivatives(spec.apply, xs), inputs, backends, tol)),
        fcParams(runs),
      );
    });
  } else {
    it("has a zero tangent (float32)", async () => {
      await c.setBackend(backend);
      await fc.assert(
        fc.asyncProperty(spec.inputs, async (inputs) => {
          if (inputs.length === 0) return;
          const xs = inputs.map((h) => toTensor(h, "float32"));
          const [, t] = c.jvp(spec.apply, xs, xs.map((x) => c.ones([...x.shape])));
          expect(Array.from(await t.data()).every((v) => v === 0)).toBe(true);
        }),
        fcParams(runs),
      );
    });
  }
}
