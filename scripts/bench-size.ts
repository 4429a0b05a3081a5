// `npm run bench:size`: what a phone downloads on a first and a repeat visit to a search results page, and
// the top page with its お知らせ and 新着 (the demo library seeds two notices; every copy is new after seeding).
// Targets: results HTML and top-page HTML ≤ 14 KB gzipped each; first visit ≤ 30 KB compressed in all; a
// repeat visit fetches only HTML.

import { launchBrowser, startServer } from "./local-server";
import { kb, measureVisits } from "./page-weight";

const server = await startServer();
const browser = await launchBrowser();
try {
  const { first, repeat } = await measureVisits(
    browser,
    server.url,
    `/search?q=${encodeURIComponent("漱石")}`,
    `/search?q=${encodeURIComponent("宮沢")}`,
  );
  console.log("\nFirst visit of /search?q=漱石 (20 results per page):\n");
  console.log("| response | type | bytes | gzip |\n|---|---|---:|---:|");
  for (const t of first) console.log(`| ${t.url} | ${t.type} | ${t.bytes.toLocaleString()} | ${kb(t.gzipBytes)} |`);
  const total = first.reduce((s, t) => s + t.gzipBytes, 0);
  console.log(`| **total** | | ${first.reduce((s, t) => s + t.bytes, 0).toLocaleString()} | **${kb(total)}** |`);
  const fetched = repeat.filter((t) => !t.fromCache);
  console.log(
    `\nRepeat visit (/search?q=宮沢): ${repeat.length} responses, ${fetched.length} from the network: ${fetched.map((t) => `${t.url} (${t.type})`).join(", ")}`,
  );
  const html = first.find((t) => t.type === "Document");
  console.log(
    `\nresults HTML ${kb(html?.gzipBytes ?? 0)} gzip (target ≤ 14 KB); first visit ${kb(total)} (target ≤ 30 KB); repeat visit network responses: ${fetched.map((t) => t.type).join(", ")}`,
  );

  const top = await measureVisits(browser, server.url, "/", "/new-arrivals");
  const topHtml = top.first.find((t) => t.type === "Document");
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  const shown = {
    notices: await page.locator("ul.notices > li").count(),
    arrivals: await page.locator("ul.arrivals > li").count(),
  };
  await page.close();
  console.log(
    `\ntop page HTML ${kb(topHtml?.gzipBytes ?? 0)} gzip, ${(topHtml?.bytes ?? 0).toLocaleString()} bytes (target ≤ 14 KB), with ${shown.notices} お知らせ and ${shown.arrivals} 新着 listed; first visit ${kb(top.first.reduce((s, t) => s + t.gzipBytes, 0))}`,
  );
} finally {
  await browser.close();
  await server.stop();
}
