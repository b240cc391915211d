// End-to-end: the built site (npm run docs:build) served on localhost and opened in headless
// Chromium through playwright-core. The demo page trains for a few seconds, inside its first phase
// (diffusion pre-training; sCT from the diffusion EMA follows, and sct-trainer.test.ts runs the whole
// run in Node); the test asserts the page shows that phase and the run's length, the loss went down,
// the sample panels were drawn (blue and red points on the canvases), no page error happened, and
// writes a screenshot to docs/test-output/. It runs the demo twice: without a GPU (the CPU backend, as
// on a machine without WebGPU) and with Chromium's SwiftShader WebGPU adapter (the WebGPU backend in a
// browser). It also loads the home, a guide and an API page. Without Chromium it skips with one line,
// except in CI or with SCM_REQUIRE_BROWSER=1, where it fails.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserRequired, chromiumArgs, chromiumWebGpuArgs, findChromium } from "./browser.js";
import { serveStatic, type StaticServer } from "./static-server.js";

const docs = fileURLToPath(new URL("..", import.meta.url));
const dist = join(docs, ".vitepress", "dist");
const executable = findChromium();
if (!executable && !browserRequired()) console.log("e2e: skipped, no Chromium (apt-get install chromium, or set CHROMIUM_PATH)");

describe.skipIf(!executable && !browserRequired())("the built docs site in headless Chromium", () => {
  let server: StaticServer;
  const contexts: BrowserContext[] = [], profiles: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    if (!executable) throw new Error("e2e: no Chromium at /usr/bin/chromium (or CHROMIUM_PATH), and CI/SCM_REQUIRE_BROWSER requires one: apt-get install -y --no-install-recommends chromium");
    if (!existsSync(join(dist, "demo.html"))) throw new Error(`e2e: no built site in ${dist}; run npm run docs:build first`);
    server = await serveStatic(dist);
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await server?.close();
    for (const p of profiles) rmSync(p, { recursive: true, force: true });
  });

  const launch = async (args: string[]): Promise<BrowserContext> => {
    const profile = mkdtempSync(join(tmpdir(), "scm-docs-chromium-"));
    profiles.push(profile);
    const context = await chromium.launchPersistentContext(profile, { executablePath: executable!, headless: true, args, viewport: { width: 1100, height: 1000 } });
    contexts.push(context);
    return context;
  };

  const open = async (context: BrowserContext, path: string): Promise<Page> => {
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(`${path}: ${e.message}`));
    const res = await page.goto(`${server.url}${path}`);
    expect(res?.status(), path).toBe(200);
    return page;
  };

  /**
   * Trains on the demo page until `minSteps`, stops, saves a screenshot, and checks the status and the
   * plots: every panel got (nearly) all its 1000 points, and the canvases hold more than `minPixels`
   * pixels of the points' colours. In the diffusion phase the 1-step samples of the diffusion model all
   * land near the data's mean (one dot: a diffusion model is no one-step sampler), so that panel only
   * needs a few. With `lossFalls`, the loss of the last steps is below that of the first: at 120
   * diffusion steps it is (1.00 → 0.92 in Node), at 8 it is within the batches' noise.
   */
  const runDemo = async (context: BrowserContext, minSteps: number, minPixels: number, lossFalls: boolean, screenshot: string, query = "") => {
    const page = await open(context, `/demo.html${query}`);
    const demo = page.getByTestId("sct-demo");
    await expect.poll(() => demo.getAttribute("data-loaded"), { timeout: 30_000 }).toBe("true");
    await page.getByTestId("train").click();
    await expect.poll(async () => Number(await demo.getAttribute("data-step")), { timeout: 150_000, interval: 250 }).toBeGreaterThanOrEqual(minSteps);
    await page.getByTestId("train").click(); // stop
    await expect.poll(() => demo.getAttribute("data-running"), { timeout: 30_000 }).toBe("false");
    const attr = async (name: string) => Number(await demo.getAttribute(name));
    const backend = await demo.getAttribute("data-backend");
    mkdirSync(join(docs, "test-output"), { recursive: true });
    await demo.screenshot({ path: join(docs, "test-output", screenshot) });
    const [lossStart, lossRecent, draws] = [await attr("data-loss-start"), await attr("data-loss-recent"), await attr("data-sample-draws")];
    const phase = await demo.getAttribute("data-phase");
    console.log(`e2e demo: backend ${backend}, ${await attr("data-step")} steps (${phase}), loss ${lossStart.toFixed(3)} → ${lossRecent.toFixed(3)}, ${draws} sample redraws`);
    expect(await attr("data-total-steps")).toBe(7000);
    expect(phase).toBe("diffusion");
    expect(await page.getByTestId("phase").textContent()).toContain("phase 1 of 2: diffusion");
    expect(Number.isFinite(lossRecent)).toBe(true);
    if (lossFalls) expect(lossRecent).toBeLessThan(lossStart);
    expect(draws).toBeGreaterThanOrEqual(2);
    expect(await attr("data-points-drawn")).toBeGreaterThanOrEqual(900);
    // Count the points' pixels on each canvas (blue for 1 step and the loss, red for 2 steps).
    const colored = (id: string, rgb: [number, number, number]) =>
      page.getByTestId(id).evaluate((el, c) => {
        const canvas = el as HTMLCanvasElement;
        const d = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]! - c[0]) < 8 && Math.abs(d[i + 1]! - c[1]) < 8 && Math.abs(d[i + 2]! - c[2]) < 8) n++;
        return n;
      }, rgb);
    expect(await colored("canvas-one-step", [31, 119, 180])).toBeGreaterThan(phase === "diffusion" ? 4 : minPixels);
    expect(await colored("canvas-two-step", [214, 39, 40])).toBeGreaterThan(minPixels);
    expect(await colored("canvas-loss", [31, 119, 180])).toBeGreaterThan(50);
    await page.close();
    return backend;
  };

  it("renders the home page, a guide and the API reference", async () => {
    const context = await launch(chromiumArgs);
    for (const [path, text] of [["/", "scm-ts"], ["/guide/engine.html", "jvp"], ["/api/@scm-ts/core/", "jvp"]] as const) {
      const page = await open(context, path);
      expect(await page.textContent("body"), path).toContain(text);
      await page.close();
    }
    expect(errors).toEqual([]);
  }, 60_000);

  it("trains the demo on the CPU backend (no WebGPU adapter): the loss falls and the samples are drawn", async () => {
    expect(await runDemo(contexts[0] ?? (await launch(chromiumArgs)), 120, 500, true, "demo.png")).toBe("cpu");
    expect(errors).toEqual([]);
  }, 240_000);

  it("trains the demo on WebGPU (SwiftShader adapter, asked for by the address: auto prefers the CPU to a software adapter)", async () => {
    expect(await runDemo(await launch(chromiumWebGpuArgs), 8, 20, false, "demo-webgpu.png", "?backend=webgpu")).toBe("webgpu");
    expect(errors).toEqual([]);
  }, 240_000);
});
