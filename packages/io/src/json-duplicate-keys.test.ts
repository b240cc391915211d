// The duplicate-key scanner: JSON that `JSON.stringify` writes never repeats a key (any object, any
// depth, fixed-seed random values); one key inserted again anywhere is found with its path, also when the
// two spellings differ only in escapes; strings holding quotes, braces and commas do not confuse it.
import { describe, expect, it } from "vitest";
import * as fc from "fast-check";
import { fcParams } from "@scm-ts/testing";
import { firstDuplicateKey } from "./json-duplicate-keys.js";

describe("firstDuplicateKey", () => {
  it("finds nothing in JSON.stringify output", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(firstDuplicateKey(JSON.stringify(value))).toBeNull();
      }),
      fcParams(200),
    );
  });

  it("finds a key repeated in any object, with the path to it", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), fc.array(fc.string(), { maxLength: 3 }), fc.nat(), (object, path, pick) => {
        const keys = Object.keys(object);
        const key = keys[pick % keys.length]!;
        // Re-serialize the object with its chosen key written a second time at the end.
        const inner = `${JSON.stringify(object).slice(0, -1)},${JSON.stringify(key)}:0}`;
        const text = path.reduceRight((body, k) => `{"before":[1,{"a":"}"}],${JSON.stringify(k)}:${body}}`, inner);
        fc.pre(path.every((k) => k !== "before"));
        expect(firstDuplicateKey(text)).toEqual({ key, path });
      }),
      fcParams(200),
    );
  });

  it("compares keys after unescaping, and is not fooled by strings", () => {
    expect(firstDuplicateKey('{"a":1,"\\u0061":2}')).toEqual({ key: "a", path: [] });
    expect(firstDuplicateKey('{"x":{"dtype":"F32","shape":[1],"dtype":"F64"}}')).toEqual({ key: "dtype", path: ["x"] });
    expect(firstDuplicateKey('{"a":"\\",\\"a\\":","b":["a","a"],"c":{"a":{},"b":{"a":1}}}')).toBeNull();
    expect(firstDuplicateKey('[{"a":1},{"a":2}]')).toBeNull();
  });
});
