// The sCM objectives against analytic oracles (docs/guide/math.md, "What the oracles check"): the JVP-assembled
// tangent equals cos(t)·df/dt by finite differences along the exact PF-ODE (T3/T4); at the exact consistency
// function with the exact teacher, g vanishes and so does the sCD loss gradient (T5), and away from it they do
// not; the discrete-time tangent tends to the continuous one (T10).
import { describe, expect, it } from "vitest";
import * as c from "@scm-ts/core";
import type { Tensor } from "@scm-ts/core";
import { gaussianMixtureOracle } from "@scm-ts/trigflow";
import { discreteCmLoss, diffusionLoss, scmLoss, scmTangent } from "./index.js";

const sd = 0.5;
const f64 = (v: ArrayLike<number>, shape: number[]) => c.array(Float64Array.from(v), shape, { dtype: "float64" });
const data = async (t: Tensor) => Float64Array.from(await t.data());
const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

// A small fixed MLP F(u, t) in float64 (an arbitrary smooth network).
function mlp(seed: number, d: number): (u: Tensor, t: Tensor) => Tensor {
  const k = c.random.split(c.random.key(seed), 3);
  const w1 = c.astype(c.mul(c.random.normal(k[0]!, [d + 1, 16]), 0.7), "float64");
  const w2 = c.astype(c.mul(c.random.normal(k[1]!, [16, d]), 0.3), "float64");
  return (u, t) => c.matmul(c.tanh(c.matmul(c.concat([u, c.reshape(t, [t.shape[0]!, 1])], 1), w1)), w2);
}

// Single Gaussian N(μ, s² I) in closed form (math.md, "The exact flow and consistency function"): f*, F_cm and
// the teacher F*.
function gaussian(mu: number[], s: number) {
  const m = f64(mu, [1, mu.length]);
  const a = (tc: Tensor) => c.sqrt(c.add(c.mul(c.square(c.cos(tc)), s * s), c.mul(c.square(c.sin(tc)), sd * sd)));
  const col = (t: Tensor) => c.reshape(t, [t.shape[0]!, 1]);
  const fStar = (x: Tensor, t: Tensor) => c.add(m, c.div(c.mul(c.sub(x, c.mul(c.cos(col(t)), m)), s), a(col(t))));
  const Fcm = (u: Tensor, t: Tensor) => {
    const x = c.mul(u, sd), tc = col(t);
    return c.div(c.sub(c.mul(c.cos(tc), x), fStar(x, t)), c.mul(c.sin(tc), sd));
  };
  const Fteacher = (u: Tensor, t: Tensor) => {
    const x = c.mul(u, sd), tc = col(t), e = c.sub(x, c.mul(c.cos(tc), m));
    const coef = c.div(c.mul(c.mul(c.sin(tc), c.cos(tc)), sd * sd - s * s), c.square(a(tc)));
    return c.div(c.add(c.mul(c.neg(c.sin(tc)), m), c.mul(coef, e)), sd);
  };
  return { Fcm, Fteacher };
}

