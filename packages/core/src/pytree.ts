// Pytrees: nested arrays and plain objects whose leaves are tensors (or other values). Transforms
// flatten their inputs to a list of leaves plus a tree definition, work on the flat list, and
// rebuild outputs (JAX's tree_flatten / tree_unflatten). null and undefined are empty subtrees.

/** The structure of a pytree without its leaves. */
export type TreeDef =
  | {
      /** A leaf: anything that is not null, undefined, an array or a plain object (a tensor, typically). */
      readonly kind: "leaf";
    }
  | {
      /** An empty node: null or undefined, kept as is and holding no leaves. */
      readonly kind: "none";
      /** Which of the two it was, so unflattening restores it. */
      readonly value: null | undefined;
    }
  | {
      /** An array node. */
      readonly kind: "array";
      /** The structure of each element, in index order. */
      readonly children: readonly TreeDef[];
    }
  | {
      /** A plain-object node (prototype Object.prototype or null). */
      readonly kind: "object";
      /** Its own enumerable keys, in insertion order. */
      readonly keys: readonly string[];
      /** The structure under each key, in the order of `keys`. */
      readonly children: readonly TreeDef[];
    };

/** A nested structure of arrays and plain objects. */
export type PyTree<T> = T | null | undefined | readonly PyTree<T>[] | { readonly [key: string]: PyTree<T> };

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Flattens a tree into its leaves (depth first, object keys in insertion order) and its TreeDef. */
export function treeFlatten<T = unknown>(tree: unknown): [T[], TreeDef] {
  const leaves: T[] = [];
  const walk = (x: unknown): TreeDef => {
    if (x === null || x === undefined) return { kind: "none", value: x };
    if (Array.isArray(x)) return { kind: "array", children: x.map(walk) };
    if (isPlainObject(x)) {
      const keys = Object.keys(x);
      return { kind: "object", keys, children: keys.map((k) => walk(x[k])) };
    }
    leaves.push(x as T);
    return { kind: "leaf" };
  };
  const def = walk(tree);
  return [leaves, def];
}

/** Rebuilds a tree from a TreeDef and leaves; throws when the leaf count does not match. */
export function treeUnflatten<T = unknown>(def: TreeDef, leaves: readonly unknown[]): T {
  let i = 0;
  const build = (d: TreeDef): unknown => {
    switch (d.kind) {
      case "leaf":
        if (i >= leaves.length) throw new Error(`treeUnflatten: too few leaves (${leaves.length})`);
        return leaves[i++];
      case "none":
        return d.value;
      case "array":
        return d.children.map(build);
      case "object": {
        const out: Record<string, unknown> = {};
        d.keys.forEach((k, j) => (out[k] = build(d.children[j]!)));
        return out;
      }
    }
  };
  const out = build(def);
  if (i !== leaves.length) throw new Error(`treeUnflatten: ${leaves.length} leaves for a tree with ${i}`);
  return out as T;
}

/** Number of leaves of a TreeDef. */
export function treeSize(def: TreeDef): number {
  switch (def.kind) {
    case "leaf":
      return 1;
    case "none":
      return 0;
    default:
      return def.children.reduce((n, c) => n + treeSize(c), 0);
  }
}

/** A compact string of a TreeDef, used in cache keys and error messages. */
export function treeDefString(def: TreeDef): string {
  switch (def.kind) {
    case "leaf":
      return "*";
    case "none":
      return String(def.value);
    case "array":
      return `[${def.children.map(treeDefString).join(",")}]`;
    case "object":
      return `{${def.keys.map((k, i) => `${k}:${treeDefString(def.children[i]!)}`).join(",")}}`;
  }
}

/** True when two TreeDefs have the same structure. */
export function treeDefEqual(a: TreeDef, b: TreeDef): boolean {
  return treeDefString(a) === treeDefString(b);
}

/** Applies `fn` to every leaf, keeping the structure (typed as the input: leaves map to leaves of the same kind). */
export function treeMap<T>(tree: T, fn: (leaf: any, index: number) => unknown): T {
  const [leaves, def] = treeFlatten<unknown>(tree);
  return treeUnflatten<T>(def, leaves.map(fn));
}

/** Applies `fn` to the matching leaves of several trees with the same structure. */
export function treeMapN<B>(trees: readonly unknown[], fn: (...leaves: any[]) => B, where = "treeMapN"): any {
  const flat = trees.map((t) => treeFlatten(t));
  const def = flat[0]![1];
  flat.forEach(([, d], i) => {
    if (!treeDefEqual(d, def)) {
      throw new Error(`${where}: tree ${i} has structure ${treeDefString(d)} but tree 0 has ${treeDefString(def)}`);
    }
  });
  const n = flat[0]![0].length;
  const out = Array.from({ length: n }, (_, j) => fn(...flat.map(([l]) => l[j])));
  return treeUnflatten(def, out);
}

/** The leaves of a tree. */
export function treeLeaves<T = unknown>(tree: unknown): T[] {
  return treeFlatten<T>(tree)[0];
}
