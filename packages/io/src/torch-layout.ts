// PyTorch's checkpoint layout: how a checkpoint's trees map to the names and shapes a PyTorch user
// writes, and back. The model parameters sit at the root under their module paths in snake_case
// (`net.blocks.0.fc0.weight`, `logvar.linear.bias`); a linear map's weight is stored [out, in]
// (`nn.Linear`'s layout; the engine keeps [in, out]), a norm's γ is `weight`, a one-hot class table
// [K, E] is the `weight` [E, K] of a bias-free `nn.Linear(K, E)`; convolutions are OIHW on both sides.
// The training state lives under `train.`: `train.ema.<param name>` and `train.optimizer.<field>.<param
// name>` with Adam's fields under `torch.optim.Adam`'s names (mu → exp_avg, nu → exp_avg_sq, count →
// step). The mapping is a pure function of a name and a shape, so it inverts without the model; the
// writer checks that every name it stores inverts to itself, so a tree it cannot express is refused
// rather than misread later.

/** The checkpoint trees the layout places. */
export type LayoutField = "params" | "ema" | "optimizer";

/** A stored name and whether the stored tensor is the transpose of the in-memory one. */
export interface StoredName {
  /** The tensor's name in the file. */
  readonly name: string;
  /** True for a 2-D tensor stored transposed (linear weights: engine [in, out], file [out, in]). */
  readonly transpose: boolean;
}

/** An in-memory tree path: which tree, the dotted path inside it, and whether the file holds the transpose. */
export interface TreePath {
  /** The checkpoint tree. */
  readonly field: LayoutField;
  /** The dotted path inside the tree ("" for a tree that is one tensor). */
  readonly path: string;
  /** True when the stored tensor is the transpose of the in-memory one. */
  readonly transpose: boolean;
}

/** The prefix of the training state (EMA, optimizer) in the file. */
export const trainPrefix = "train";

const optimizerNames: Readonly<Record<string, string>> = { mu: "exp_avg", nu: "exp_avg_sq", count: "step" };
const optimizerBack: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(optimizerNames).map(([a, b]) => [b, a]));

// mapNoise0 → map_noise0; segments that start with a digit ("8x8_block0") or are indices stay as they are.
const toSnake = (s: string): string => (/^[a-z]/.test(s) ? s.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`) : s);
const toCamel = (s: string): string => (/^[a-z]/.test(s) ? s.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase()) : s);

// The leaf renames, by the leaf's own name, its parent's and its rank.
function leafToTorch(leaf: string, parent: string | undefined, rank: number): StoredName {
  if (leaf === "scale" && rank === 1) return { name: "weight", transpose: false }; // a norm's γ
  if (leaf === "table" && rank === 2 && parent === "mapLabel") return { name: "weight", transpose: true }; // one-hot rows · table = F.linear(rows, tableᵀ)
  if (leaf === "weight" && rank === 2) return { name: "weight", transpose: true }; // nn.Linear stores [out, in]
  return { name: toSnake(leaf), transpose: false };
}

function leafFromTorch(leaf: string, parent: string | undefined, rank: number): StoredName {
  if (leaf === "weight" && rank === 1) return { name: "scale", transpose: false };
  if (leaf === "weight" && rank === 2 && parent === "mapLabel") return { name: "table", transpose: true };
  if (leaf === "weight" && rank === 2) return { name: "weight", transpose: true };
  return { name: toCamel(leaf), transpose: false };
}

function mapPath(segments: readonly string[], rank: number, leafMap: typeof leafToTorch, seg: (s: string) => string): { segments: string[]; transpose: boolean } {
  if (segments.length === 0) return { segments: [], transpose: false };
  const inner = segments.slice(0, -1).map(seg);
  const parentIn = segments.length > 1 ? segments[segments.length - 2] : undefined;
  // The parent is matched in the engine's spelling on both ways (camelCase).
  const parent = parentIn === undefined ? undefined : leafMap === leafToTorch ? parentIn : toCamel(parentIn);
  const leaf = leafMap(segments[segments.length - 1]!, parent, rank);
  return { segments: [...inner, leaf.name], transpose: leaf.transpose };
}

/** The stored name of the tensor at `path` (dotted, "" for the tree itself) of tree `field`, of rank `rank`. */
export function torchName(field: LayoutField, path: string, rank: number): StoredName {
  const segments = path === "" ? [] : path.split(".");
  const head = field === "params" ? [] : field === "ema" ? [trainPrefix, "ema"] : [trainPrefix, "optimizer"];
  if (field === "optimizer" && segments.length > 0 && Object.hasOwn(optimizerNames, segments[0]!)) head.push(optimizerNames[segments.shift()!]!);
  const mapped = mapPath(segments, rank, leafToTorch, toSnake);
  const all = [...head, ...mapped.segments];
  return { name: all.length > 0 ? all.join(".") : field, transpose: mapped.transpose };
}

/** The tree path of a stored name (the inverse of `torchName`), or null when `train.` holds an unknown tree. */
export function treePath(name: string, rank: number): TreePath | null {
  const segments = name.split(".");
  let field: LayoutField = "params";
  if (segments[0] === trainPrefix) {
    if (segments[1] === "ema") field = "ema";
    else if (segments[1] === "optimizer") field = "optimizer";
    else return null;
    segments.splice(0, 2);
  } else if (segments.length === 1 && segments[0] === "params") {
    return { field, path: "", transpose: false };
  }
  const head: string[] = [];
  if (field === "optimizer" && segments.length > 0 && Object.hasOwn(optimizerBack, segments[0]!)) head.push(optimizerBack[segments.shift()!]!);
  const mapped = mapPath(segments, rank, leafFromTorch, toCamel);
  return { field, path: [...head, ...mapped.segments].join("."), transpose: mapped.transpose };
}
