// The per-primitive conformance suite, shared by every backend: forward values in float32 against
// the float64 references (inputs rounded to float32 first), and — where the backend has float64 —
// JVP against finite differences, the VJP identity and second-order checks for every
// differentiable primitive, and zero tangents for the others.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as c from "@scm-ts/core";
import type { PrimitiveName, Tensor } from "@scm-ts/core";
import { fcParams, type HostArray } from "./arbitraries.js";
import { checkGrads } from "./check-grads.js";
import { compareArrays } from "./close.js";
import { opSpecs } from "./op-specs.js";

const toTensor = (h: HostArray, dtype: c.DType): Tensor => c.array(h.data, h.shape, { dtype });
const roundF32 = (h: HostArray): HostArray => ({ shape: h.shape, data: h.data.map(Math.fround) });

/** Registers the suite for a backend (set it with setBackend before the tests run). */
export function defineOpSuite(backend: string, options: { float64: boolean; runs?: number } = { float64: true }): void {
  describe(`primitives on ${backend}`, () => {
    it("every primitive has a spec row", () => {
      expect(Object.keys(opSpecs).sort()).toEqual(Object.keys(c.primitives).sort());
    });
    for (const name of Object.keys(opSpecs) as PrimitiveName[]) {
      const spec = opSpecs[name];
      describe(name, () => {
        if (spec.ref) {
          it("float32 forward matches the float64 reference", async () => {
            await c.setBackend(backend);
            await fc.assert(
              fc.asyncProperty(spec.inputs, async (inputs) => {
                const rounded = inputs.map(roundF32);
                const out = spec.apply(...rounded.map((h) => toTensor(h, "float32")));
                const r = compareArrays(await out.data(), spec.ref!(...rounded), spec.tol ?? { rtol: 2e-6, atol: 2e-6 });
                if (!r.ok) throw new Error(`${name}: ${r.message}`);
              }),
              fcParams(options.runs ?? 15),
            );
          });
        }
        if (!options.float64) return;
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
