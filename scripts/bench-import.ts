// `npm run bench:import -- --records 200000`: a library's cut-over and a nightly delta, timed end to end.
// Writes a MARC 21 file (ISO 2709, by the maintained serializer) of generated records with their copies in
// 852 fields, drops it into local R2 as the library system would, serves the Worker under `wrangler dev`
// on a fresh store, asks for the pickup and follows the run to its end through the staff API, sampling
// the memory (RSS) of the workerd process that runs the Worker. Then imports a delta of changed records
// through the staff API the same way, and times a few searches on the imported catalog.
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { type DemoItem, type DemoMaterial, demoCatalog } from "./demo/catalog";
import { type Bib, BOOK_LEADER, bibFields, iso2709 } from "./imports/marc-writer";
import { wrangler } from "./local";
import { startServer } from "./local-server";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}
const RECORDS = arg("records", 200_000);
const DELTA = arg("delta", 2_000);

const bibOf = (m: DemoMaterial, copies: DemoItem[], suffix = ""): Bib => ({
  id: `B${String(m.id).padStart(9, "0")}`,
  title: `${m.title}${suffix}`,
  ...(m.titleKana ? { titleKana: m.titleKana } : {}),
  ...(m.author ? { authors: [{ name: m.author, ...(m.authorKana ? { kana: m.authorKana } : {}) }] } : {}),
  ...(m.publisher ? { publisher: m.publisher } : {}),
  ...(m.year ? { year: m.year } : {}),
  ...(m.isbn ? { isbn: m.isbn } : {}),
  ...(m.ndc ? { ndc: m.ndc } : {}),
  ...(m.subject ? { subjects: [m.subject] } : {}),
  ...(m.series ? { series: { name: m.series } } : {}),
  holdings: copies.map((c) => ({
    branch: c.branchCode,
    barcode: `X${c.barcode}`,
    callNumber: c.callNumber,
    ...(c.loanable ? {} : { note: "禁帯出" }),
  })),
});

/** Writes the records to `path` in pieces (never the whole file in memory); returns records and copies. */
function writeMarc(path: string, materials: DemoMaterial[], items: DemoItem[], suffix = ""): { records: number; copies: number } {
  const byMaterial = new Map<number, DemoItem[]>();
  for (const it of items) byMaterial.set(it.materialId, [...(byMaterial.get(it.materialId) ?? []), it]);
  const fd = openSync(path, "w");
  let copies = 0;
  let buffer: string[] = [];
  for (const m of materials) {
    const own = byMaterial.get(m.id) ?? [];
    copies += own.length;
    const b = bibOf(m, own, suffix);
    buffer.push(iso2709(BOOK_LEADER, bibFields(b)));
    if (buffer.length >= 2000) {
      writeSync(fd, buffer.join(""));
      buffer = [];
    }
  }
  writeSync(fd, buffer.join(""));
  closeSync(fd);
  return { records: materials.length, copies };
}

/** RSS in MiB of the workerd processes (the runtime that runs the Worker and its queue consumer). */
function workerdRss(): number {
  const out = execFileSync("ps", ["-C", "workerd", "-o", "rss="], { encoding: "utf8" }).trim();
  return out ? out.split("\n").reduce((s, l) => s + Number(l.trim()), 0) / 1024 : 0;
}

/** The Worker isolate's JS heap in MiB, asked of its DevTools inspector (what the Worker itself holds). */
async function heapProbe(inspectorPort: number): Promise<{ sample: () => Promise<number>; close: () => void }> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as Array<{
    webSocketDebuggerUrl: string;
  }>;
  const ws = new WebSocket(targets[0]?.webSocketDebuggerUrl ?? "");
  await new Promise((r, j) => {
    ws.on("open", r);
    ws.on("error", j);
  });
  let next = 1;
  const waiting = new Map<number, (v: number) => void>();
  ws.on("message", (m) => {
    const msg = JSON.parse(String(m)) as { id?: number; result?: { usedSize?: number } };
    if (msg.id !== undefined && waiting.has(msg.id)) {
      waiting.get(msg.id)?.((msg.result?.usedSize ?? 0) / 1024 / 1024);
      waiting.delete(msg.id);
    }
  });
  return {
    sample: () =>
      new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ id, method: "Runtime.getHeapUsage" }));
        setTimeout(() => {
          if (waiting.delete(id)) resolve(0);
        }, 5000);
      }),
    close: () => ws.close(),
  };
}

interface Report {
  status: string;
  counts: Record<string, number>;
  copies: Record<string, number>;
  durationMs: number | null;
  error: string | null;
}

