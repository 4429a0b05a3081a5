// Browser tests' harness. Without Chromium the tests are skipped, and say so, unless REQUIRE_BROWSER=1
// (as in CI), where a missing browser is a failure.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { root } from "../../scripts/local";
import { CHROMIUM, launchBrowser, type Server, startServer } from "../../scripts/local-server";

export const browserAvailable = existsSync(CHROMIUM);

if (!browserAvailable) {
  const message = `Chromium not found at ${CHROMIUM}: browser tests are skipped (apt-get install -y chromium).`;
  if (process.env.REQUIRE_BROWSER === "1") throw new Error(`${message} REQUIRE_BROWSER=1 makes this a failure.`);
  console.warn(message);
}

export const PHONE = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: "ja-JP",
};

/** Screenshots for people to look at, under test-results/ (git-ignored). */
export const shot = (name: string) => join(root, "test-results", `${name}.png`);

/** A served demo library and a browser for one test file, started before its tests and stopped after. */
export function useLibrary(options: Parameters<typeof startServer>[0] = {}): {
  readonly server: Server;
  readonly browser: Browser;
} {
  const state: { server?: Server; browser?: Browser } = {};
  beforeAll(async () => {
    state.server = await startServer(options);
    state.browser = await launchBrowser();
  });
  afterAll(async () => {
    await state.browser?.close();
    await state.server?.stop();
  });
  return {
    get server() {
      return state.server as Server;
    },
    get browser() {
      return state.browser as Browser;
    },
  };
}

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/**
 * axe-core's WCAG 2.1 A/AA violations on the page as it is now, as "rule: selector" lines. The page's
 * context must be made with `bypassCSP: true` (the site's CSP allows no injected script).
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; nodes: Array<{ target: string[] }> }> }> };
      }
    ).axe;
    const r = await axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`));
  });
}
