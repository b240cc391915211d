// Conditioning of the MLP, U-Net and DiT: a zero one-hot row (CFG's null label) is exactly an
// unconditional call; the guidance embedding leaves every other parameter bit for bit and, at init,
// F itself unchanged for any w (its last layer is zero), while a trained (perturbed) embedding makes
// F depend on w; a guidance-conditioned network refuses a call without w; the report counts the embedding.
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { fcParams } from "@scm-ts/testing";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { dit, ditPresets } from "./dit.js";
import { mlp, mlpPresets } from "./mlp.js";
import { modelReport } from "./report.js";
import type { ModelParams, Network } from "./network.js";
import { unet, unetPresets } from "./unet.js";

type Build = (guidanceEmbedding: boolean) => Network<unknown, unknown>;
const nets: readonly [string, Build][] = [
  ["mlp", (g) => mlp({ ...mlpPresets.tiny, numClasses: 3, guidanceEmbedding: g }) as Network<unknown, unknown>],
  ["unet", (g) => unet({ ...unetPresets.tiny, numClasses: 3, guidanceEmbedding: g }) as Network<unknown, unknown>],
  ["dit", (g) => dit({ ...ditPresets.tiny, numClasses: 3, guidanceEmbedding: g }) as Network<unknown, unknown>],
];
const values = async (t: Tensor) => Array.from(await t.data());
// Every parameter moved off its init (so zero-initialised output layers no longer hide the inputs).
const perturb = <P>(p: P, seed: number): P => c.treeMap(p, (w: Tensor, i: number) => c.add(w, c.mul(c.random.normal(c.random.key(seed + i), w.shape), 0.2))) as P;

describe.each(nets)("%s conditioning", (_, build) => {
  const plain = build(false), guided = build(true);
  const B = 3;
  const u = c.random.normal(c.random.key(2), [B, ...plain.sampleShape]);
  const t = c.array([0.3, 0.9, 1.4]);

  test("a zero one-hot row is an unconditional call; a class row is not", async () => {
    const p = perturb(plain.init(c.random.key(1)), 100);
    const none = await values(plain.apply(p, u, t));
    expect(await values(plain.apply(p, u, t, { classLabels: c.zeros([B, 3]) }))).toEqual(none);
    expect(await values(plain.apply(p, u, t, { classLabels: c.astype(c.equal(c.reshape(c.arange(B), [B, 1]), c.arange(3)), "float32") }))).not.toEqual(none);
  });

  test("the guidance embedding adds parameters without changing the others, nor F at init for any w", async () => {
    const a = plain.init(c.random.key(1)) as ModelParams<Record<string, unknown>>;
    const b = guided.init(c.random.key(1)) as ModelParams<Record<string, unknown>>;
    const { mapGuidance, ...rest } = b.net;
    expect(mapGuidance).toBeDefined();
    expect(await Promise.all(c.treeLeaves<Tensor>({ net: rest, logvar: b.logvar }).map(values))).toEqual(await Promise.all(c.treeLeaves<Tensor>(a).map(values)));
    // At init: same F for every w (zero last layer); with the other parameters perturbed the same way.
    const pa = perturb(a, 100), pb = { ...b, net: { ...perturb({ net: rest, logvar: b.logvar }, 100).net, mapGuidance } };
    const want = await values(plain.apply(pa, u, t));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 0, max: 4, noNaN: true }), { minLength: B, maxLength: B }), async (w) => {
        const got = await values(guided.apply(pb, u, t, { guidance: c.array(w) }));
        got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-6));
      }),
      fcParams(5),
    );
  });

  test("a trained guidance embedding makes F depend on w; a call without w is refused", async () => {
    const p = perturb(guided.init(c.random.key(1)), 300);
    const at = async (w: number) => values(guided.apply(p, u, t, { guidance: c.full([B], w) }));
    expect(await at(1)).not.toEqual(await at(2));
    expect(() => guided.apply(p, u, t)).toThrow(/guidance-conditioned/);
    expect(() => guided.apply(p, u, t, { guidance: c.ones([B + 1]) })).toThrow(/one scale per sample/);
  });
});

test("the report counts a guidance-conditioned network: the embedding's two layers on top", () => {
  const [plain, guided] = [false, true].map((g) => modelReport(mlp({ ...mlpPresets.tiny, guidanceEmbedding: g })));
  const F = mlpPresets.tiny.timeFeatures, E = mlpPresets.tiny.width; // features → E → E
  expect(guided!.params - plain!.params).toBe(F * E + E + E * E + E);
  expect(guided!.flops).toBeGreaterThan(plain!.flops);
});
