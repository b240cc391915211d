// A Vite plugin for the browser bundle: the packages' Node-only paths (reading files, worker
// threads) import `node:*` modules that a browser does not have. Vite's own stand-in exports no
// names, so named imports fail the build; this one exports every name the real module has, each a
// function that throws "<module>.<name> is not available in the browser" if it is ever called. The
// browser demo never calls them; the server-side render keeps the real modules.
import { builtinModules } from "node:module";
import type { UserConfig } from "vitepress";

// Vite's Plugin type as VitePress's own Vite (5) sees it; the workspace root has a newer Vite.
type Plugin = Extract<NonNullable<NonNullable<UserConfig["vite"]>["plugins"]>[number], { name: string }>;

const prefix = "\0browser-stub:";
const identifier = /^[A-Za-z_$][\w$]*$/;

/** Replaces Node built-in modules by throwing stand-ins in the client bundle. */
export function nodeBuiltinsStub(): Plugin {
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  return {
    name: "scm-ts:node-builtins-stub",
    enforce: "pre",
    resolveId(id, _importer, options) {
      if (options?.ssr || !builtins.has(id)) return null;
      return prefix + (id.startsWith("node:") ? id : `node:${id}`);
    },
    async load(id) {
      if (!id.startsWith(prefix)) return null;
      const name = id.slice(prefix.length);
      const real = (await import(name)) as Record<string, unknown>;
      const names = Object.keys(real).filter((k) => k !== "default" && identifier.test(k));
      const stub = (k: string) => `() => { throw new Error(${JSON.stringify(`${name}.${k} is not available in the browser`)}); }`;
      return [
        `const fail = ${stub("*")};`,
        `const stub = new Proxy(fail, { get: (_t, k) => (k === "then" ? undefined : ${stub("*")}) });`,
        ...names.map((k) => `export const ${k} = ${stub(k)};`),
        "export default stub;",
      ].join("\n");
    },
  };
}
