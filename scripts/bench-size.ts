// `npm run bench:size`: what a phone downloads on a first and a repeat visit to a search results page.
// Targets: results HTML ≤ 14 KB gzipped; first visit ≤ 30 KB compressed in all; a repeat visit fetches only HTML.

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
} finally {
  await browser.close();
  await server.stop();
}
