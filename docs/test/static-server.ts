// A static file server on 127.0.0.1 (an ephemeral port) for the built site, for the end-to-end
// tests: serves `root`, maps "/" and extension-less paths to .html as VitePress's build expects, and
// answers 404 outside the root. Optionally it adds response headers (the cross-origin isolation
// headers, under which a browser gives pages SharedArrayBuffer) and serves a few files from memory.
import { createServer, type Server } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".json": "application/json",
  ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2", ".wasm": "application/wasm", ".txt": "text/plain",
};

/** A running server and its base URL. */
export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isFile(), () => false);
}

/** Options of `serveStatic`. */
export interface ServeOptions {
  /** Headers added to every answer. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Files served from memory, by path ("/page.html"), before the folder. */
  readonly files?: Readonly<Record<string, string>>;
}

/** The headers that make a page cross-origin isolated (and so give it SharedArrayBuffer and shared WebAssembly memory). */
export const crossOriginIsolation: Readonly<Record<string, string>> = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

/** Serves the folder `root` until `close`. */
export async function serveStatic(root: string, options: ServeOptions = {}): Promise<StaticServer> {
  const base = resolve(root);
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    for (const [k, v] of Object.entries(options.headers ?? {})) res.setHeader(k, v);
    const inMemory = options.files?.[path];
    if (inMemory !== undefined) {
      res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(inMemory);
      return;
    }
    const file = normalize(join(base, path));
    const candidates = path.endsWith("/") ? [join(file, "index.html")] : [file, `${file}.html`];
    let found: string | undefined;
    if (file.startsWith(base)) for (const f of candidates) if (!found && (await isFile(f))) found = f;
    if (!found) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { "content-type": types[extname(found)] ?? "application/octet-stream" }).end(await readFile(found));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("serveStatic: the server has no TCP address");
  return { url: `http://127.0.0.1:${address.port}`, close: () => new Promise((ok) => server.close(() => ok())) };
}