async function follow(
  url: string,
  token: string,
  id: number,
  sample: () => Promise<void>,
): Promise<{ report: Report; wallMs: number }> {
  const started = Date.now();
  for (;;) {
    await sample();
    const res = await fetch(`${url}/api/v1/admin/imports/${id}`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(60_000),
    }).catch(() => undefined);
    if (!res) {
      console.log("status request timed out; asking again");
      continue;
    }
    const report = (await res.json()) as Report & { progress: { percent: number } };
    if (process.env.SERVER_LOG) console.log(`run ${id}: ${report.status} ${report.progress.percent}%`);
    if (report.status === "done" || report.status === "failed") return { report, wallMs: Date.now() - started };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "bench-import-"));
  console.log(`generating ${RECORDS} records…`);
  const { materials, items } = demoCatalog(RECORDS, 20261202);
  const full = join(dir, "marc.full.mrc");
  const written = writeMarc(full, materials, items);
  const size = statSync(full).size;
  console.log(`wrote ${written.records} records, ${written.copies} copies, ${(size / 1024 / 1024).toFixed(1)} MiB`);
  const delta = join(dir, "delta.mrc");
  const step = Math.floor(materials.length / DELTA);
  writeMarc(delta, materials.filter((_, i) => i % step === 0).slice(0, DELTA), items, "（改訂）");

  const server = await startServer({
    // The library system's nightly drop, put into local R2 before the Worker starts.
    before: (persistTo) =>
      void wrangler(
        [
          "r2",
          "object",
          "put",
          "library-imports/incoming/marc.full.bench.mrc",
          "--file",
          full,
          "--local",
          "--persist-to",
          persistTo,
        ],
        { quiet: true },
      ),
  });
  let peak = 0;
  let heapPeak = 0;
  const heap = await heapProbe(server.inspectorPort);
  const sample = async () => {
    peak = Math.max(peak, workerdRss());
    heapPeak = Math.max(heapPeak, await heap.sample());
  };
  try {
    const auth = { Authorization: `Bearer ${server.adminToken}` };
    const baseline = workerdRss();
    const heapBaseline = await heap.sample();
    const pickup = (await (
      await fetch(`${server.url}/api/v1/admin/imports/pickup`, { method: "POST", headers: auth })
    ).json()) as { started: number[] };
    const id = pickup.started[0];
    if (id === undefined) throw new Error("the pickup started no run");
    const cutover = await follow(server.url, server.adminToken, id, sample);
    console.log("cut-over", JSON.stringify(cutover.report.counts), JSON.stringify(cutover.report.copies), `${cutover.wallMs} ms`);

    const body = readFileSync(delta);
    const deltaStart = Date.now();
    const posted = (await (
      await fetch(`${server.url}/api/v1/admin/imports?kind=marc&name=delta.mrc`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/marc" },
        body,
      })
    ).json()) as { id: number };
    const nightly = await follow(server.url, server.adminToken, posted.id, sample);
    const deltaMs = Date.now() - deltaStart;
    console.log("delta", JSON.stringify(nightly.report.counts), `${deltaMs} ms`);

    const searches: Array<[string, number]> = [];
    for (const q of ["猫", "漱石", "歴史", "（改訂）", "吾輩は猫"]) {
      const times: number[] = [];
      for (let i = 0; i < 6; i++) {
        const t = performance.now();
        await (await fetch(`${server.url}/api/v1/materials?q=${encodeURIComponent(q)}`)).json();
        if (i > 0) times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      searches.push([q, times[Math.floor(times.length / 2)] as number]);
    }
    const mib = (n: number) => `${n.toFixed(0)} MiB`;
    console.log(
      [
        "",
        `| step | records | copies | result | wall time | goal |`,
        `|---|---:|---:|---|---:|---|`,
        `| cut-over (R2 drop, ${(size / 1024 / 1024).toFixed(0)} MiB ISO 2709) | ${written.records.toLocaleString("en")} | ${written.copies.toLocaleString("en")} | ${cutover.report.status}: added ${cutover.report.counts.added}, copies ${cutover.report.copies.added}, rejected ${cutover.report.counts.rejected} | ${(cutover.wallMs / 1000).toFixed(0)} s | ≤ 600 s |`,
        `| nightly delta (staff API) | ${DELTA.toLocaleString("en")} | | ${nightly.report.status}: updated ${nightly.report.counts.updated}, unchanged ${nightly.report.counts.unchanged} | ${(deltaMs / 1000).toFixed(1)} s | ≤ 30 s |`,
        "",
        `Worker isolate JS heap: ${mib(heapBaseline)} before, peak ${mib(heapPeak)} during the imports (goal ≤ 256 MiB; the platform's isolate limit is 128 MiB)`,
        `workerd process RSS (the runtime with local D1's SQLite and R2 inside): ${mib(baseline)} before, peak ${mib(peak)}`,
        "",
        `| search after the import (HTTP, local, median of 5) | ms |`,
        `|---|---:|`,
        ...searches.map(([q, ms]) => `| ${q} | ${ms.toFixed(1)} |`),
      ].join("\n"),
    );
  } finally {
    heap.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
