// The tensor teacher of a Gaussian mixture equals trigflow's exact oracle F*(u, t) (float64, at times
// across [0, π/2] and points near and far from the modes) for isotropic and diagonal components, and
// refuses a full covariance or mismatched lengths by name.
import * as c from "@scm-ts/core";
import type { MixtureComponent } from "@scm-ts/core";
import { gaussianMixtureOracle } from "@scm-ts/trigflow";
import { describe, expect, it } from "vitest";
import { mixtureTeacher } from "./mixture-teacher.js";

const sd = 0.5;
const components: MixtureComponent[] = [
  { weight: 1, mean: [-0.6, 0.2, 0.1], covariance: { kind: "isotropic", variance: 0.02 } },
  { weight: 3, mean: [0.4, -0.3, 0.5], covariance: { kind: "diagonal", variances: [0.01, 0.09, 0.3] } },
  { weight: 2, mean: [0.1, 0.6, -0.4], covariance: { kind: "diagonal", variances: [0.2, 0.004, 0.05] } },
];

describe("mixtureTeacher", () => {
  it("equals the exact oracle's F* for isotropic and diagonal components", async () => {
    const F = mixtureTeacher(components, sd, "float64");
    const oracle = gaussianMixtureOracle({ components, sigmaData: sd });
    const u = [[-1.2, 0.4, 0.2], [0.8, -0.6, 1], [0.2, 1.2, -0.8], [3, -2, 2.5]];
    for (const t of [0.01, 0.4, 1.1, Math.PI / 2 - 1e-3]) {
      const out = await F(c.array(u, undefined, { dtype: "float64" }), c.full([u.length], t, { dtype: "float64" })).data();
      u.forEach((row, b) => {
        const want = oracle.diffusionF(row, t);
        want.forEach((v, i) => expect(Math.abs(out[b * 3 + i]! - v)).toBeLessThan(1e-10 * (1 + Math.abs(v))));
      });
    }
  });

  it("refuses a full covariance and mismatched lengths, naming the component", () => {
    const full: MixtureComponent = { weight: 1, mean: [0, 0, 0], covariance: { kind: "full", matrix: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] } };
    expect(() => mixtureTeacher([components[0]!, full], sd)).toThrow(/component 1 has a full covariance/);
    expect(() => mixtureTeacher([components[0]!, { weight: 1, mean: [0, 0], covariance: { kind: "isotropic", variance: 1 } }], sd)).toThrow(/component 1 has a mean of length 2/);
    expect(() => mixtureTeacher([{ weight: 1, mean: [0, 0], covariance: { kind: "diagonal", variances: [1] } }], sd)).toThrow(/component 0 has 1 variances for a mean of length 2/);
    expect(() => mixtureTeacher([], sd)).toThrow(/no components/);
  });
});
