// Conditional sampling: int ids become one-hot rows (−1 a zero row) and reach every call of F with the
// student's guidance scale; classifier-free guidance equals F_u + w·(F_c − F_u) on a toy network, and
// the guided teacher sampler equals the sampler of that formula written out; bad conditioning is refused.
import type { NetworkOptions, RawNetwork } from "@scm-ts/core";
import { add, array, full, matmul, mul, random, reshape, sub, tanh, zeros, type Tensor } from "@scm-ts/core";
import { fcParams } from "@scm-ts/testing";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { classifierFreeGuidance, oneHotLabels } from "./conditioning.js";
import { sampleConsistency, sampleTwoStep } from "./consistency-sampler.js";
import { sampleTeacher } from "./teacher-sampler.js";

const values = async (t: Tensor) => Array.from(await t.data());
const ids = (v: number[]) => array(v, undefined, { dtype: "int32" });
// A toy class-conditional network: tanh(u·A + onehot·E + t) (no labels = null label).
const A = array([[0.7, -0.4], [0.3, 0.9]]), E = array([[0.5, -1], [-0.8, 0.2], [1.1, 0.6]]);
const F: RawNetwork = (u, t, o) => tanh(add(add(matmul(u, A), matmul(o?.classLabels ?? zeros([u.shape[0]!, 3]), E)), reshape(t, [-1, 1])));

describe("conditional sampling", () => {
  test("oneHotLabels: rows of the ids, −1 and out-of-range ids a zero row", async () => {
    expect(await values(oneHotLabels(ids([1, -1, 0, 3]), 3))).toEqual([0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
  });

  test("classifierFreeGuidance equals F_u + w·(F_c − F_u)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 1, maxLength: 6 }), fc.double({ min: 0, max: 4, noNaN: true }), fc.integer({ min: 0, max: 1000 }), async (labels, w, seed) => {
        const B = labels.length, onehot = oneHotLabels(ids(labels), 3);
        const u = random.normal(random.key(seed), [B, 2]), t = random.uniform(random.key(seed + 1), [B]);
        const got = await values(classifierFreeGuidance(F, w)(u, t, { classLabels: onehot }));
        const [c_, u_] = [await values(F(u, t, { classLabels: onehot })), await values(F(u, t))];
        got.forEach((v, i) => expect(Math.abs(v - (u_[i]! + w * (c_[i]! - u_[i]!)))).toBeLessThan(1e-6));
      }),
      fcParams(10),
    );
  });

  test("the guided teacher sampler is the sampler of the formula written out; w = 1 is the conditional teacher", async () => {
    const labels = ids([0, 2, -1, 1]), onehot = oneHotLabels(labels, 3);
    const plain = { key: random.key(3), shape: [4, 2], method: "heun" as const, nfe: 8 }, base = { ...plain, labels, numClasses: 3 };
    const formula = (w: number): RawNetwork => (u, t) => {
      const [fc_, fu] = [F(u, t, { classLabels: onehot }), F(u, t)];
      return add(fu, mul(sub(fc_, fu), w));
    };
    for (const w of [1, 1.7]) {
      const got = await values(sampleTeacher(F, { ...base, guidance: w }));
      const want = await values(sampleTeacher(formula(w), plain));
      got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-5));
    }
    const unguided = await values(sampleTeacher(F, { ...base, guidance: 1.7, labels: ids([-1, -1, -1, -1]) }));
    const nullOnly = await values(sampleTeacher(F, plain));
    unguided.forEach((v, i) => expect(Math.abs(v - nullOnly[i]!)).toBeLessThan(1e-5)); // null labels: F_c = F_u, no guidance effect
  });

  test("the consistency samplers pass one-hot rows and the student's w to every call", async () => {
    const seen: number[][][] = []; // read during the call: the sampler releases its conditioning when done (CPU backend: synchronous reads)
    const G: RawNetwork = (u, t, o) => (seen.push([Array.from(o!.classLabels!.dataSync()), Array.from(o!.guidance!.dataSync())]), F(u, t, o));
    sampleTwoStep(G, { key: random.key(1), shape: [3, 2], labels: ids([2, -1, 0]), numClasses: 3, guidance: 1.5 });
    expect(seen).toEqual([0, 1].map(() => [[0, 0, 1, 0, 0, 0, 1, 0, 0], [1.5, 1.5, 1.5]]));
    // Without conditioning F gets no options at all (an unconditional network's contract is unchanged).
    const calls: (NetworkOptions | undefined)[] = [];
    sampleConsistency((u, t, o) => (calls.push(o), F(u, t)), [1.5], { key: random.key(1), shape: [3, 2] });
    expect(calls).toEqual([undefined]);
  });

  test("bad conditioning is refused with the reason", () => {
    const opts = { key: random.key(1), shape: [3, 2] };
    expect(() => sampleConsistency(F, [1.5], { ...opts, labels: ids([0, 1, 2]) })).toThrow(/labels need numClasses/);
    expect(() => sampleConsistency(F, [1.5], { ...opts, labels: ids([0, 1]), numClasses: 3 })).toThrow(/int class ids \[3\]/);
    expect(() => sampleTeacher(F, { ...opts, nfe: 4, method: "euler", guidance: 2 })).toThrow(/guidance 2 needs labels/);
    expect(() => classifierFreeGuidance(F, 2)(zeros([1, 2]), full([1], 1))).toThrow(/needs class labels/);
  });
});
