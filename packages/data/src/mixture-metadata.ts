// A Gaussian mixture described in a data file's metadata, so that data with a known density (made by a
// script from a mixture) can be scored with mode-aware metrics after loading: the key `scm.mixture` holds
// JSON {"components": [{"weight", "mean", "covariance": {"kind": "isotropic", "variance"} |
// {"kind": "diagonal", "variances"} | {"kind": "full", "matrix"}}]} — the `MixtureComponent` format of
// `gaussianMixture` (and trigflow's oracle). Malformed JSON, a wrong field, a mean whose length is not the
// examples' size, or an invalid covariance comes back as a `DataError` naming the file, the key and the
// problem; a valid description gives the components with weights normalised.
import * as E from "fp-ts/lib/Either.js";
import { dataError } from "./data-error.js";
import type { Covariance, MixtureComponent } from "@scm-ts/core";
import { gaussianMixture } from "./toys/gaussian-mixture.js";

/** The metadata key of a mixture description. */
export const mixtureMetadataKey = "scm.mixture";

type Check<T> = E.Either<string, T>;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === "number");

function covarianceOf(k: number, raw: unknown): Check<Covariance> {
  const where = `components[${k}].covariance`;
  if (!isObject(raw)) return E.left(`${where} is not an object {"kind", …}`);
  if (raw["kind"] === "isotropic") {
    return typeof raw["variance"] === "number" ? E.right({ kind: "isotropic", variance: raw["variance"] }) : E.left(`${where}: an isotropic covariance needs a number "variance"`);
  }
  if (raw["kind"] === "diagonal") {
    const variances = raw["variances"];
    return isNumberArray(variances) ? E.right({ kind: "diagonal", variances }) : E.left(`${where}: a diagonal covariance needs "variances", a list of numbers`);
  }
  if (raw["kind"] === "full") {
    const matrix = raw["matrix"];
    return Array.isArray(matrix) && matrix.every(isNumberArray) ? E.right({ kind: "full", matrix }) : E.left(`${where}: a full covariance needs "matrix", a list of rows of numbers`);
  }
  return E.left(`${where} has kind ${JSON.stringify(raw["kind"])}; expected "isotropic", "diagonal" or "full"`);
}

function componentOf(k: number, raw: unknown): Check<MixtureComponent> {
  if (!isObject(raw)) return E.left(`components[${k}] is not an object {"weight", "mean", "covariance"}`);
  const { weight, mean } = raw;
  if (typeof weight !== "number") return E.left(`components[${k}].weight is ${JSON.stringify(weight)}; expected a positive number`);
  if (!isNumberArray(mean)) return E.left(`components[${k}].mean is not a list of numbers`);
  return E.map((covariance: Covariance) => ({ weight, mean, covariance }))(covarianceOf(k, raw["covariance"]));
}

/**
 * The mixture described by the metadata value `text` of `source`, for examples of `dimension` values;
 * throws a `DataError` ("format", or "shape" for a dimension mismatch) naming the key and the problem otherwise.
 */
export function parseMixtureMetadata(source: string, text: string, dimension: number): readonly MixtureComponent[] {
  const fail = (detail: string, kind: "format" | "shape" = "format"): never => {
    throw dataError(kind, source, `metadata key "${mixtureMetadataKey}": ${detail}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    return fail(`is not valid JSON (${cause instanceof Error ? cause.message : String(cause)}); expected {"components": [{"weight", "mean", "covariance"}, …]}`);
  }
  if (!isObject(json) || !Array.isArray(json["components"]) || json["components"].length === 0) {
    return fail(`expected {"components": [{"weight", "mean", "covariance"}, …]} with at least one component`);
  }
  const components: MixtureComponent[] = [];
  for (const [k, raw] of json["components"].entries()) {
    const c = componentOf(k, raw);
    if (E.isLeft(c)) return fail(c.left);
    if (c.right.mean.length !== dimension) {
      return fail(`components[${k}].mean has length ${c.right.mean.length} but an example has ${dimension} values; the dimensions must match`, "shape");
    }
    components.push(c.right);
  }
  try {
    return gaussianMixture(components).components;
  } catch (cause) {
    // gaussianMixture's RangeErrors name the component and the value (weights, finiteness, symmetry, PSD).
    return fail(cause instanceof Error ? cause.message : String(cause));
  }
}
