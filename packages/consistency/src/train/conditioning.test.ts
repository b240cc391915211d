// Conditioning in the objective: label dropout nulls a fraction p_uncond of a large batch and keeps the
// other rows one-hot; the networks receive what they should (the student a dropout key, labels and w in
// range; the teacher the same labels and no dropout key); the dropout mask of the sCM and discrete-CM
// gradients is the one fixed mask of a reference network, in the JVP pass and the gradient pass alike;
// the guided teacher equals F_u + w·(F_c − F_u); noise and time keys are those of the unconditional objective.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as c from "@scm-ts/core";
import type { Model, NetworkOptions, RawNetwork, Tensor } from "@scm-ts/core";
import { dropout, dropoutMask } from "@scm-ts/nn";
import { fcParams } from "@scm-ts/testing";
import { discreteCmLoss, discretePairSampler, guidedTeacher, makeObjective, objectiveKeys, sampleLogNormalTime, scmLoss, scmTangent } from "../index.js";
import { meanPerSample } from "../time.js";

const sd = 0.5, time = { pMean: -1, pStd: 1.4 };
const values = async (t: Tensor) => Array.from(await t.data());

describe("labels and what the networks receive", () => {
  it("label dropout: the null fraction of a large batch is p_uncond, and kept rows are the labels' one-hot rows", async () => {
    const B = 20_000, K = 4;
    let seen: NetworkOptions | undefined;
    const model: Model<Tensor> = { apply: (p, u, _t, o) => ((seen = o), c.mul(u, p)) };
    const labels = c.astype(c.mul(c.random.uniform(c.random.key(3), [B]), K), "int32"); // ids 0..K−1
    const ids = await values(labels);
    for (const pUncond of [0.1, 0.3]) {
      const objective = makeObjective(model, { mode: "diffusion", sigmaData: sd, time, classes: { numClasses: K, pUncond } });
      objective(c.ones([2]), c.zeros([B, 2]), c.random.key(1), c.ones([]), labels);
      const rows = await values(seen!.classLabels!);
      let nulls = 0;
      ids.forEach((k, i) => {
        const row = rows.slice(i * K, (i + 1) * K);
        if (row.every((v) => v === 0)) nulls++;
        else expect(row).toEqual(Array.from({ length: K }, (_, j) => (j === k ? 1 : 0)));
      });
      // Binomial: 4 standard deviations of the fraction.
      expect(Math.abs(nulls / B - pUncond)).toBeLessThan(4 * Math.sqrt((pUncond * (1 - pUncond)) / B));
      expect(seen!.dropoutKey).toBeDefined();
    }
  });

  it("id −1 is the null label; labels are required exactly when the objective is class-conditional", async () => {
    let seen: NetworkOptions | undefined;
    const model: Model<Tensor> = { apply: (p, u, _t, o) => ((seen = o), c.mul(u, p)) };
    const objective = makeObjective(model, { mode: "diffusion", sigmaData: sd, time, classes: { numClasses: 3, pUncond: 0 } });
    objective(c.ones([2]), c.zeros([3, 2]), c.random.key(1), c.ones([]), c.array([2, -1, 0], undefined, { dtype: "int32" }));
    expect(await values(seen!.classLabels!)).toEqual([0, 0, 1, 0, 0, 0, 1, 0, 0]);
    expect(() => objective(c.ones([2]), c.zeros([3, 2]), c.random.key(1), c.ones([]))).toThrow(/pass the batch's class ids/);
    expect(() => objective(c.ones([2]), c.zeros([3, 2]), c.random.key(1), c.ones([]), c.zeros([3, 3]))).toThrow(/int class ids \[3\]/);
    const plain = makeObjective(model, { mode: "diffusion", sigmaData: sd, time });
    expect(() => plain(c.ones([2]), c.zeros([3, 2]), c.random.key(1), c.ones([]), c.zeros([3]))).toThrow(/has no classes/);
    expect(() => makeObjective(model, { mode: "sct", sigmaData: sd, time, classes: { numClasses: 3 }, guidance: { scales: [1, 2] } })).toThrow(/needs mode 'scd'/);
    expect(() => makeObjective(model, { mode: "scd", sigmaData: sd, time, teacher: (u) => u, guidance: { scales: [1, 2] } })).toThrow(/class-conditional teacher/);
    expect(() => makeObjective(model, { mode: "cm-discrete", sigmaData: sd, time, intervals: 0 })).toThrow(/intervals must be a positive integer/);
  });

  it("sCD with guidance: the student gets w ∈ [min, max] and the labels; the teacher the same labels, doubled with null rows, and no dropout key", async () => {
    const B = 64;
    const student: { o?: NetworkOptions | undefined } = {}, teacher: { o?: NetworkOptions | undefined; B?: number | undefined } = {};
    const model: Model<Tensor> = { apply: (p, u, _t, o) => ((student.o = o), c.mul(u, p)) };
    const T: RawNetwork = (u, _t, o) => ((teacher.o = o), (teacher.B = u.shape[0]), c.mul(u, 0.5));
    const labels = c.astype(c.mul(c.random.uniform(c.random.key(5), [B]), 3), "int32");
    const objective = makeObjective(model, { mode: "scd", sigmaData: sd, time, teacher: T, classes: { numClasses: 3 }, guidance: { scales: [1.5, 3] } });
    objective(c.ones([2]), c.random.normal(c.random.key(4), [B, 2]), c.random.key(2), c.ones([]), labels);
    const w = await values(student.o!.guidance!);
    expect(w.every((v) => v >= 1.5 && v < 3)).toBe(true);
    expect(Math.max(...w) - Math.min(...w)).toBeGreaterThan(1); // spread over the range, not one value
    expect(student.o!.dropoutKey).toBeDefined();
    expect(teacher.B).toBe(2 * B);
    expect(teacher.o!.dropoutKey).toBeUndefined();
    const rows = await values(teacher.o!.classLabels!);
    expect(rows.slice(0, 3 * B)).toEqual(await values(student.o!.classLabels!));
    expect(rows.slice(3 * B).every((v) => v === 0)).toBe(true);
  });

  it("noise and time keys are those of the unconditional objective (runs without labels reproduce)", async () => {
    const key = c.random.key(11);
    const [kz, kt] = c.random.split(key, 2);
    const k = objectiveKeys(key);
    expect(await values(k.noise)).toEqual(await values(kz!));
    expect(await values(k.time)).toEqual(await values(kt!));
    const all = await Promise.all([k.noise, k.time, k.dropout, k.labels, k.guidance].map(async (x) => (await values(x)).join()));
    expect(new Set(all).size).toBe(5);
  });
});

describe("dropout: one mask for the JVP pass and the gradient pass", () => {
  type P = { w1: Tensor; w2: Tensor };
  const rate = 0.5, B = 16, H = 32;
  const k = c.random.split(c.random.key(21), 3);
  const params: P = { w1: c.mul(c.random.normal(k[0]!, [3, H]), 0.8), w2: c.mul(c.random.normal(k[1]!, [H, 2]), 0.3) };
  const x0 = c.mul(c.random.normal(k[2]!, [B, 2]), sd);
  const hidden = (p: P, u: Tensor, t: Tensor) => c.silu(c.matmul(c.concat([u, c.reshape(t, [-1, 1])], 1), p.w1)); // [B, H]
  const model: Model<P> = { apply: (p, u, t, o) => c.matmul(dropout(o?.dropoutKey, hidden(p, u, t), rate), p.w2) };
  // The same network with an explicit keep-mask m: silu(·)·m/(1 − rate).
  const withMask = (p: P, m: Tensor): RawNetwork => (u, t) => c.matmul(c.mul(hidden(p, u, t), c.mul(m, 1 / (1 - rate))), p.w2);
  const stepKey = c.random.key(8), keys = objectiveKeys(stepKey), r = c.full([], 0.7);
  const z = c.mul(c.random.normal(keys.noise, [B, 2]), sd);
  const mask = dropoutMask(keys.dropout, [B, H], rate), other = dropoutMask(c.random.key(99), [B, H], rate);
  const flat = async (g: P) => [...(await values(g.w1)), ...(await values(g.w2))];
  const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

  for (const mode of ["sct", "cm-discrete"] as const) {
    it(`${mode}: the objective's gradient is that of the fixed-mask network, not of mismatched masks`, async () => {
      const objective = makeObjective(model, { mode, sigmaData: sd, time, intervals: 64 });
      const got = await flat(c.grad((p: P) => objective(p, x0, stepKey, r).loss)(params));
      const pairs = discretePairSampler(64, time, sd)(keys.time, B);
      const reference = (gradMask: Tensor, jvpMask: Tensor) => (p: P) => {
        if (mode === "cm-discrete") {
          if (gradMask !== jvpMask) throw new Error("one network per call in this reference");
          return discreteCmLoss({ F: withMask(p, gradMask), sigmaData: sd, x0, z, ...pairs, r }).loss;
        }
        const t = sampleLogNormalTime(keys.time, B, time, sd);
        const xt = c.add(c.mul(c.cos(c.reshape(t, [-1, 1])), x0), c.mul(c.sin(c.reshape(t, [-1, 1])), z));
        if (gradMask === jvpMask) return scmLoss({ F: withMask(p, gradMask), sigmaData: sd, x0, z, t, r }).loss;
        // F_θ from one mask, F_θ⁻ and dF_θ⁻/dt from another: what two independent dropout draws would give.
        const dxdt = c.sub(c.mul(c.cos(c.reshape(t, [-1, 1])), z), c.mul(c.sin(c.reshape(t, [-1, 1])), x0));
        const tan = scmTangent({ F: withMask(p, jvpMask), sigmaData: sd, xt, t, dxdt, r });
        const F = withMask(p, gradMask)(c.div(xt, sd), t);
        return c.mean(meanPerSample(c.square(c.sub(c.sub(F, c.stopGradient(tan.F)), tan.g))));
      };
      const want = await flat(c.grad(reference(mask, mask))(params));
      const scale = Math.max(...want.map(Math.abs));
      expect(maxDiff(got, want)).toBeLessThan(1e-5 * scale);
      // The comparison can tell masks apart: another mask (everywhere), or mismatched masks in sCM.
      expect(maxDiff(got, await flat(c.grad(reference(other, other))(params)))).toBeGreaterThan(0.05 * scale);
      if (mode === "sct") expect(maxDiff(got, await flat(c.grad(reference(mask, other))(params)))).toBeGreaterThan(0.05 * scale);
    });
  }
});

describe("the guided teacher", () => {
  // A toy class-conditional network: tanh(u·A + onehot·E + t).
  const A = c.array([[0.7, -0.4], [0.3, 0.9]]), E = c.array([[0.5, -1], [-0.8, 0.2], [1.1, 0.6]]);
  const F: RawNetwork = (u, t, o) => c.tanh(c.add(c.add(c.matmul(u, A), c.matmul(o?.classLabels ?? c.zeros([u.shape[0]!, 3]), E)), c.reshape(t, [-1, 1])));

  it("equals F_u + w·(F_c − F_u) per example", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: -1, max: 2 }), fc.double({ min: 0, max: 4, noNaN: true })), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 1000 }), async (rows, seed) => {
        const B = rows.length;
        const onehot = c.astype(c.equal(c.reshape(c.array(rows.map((r) => r[0]), undefined, { dtype: "int32" }), [B, 1]), c.arange(3, undefined, 1, { dtype: "int32" })), "float32");
        const w = c.array(rows.map((r) => r[1]));
        const u = c.random.normal(c.random.key(seed), [B, 2]), t = c.random.uniform(c.random.key(seed + 1), [B]);
        const got = await values(guidedTeacher(F, onehot, w)(u, t));
        const [fc_, fu] = [await values(F(u, t, { classLabels: onehot })), await values(F(u, t))];
        got.forEach((v, i) => expect(Math.abs(v - (fu[i]! + rows[Math.floor(i / 2)]![1] * (fc_[i]! - fu[i]!)))).toBeLessThan(1e-6));
      }),
      fcParams(10),
    );
  });
});
