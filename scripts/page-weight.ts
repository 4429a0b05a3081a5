// Measures what a phone downloads: every response of a first visit (gzip-compressed size, as the edge would
// send it) and which responses a repeat visit still fetches from the network rather than the browser cache.
import { gzipSync } from "node:zlib";
import type { Browser } from "playwright-core";

export interface Transfer {
  url: string;
  type: string;
  bytes: number;
  gzipBytes: number;
  fromCache: boolean;
}

/** Loads `path` in a fresh phone-sized context, then `repeatPath` in the same context; records both. */
export async function measureVisits(
  browser: Browser,
  base: string,
  path: string,
  repeatPath: string,
): Promise<{ first: Transfer[]; repeat: Transfer[] }> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "ja-JP" });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let log = new Map<string, Transfer>();
  // Chromium reports "served from cache" before the response event, so remember the ids.
  const cached = new Set<string>();
  const pending: Array<Promise<void>> = [];
  cdp.on("Network.responseReceived", (e) => {
    log.set(e.requestId, {
      url: e.response.url.replace(base, ""),
      type: e.type,
      bytes: 0,
      gzipBytes: 0,
      fromCache: Boolean(e.response.fromDiskCache) || cached.has(e.requestId),
    });
  });
  cdp.on("Network.requestServedFromCache", (e) => {
    cached.add(e.requestId);
  });
  cdp.on("Network.loadingFinished", (e) => {
    const t = log.get(e.requestId);
    if (!t) return;
    pending.push(
      cdp.send("Network.getResponseBody", { requestId: e.requestId }).then((body) => {
        const data = body.base64Encoded ? Buffer.from(body.body, "base64") : Buffer.from(body.body, "utf8");
        t.bytes = data.length;
        t.gzipBytes = gzipSync(data, { level: 6 }).length;
      }),
    );
  });
  const visit = async (p: string) => {
    log = new Map();
    pending.length = 0;
    await page.goto(`${base}${p}`, { waitUntil: "networkidle" });
    await Promise.all(pending);
    return [...log.values()];
  };
  const first = await visit(path);
  const repeat = await visit(repeatPath);
  await context.close();
  return { first, repeat };
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
