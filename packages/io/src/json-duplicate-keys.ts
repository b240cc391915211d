// Finding a repeated key in JSON text. `JSON.parse` silently keeps the last of two equal keys, so a
// header `{"x": A, "x": B}` would be read as B by us and perhaps as A by another reader: two readers,
// two files. This scanner walks text that `JSON.parse` has already accepted, keeps the set of keys seen
// in each open object, and reports the first key that repeats. Keys are compared after unescaping
// (`"a"` and `"\u0061"` are the same key), as the parsed object would see them. One pass, O(length).

/** A key that appears twice in one JSON object, and the keys of the objects enclosing it. */
export interface DuplicateKey {
  /** The repeated key, unescaped. */
  readonly key: string;
  /** The keys leading to the object that repeats it, outermost first (empty for the top level). */
  readonly path: readonly string[];
}

/** One open container: the keys of an object (null for an array) and the key last read in it. */
interface Frame {
  readonly keys: Set<string> | null;
  last: string;
}

/**
 * The first repeated key of any object in `text`, or null when no object repeats a key. `text` must be
 * JSON that `JSON.parse` accepts (parse it first: the scanner relies on its syntax being valid).
 */
export function firstDuplicateKey(text: string): DuplicateKey | null {
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      // The string runs to the next quote not escaped by a backslash.
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return { key, path: stack.slice(0, -1).map((f) => f.last) };
        top.keys.add(key);
        top.last = key;
        expectKey = false;
      }
      i = j;
    } else if (ch === 0x7b /* { */) {
      stack.push({ keys: new Set(), last: "" });
      expectKey = true;
    } else if (ch === 0x5b /* [ */) {
      stack.push({ keys: null, last: "[]" });
      expectKey = false;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (ch === 0x2c /* , */) {
      expectKey = stack[stack.length - 1]?.keys != null;
    }
  }
  return null;
}