describe("sCM tangent and losses", () => {
  it("g (r = 1, no normalisation) equals cos(t)·df/dt along the exact PF-ODE of a mixture", async () => {
    const oracle = gaussianMixtureOracle({ sigmaData: sd, components: [{ weight: 0.4, mean: [0.6, -0.2], covariance: { kind: "isotropic", variance: 0.05 } }, { weight: 0.6, mean: [-0.5, 0.3], covariance: { kind: "isotropic", variance: 0.1 } }] } as never);
    const F = mlp(1, 2);
    const ts = [0.3, 0.9, 1.3];
    const xs = [[0.2, -0.1], [0.5, 0.4], [-0.3, 0.7]];
    const xt = f64(xs.flat(), [3, 2]), t = f64(ts, [3]);
    const dxdt = f64(xs.flatMap((x, i) => Array.from(oracle.velocity(x, ts[i]!))), [3, 2]);
    const { g } = scmTangent({ F, sigmaData: sd, xt, t, dxdt, r: 1, normalization: { kind: "none" } });
    const got = await data(g);
    const h = 1e-5;
    for (let i = 0; i < 3; i++) {
      const f = async (tt: number) => {
        const x = oracle.flowMap(xs[i]!, ts[i]!, tt);
        const Fv = await data(F(f64(Array.from(x).map((v) => v / sd), [1, 2]), f64([tt], [1])));
        return Array.from(x).map((v, j) => Math.cos(tt) * v - Math.sin(tt) * sd * Fv[j]!);
      };
      const [fp, fm] = [await f(ts[i]! + h), await f(ts[i]! - h)];
      for (let j = 0; j < 2; j++) expect(got[2 * i + j]!).toBeCloseTo((Math.cos(ts[i]!) * (fp[j]! - fm[j]!)) / (2 * h), 6);
    }
  });

  it("at the exact consistency function with the exact teacher, g = 0 and the sCD gradient vanishes; away from it they do not", async () => {
    const { Fcm, Fteacher } = gaussian([0.4, -0.3, 0.1], 0.3);
    const B = 64;
    const k = c.random.split(c.random.key(3), 3);
    const x0 = c.add(c.mul(c.random.normal(k[0]!, [B, 3], { dtype: "float64" }), 0.3), f64([0.4, -0.3, 0.1], [1, 3]));
    const z = c.astype(c.mul(c.random.normal(k[1]!, [B, 3]), sd), "float64");
    const t = c.astype(c.add(c.mul(c.random.uniform(k[2]!, [B]), 1.5), 0.03), "float64");
    const phi = (u: Tensor, tt: Tensor) => c.sin(c.add(c.mul(u, 2), c.reshape(tt, [B, 1]))); // perturbation direction
    const lossAt = (theta0: number) => (theta: Tensor) =>
      scmLoss({ F: (u, tt) => c.add(Fcm(u, tt), c.mul(c.add(theta, theta0), phi(u, tt))), teacher: Fteacher, sigmaData: sd, x0, z, t, r: 1, normalization: { kind: "none" } }).loss;
    const theta = f64([0], []);
    const g0 = Math.abs((await data(c.grad(lossAt(0))(theta)))[0]!);
    const g1 = Math.abs((await data(c.grad(lossAt(0.2))(theta)))[0]!);
    expect(g0).toBeLessThan(1e-9);
    expect(g1).toBeGreaterThan(1e-3);
    const tan = scmTangent({ F: Fcm, sigmaData: sd, xt: c.add(c.mul(c.cos(c.reshape(t, [B, 1])), x0), c.mul(c.sin(c.reshape(t, [B, 1])), z)), t, dxdt: c.mul(Fteacher(c.div(c.add(c.mul(c.cos(c.reshape(t, [B, 1])), x0), c.mul(c.sin(c.reshape(t, [B, 1])), z)), sd), t), sd), r: 1, normalization: { kind: "none" } });
    expect(maxAbs(await data(tan.g))).toBeLessThan(1e-9);
    // tangent warm-up (r < 1) is not stationarity-preserving (T5)
    const gr = scmTangent({ F: Fcm, sigmaData: sd, xt: c.mul(x0, 1), t, dxdt: c.mul(Fteacher(c.div(x0, sd), t), sd), r: 0.5, normalization: { kind: "none" } });
    expect(maxAbs(await data(gr.g))).toBeGreaterThan(1e-3);
  });

  it("sCD stationarity holds for a two-component mixture with the oracle's consistency function and teacher", async () => {
    const oracle = gaussianMixtureOracle({ sigmaData: sd, components: [{ weight: 0.3, mean: [0.5, -0.4], covariance: { kind: "isotropic", variance: 0.06 } }, { weight: 0.7, mean: [-0.4, 0.2], covariance: { kind: "diagonal", variances: [0.1, 0.05] } }] });
    const rows = (fn: (u: number[], t: number) => ArrayLike<number>) => (u: Tensor, t: Tensor): Tensor => {
      const U = u.dataSync(), T = t.dataSync(), B = t.shape[0]!;
      return f64(Array.from({ length: B }, (_, i) => Array.from(fn([U[2 * i]!, U[2 * i + 1]!], T[i]!))).flat(), [B, 2]);
    };
    const FcmRaw = rows((u, t) => oracle.consistencyF(u, t));
    // The oracle is numeric, so its JVP is a float64 central difference along the tangent.
    const h = 1e-5;
    const Fcm = c.customJvp(FcmRaw, ([u, t], [du, dt]) => [FcmRaw(u, t), c.div(c.sub(FcmRaw(c.add(u, c.mul(du, h)), c.add(t, c.mul(dt, h))), FcmRaw(c.sub(u, c.mul(du, h)), c.sub(t, c.mul(dt, h)))), 2 * h)]);
    const teacher = rows((u, t) => oracle.diffusionF(u, t));
    const B = 12;
    const k = c.random.split(c.random.key(11), 3);
    const x0 = c.mul(c.random.normal(k[0]!, [B, 2], { dtype: "float64" }), 0.4);
    const z = c.mul(c.random.normal(k[1]!, [B, 2], { dtype: "float64" }), sd);
    const t = c.add(c.mul(c.random.uniform(k[2]!, [B], { dtype: "float64" }), 1.4), 0.1);
    const phi = (u: Tensor) => c.tanh(u);
    const gradAt = async (theta0: number) =>
      Math.abs((await data(c.grad((theta: Tensor) => scmLoss({ F: (u, tt) => c.add(Fcm(u, tt), c.mul(c.add(theta, theta0), phi(u))), teacher, sigmaData: sd, x0, z, t, normalization: { kind: "none" } }).loss)(f64([0], []))))[0]!);
    const [g0, g1] = [await gradAt(0), await gradAt(0.2)];
    expect(g0).toBeLessThan(1e-5);
    expect(g1).toBeGreaterThan(1e-2);
  });

  it("the discrete-time tangent tends to the continuous one as t′ → t", async () => {
    const F = mlp(2, 2);
    const B = 8;
    const k = c.random.split(c.random.key(5), 3);
    const x0 = c.astype(c.random.normal(k[0]!, [B, 2]), "float64"), z = c.astype(c.mul(c.random.normal(k[1]!, [B, 2]), sd), "float64");
    const t = c.astype(c.add(c.mul(c.random.uniform(k[2]!, [B]), 1.2), 0.2), "float64");
    // with a logvar-free loss and F_θ = F_θ⁻, loss = mean ‖g‖²/D, so compare the losses
    const cont = await data(scmLoss({ F, sigmaData: sd, x0, z, t, normalization: { kind: "none" } }).loss);
    const disc = await data(discreteCmLoss({ F, sigmaData: sd, x0, z, t, tPrev: c.sub(t, 1e-5), normalization: { kind: "none" } }).loss);
    expect(Math.abs(disc[0]! - cont[0]!) / cont[0]!).toBeLessThan(1e-3);
  });

  it("the diffusion loss is smaller at the exact teacher than away from it", async () => {
    const { Fteacher } = gaussian([0.4, -0.3], 0.3);
    const B = 2000;
    const k = c.random.split(c.random.key(9), 3);
    const x0 = c.add(c.mul(c.random.normal(k[0]!, [B, 2], { dtype: "float64" }), 0.3), f64([0.4, -0.3], [1, 2]));
    const z = c.astype(c.mul(c.random.normal(k[1]!, [B, 2]), sd), "float64");
    const t = c.astype(c.add(c.mul(c.random.uniform(k[2]!, [B]), 1.5), 0.03), "float64");
    const at = (eps: number) => diffusionLoss({ F: (u, tt) => c.add(Fteacher(u, tt), eps), sigmaData: sd, x0, z, t }).loss;
    const [l0, l1] = [(await data(at(0)))[0]!, (await data(at(0.1)))[0]!];
    expect(l0).toBeLessThan(l1);
  });

  it("rejects a teacher whose output does not match the data", () => {
    const x0 = c.zeros([4, 2]), z = c.zeros([4, 2]), t = c.full([4], 0.5);
    expect(() => scmLoss({ F: (u) => u, teacher: (u) => c.sum(u, 1, true), sigmaData: sd, x0, z, t })).toThrow(/teacher returned shape \[4,1\] for data \[4,2\]/);
    expect(() => scmLoss({ F: (u) => u, sigmaData: sd, x0, z, t: c.full([3], 0.5) })).toThrow(/times must be \[4\]/);
  });
});
