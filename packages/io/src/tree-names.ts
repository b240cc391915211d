// Pytrees ↔ named tensors: a tree of tensors (nested plain objects and arrays, as in core's pytrees) is
// flattened to dotted names under a prefix — `params.layer1.w`, `optimizer.mu.blocks.0.b` — the naming
// PyTorch state dicts use, so checkpoints read naturally on both sides. Names are rebuilt into a tree
// either against a template (checking every name, shape and dtype, the safe way to load into a model)
// or, without one, from the names alone (objects whose keys are 0…n−1 become arrays).
import { Tensor } from "@scm-ts/core";
import { fromHost, type HostTensor } from "./host-tensor.js";

/** A named leaf: an engine tensor, or a number (stored as a 0-d float64 tensor). */
export type NamedLeaf = readonly [name: string, leaf: Tensor | number];

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null);

/** Flattens `tree` to named leaves under `prefix`; throws a message naming the offending path. */
export function flattenNamed(tree: unknown, prefix: string): NamedLeaf[] {
  const out: NamedLeaf[] = [];
  const walk = (x: unknown, name: string): void => {
    if (x === null || x === undefined) return;
    if (x instanceof Tensor || typeof x === "number") out.push([name, x]);
    else if (Array.isArray(x)) x.forEach((c, i) => walk(c, `${name}.${i}`));
    else if (isPlainObject(x)) {
      for (const [k, c] of Object.entries(x)) {
        if (k === "" || k.includes(".")) throw new Error(`tree key ${JSON.stringify(k)} at "${name}" is empty or contains "."; rename it (dots separate path segments in tensor names)`);
        walk(c, `${name}.${k}`);
      }
    } else throw new Error(`"${name}" is a ${typeof x === "object" ? x.constructor?.name : typeof x}, not a tensor, number, array or plain object; checkpoints hold only those`);
  };
  walk(tree, prefix);
  return out;
}

function describe(h: HostTensor): string {
  return `${h.dtype}[${h.shape.join(", ")}]`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Rebuilds `template`'s structure from `stored` tensors named under `prefix`, checking that every
 * template leaf has a stored tensor of the same shape and dtype and that no stored name under the prefix
 * is left over. Returns the tree, or a list of problems (each naming the tensor) when any check fails.
 */
export function restoreNamed(
  template: unknown,
  prefix: string,
  stored: ReadonlyMap<string, HostTensor>,
): {
  /** The rebuilt tree, shaped like the template. */
  tree: unknown;
} | {
  /** What did not match, one line per tensor. */
  problems: string[];
} {
  const problems: string[] = [];
  const used = new Set<string>();
  const walk = (x: unknown, name: string): unknown => {
    if (x === null || x === undefined) return x;
    if (x instanceof Tensor || typeof x === "number") {
      const h = stored.get(name);
      used.add(name);
      const want: HostTensor = x instanceof Tensor ? { dtype: x.dtype, shape: x.shape, data: new Uint8Array(0) } : { dtype: "float64", shape: [], data: new Uint8Array(0) };
      if (h === undefined) problems.push(`"${name}" (${describe(want)}) is missing`);
      else if (h.dtype !== want.dtype || !sameShape(h.shape, want.shape)) problems.push(`"${name}" is ${describe(h)} but the model expects ${describe(want)}`);
      else return typeof x === "number" ? h.data[0]! : fromHost(h);
      return x;
    }
    if (Array.isArray(x)) return x.map((c, i) => walk(c, `${name}.${i}`));
    if (isPlainObject(x)) return Object.fromEntries(Object.entries(x).map(([k, c]) => [k, walk(c, `${name}.${k}`)]));
    problems.push(`"${name}" in the template is a ${typeof x}, not a tensor, number, array or plain object`);
    return x;
  };
  const tree = walk(template, prefix);
  for (const name of stored.keys()) {
    if ((name === prefix || name.startsWith(`${prefix}.`)) && !used.has(name)) problems.push(`"${name}" is in the file but not in the model`);
  }
  return problems.length > 0 ? { problems } : { tree };
}

function arrayify(node: unknown): unknown {
  if (node instanceof Tensor || !isPlainObject(node)) return node;
  const keys = Object.keys(node);
  const children = keys.map((k) => arrayify(node[k]));
  const isArray = keys.length > 0 && keys.every((k, i) => k === String(i));
  return isArray ? children : Object.fromEntries(keys.map((k, i) => [k, children[i]]));
}

/**
 * Rebuilds a tree from the tensors named under `prefix` alone (no template): name segments become
 * nested objects, and objects keyed 0…n−1 become arrays. A tensor named exactly `prefix` is the tree.
 */
export function treeFromNames(prefix: string, stored: ReadonlyMap<string, HostTensor>): unknown {
  if (stored.has(prefix)) return fromHost(stored.get(prefix)!);
  // Null-prototype nodes: a hostile name segment such as "__proto__" stays an ordinary key.
  const root: Record<string, unknown> = Object.create(null);
  let any = false;
  const names = [...stored.keys()].filter((n) => n.startsWith(`${prefix}.`));
  names.sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  for (const name of names) {
    const segments = name.slice(prefix.length + 1).split(".");
    let node = root;
    segments.slice(0, -1).forEach((s) => {
      const next = node[s];
      node = (isPlainObject(next) ? next : (node[s] = Object.create(null))) as Record<string, unknown>;
    });
    node[segments[segments.length - 1]!] = fromHost(stored.get(name)!);
    any = true;
  }
  return any ? arrayify(root) : undefined;
}
