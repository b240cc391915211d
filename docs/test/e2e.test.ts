// End-to-end: the built site (npm run docs:build) served on localhost and opened in headless
// Chromium through playwright-core. The demo page trains for a few seconds; the test asserts the
// loss went down, the sample panels were drawn (blue and red points on the canvases), no page error
// happened, and writes a screenshot to docs/test-output/demo.png. It also loads the home, a guide
// and an API page. Without Chromium it skips with one line, except in CI or with
// SCM_REQUIRE_BROWSER=1, where it fails.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserRequired, chromiumArgs, findChromium } from "./browser.js";
import { serveStatic, type StaticServer } from "./static-server.js";

const docs = fileURLToPath(new URL("..", import.meta.url));
const dist = join(docs, ".vitepress", "dist");
const executable = findChromium();
if (!executable && !browserRequired()) console.log("e2e: skipped, no Chromium (apt-get install chromium, or set CHROMIUM_PATH)");

describe.skipIf(!executable && !browserRequired())("the built docs site in headless Chromium", () => {
  let server: StaticServer, context: BrowserContext, profile: string;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!executable) throw new Error("e2e: no Chromium at /usr/bin/chromium (or CHROMIUM_PATH), and CI/SCM_REQUIRE_BROWSER requires one: apt-get install -y --no-install-recommends chromium");
    if (!existsSync(join(dist, "demo.html"))) throw new Error(`e2e: no built site in ${dist}; run npm run docs:build first`);
    server = await serveStatic(dist);
    profile = mkdtempSync(join(tmpdir(), "scm-docs-chromium-"));
    context = await chromium.launchPersistentContext(profile, { executablePath: executable, headless: true, args: chromiumArgs, viewport: { width: 1100, height: 1000 } });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const open = async (path: string): Promise<Page> => {
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(`${path}: ${e.message}`));
    const res = await page.goto(`${server.url}${path}`);
    expect(res?.status(), path).toBe(200);
    return page;
  };

  it("renders the home page, a guide and the API reference", async () => {
    for (const [path, text] of [["/", "scm-ts"], ["/guide/engine.html", "jvp"], ["/api/@scm-ts/core/", "jvp"]] as const) {
      const page = await open(path);
      expect(await page.textContent("body"), path).toContain(text);
      await page.close();
    }
    expect(errors).toEqual([]);
  });

  it("trains sCT in the demo: the loss falls and the samples are drawn", async () => {
    const page = await open("/demo.html");
    const demo = page.getByTestId("sct-demo");
    await expect.poll(() => demo.getAttribute("data-loaded"), { timeout: 30_000 }).toBe("true");
    await page.getByTestId("train").click();
    // Train until 120 steps or 40 s, then stop.
    await expect.poll(async () => Number(await demo.getAttribute("data-step")), { timeout: 40_000, interval: 250 }).toBeGreaterThanOrEqual(120);
    await page.getByTestId("train").click();
    await expect.poll(() => demo.getAttribute("data-running"), { timeout: 20_000 }).toBe("false");
    const attr = async (name: string) => Number(await demo.getAttribute(name));
    const [lossStart, lossRecent, draws] = [await attr("data-loss-start"), await attr("data-loss-recent"), await attr("data-sample-draws")];
    console.log(`e2e demo: backend ${await demo.getAttribute("data-backend")}, ${await attr("data-step")} steps, loss ${lossStart.toFixed(3)} → ${lossRecent.toFixed(3)}, ${draws} sample redraws`);
    expect(lossRecent).toBeLessThan(lossStart);
    expect(draws).toBeGreaterThanOrEqual(2);
    // Count the points' pixels on each sample canvas (blue for 1 step, red for 2 steps).
    const colored = (id: string, rgb: [number, number, number]) =>
      page.getByTestId(id).evaluate((el, c) => {
        const d = (el as HTMLCanvasElement).getContext("2d")!.getImageData(0, 0, (el as HTMLCanvasElement).width, (el as HTMLCanvasElement).height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i]! - c[0]) < 8 && Math.abs(d[i + 1]! - c[1]) < 8 && Math.abs(d[i + 2]! - c[2]) < 8) n++;
        return n;
      }, rgb);
    expect(await colored("canvas-one-step", [31, 119, 180])).toBeGreaterThan(500);
    expect(await colored("canvas-two-step", [214, 39, 40])).toBeGreaterThan(500);
    expect(await colored("canvas-loss", [31, 119, 180])).toBeGreaterThan(100);
    mkdirSync(join(docs, "test-output"), { recursive: true });
    await demo.screenshot({ path: join(docs, "test-output", "demo.png") });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
