// Starting an import: the file is stored in R2 (streamed, never held whole), its format told from its
// first bytes, the kind's mapping fixed for the run, and the first step sent to the import queue.
// Files come from the staff page, the staff API, or the library system's nightly drop under `incoming/`.
import { IMPORT_KINDS, type ImportKind } from "../domain/codes";
import { AppError, invalidRequest } from "../errors";
import { type ImportEnv, nextMessage } from "./consumer";
import { mappingProblems, mappingSchema } from "./mapping";
import { finishRun, insertRun, stalledRuns, storedMapping } from "./runs";
import type { Format } from "./slices";

/** Where the library system drops its nightly files (docs/imports.md: names say kind and format). */
export const INCOMING_PREFIX = "incoming/";

/** Extensions a dropped file may have; its format is told from its bytes (sniffFormat), not its name. */
const DROP_EXTENSIONS = new Set(["mrc", "marc", "iso", "dat", "xml", "csv", "tsv", "txt"]);

/** The format from the file's first bytes: `<` is MARCXML, a 24-byte leader ISO 2709; CSV or TSV by the header line. */
export function sniffFormat(kind: ImportKind, head: Uint8Array): Format | string {
  const text = new TextDecoder("utf-8").decode(head).replace(/^\uFEFF/, "");
  if (kind === "marc") {
    if (/^\s*</.test(text)) return "marcxml";
    if (/^\d{5}[acdnp][a-z]/.test(text)) return "iso2709";
    return "MARC（ISO 2709 または MARCXML）として読めません。";
  }
  if (/^\s*</.test(text) || /^\d{5}[acdnp][a-z]/.test(text))
    return "CSV/TSV ではありません（MARCは種類「書誌（MARC）」で取り込みます）。";
  const firstLine = text.split("\n")[0] ?? "";
  return firstLine.includes("\t") && !firstLine.includes(",") ? "tsv" : "csv";
}

export interface StartImport {
  kind: ImportKind;
  dryRun: boolean;
  full: boolean;
  origin: "page" | "api" | "r2";
  actor: string;
  fileName: string;
}

const cleanName = (name: string) => name.replace(/[^\p{L}\p{N}._-]+/gu, "_").slice(-100) || "file";

/** Stores the body in R2 and queues the run; the 202 answer carries its id. */
export async function startImport(
  env: ImportEnv,
  s: StartImport,
  body: ReadableStream | Blob | null,
  size: number,
): Promise<number> {
  if (!body || size === 0) throw invalidRequest({ file: "ファイルが空です。" });
  const key = `uploads/${crypto.randomUUID()}/${cleanName(s.fileName)}`;
  const stored = await env.IMPORTS.put(key, body);
  if (!stored) throw new AppError("invalid_state", "ファイルを保存できませんでした。");
  return queueRun(env, s, key, null, stored.size);
}

async function queueRun(env: ImportEnv, s: StartImport, key: string, etag: string | null, size: number): Promise<number> {
  const head = await env.IMPORTS.get(key, { range: { offset: 0, length: 512 } });
  const format = sniffFormat(s.kind, new Uint8Array((await head?.arrayBuffer()) ?? new ArrayBuffer(0)));
  const mapping = await storedMapping(env.DB, s.kind);
  const problems = mapping ? mappingProblems(s.kind, mappingSchema.parse(JSON.parse(mapping))) : [];
  const refusal = !["iso2709", "marcxml", "csv", "tsv"].includes(format) ? format : problems[0];
  if (refusal) {
    await env.IMPORTS.delete(key);
    if (s.origin !== "r2") throw invalidRequest({ file: refusal });
  }
  const id = await insertRun(
    env.DB,
    { ...s, format: (refusal ? "csv" : format) as Format, objectKey: key, etag, size, mapping: mapping ?? null },
    Date.now(),
  );
  if (id === undefined) return 0;
  if (refusal) {
    // A dropped file that cannot be read is listed as a failed run, for staff to see why.
    await finishRun(env.DB, id, "failed", refusal, Date.now());
    return id;
  }
  await env.IMPORT_QUEUE.send(nextMessage({ id, phase: "rows", offset: 0 }));
  return id;
}

/** The kind, format hint and full-export flag of a dropped file's name: `incoming/copies.full.20261202.csv`. */
export function dropNameOf(key: string): { kind: ImportKind; full: boolean } | undefined {
  const name = key.slice(INCOMING_PREFIX.length);
  if (name.includes("/")) return undefined;
  const [kind, ...rest] = name.toLowerCase().split(".");
  if (!(IMPORT_KINDS as readonly string[]).includes(kind ?? "")) return undefined;
  const ext = rest.at(-1) ?? "";
  if (!DROP_EXTENSIONS.has(ext)) return undefined;
  return { kind: kind as ImportKind, full: rest.slice(0, -1).includes("full") };
}

const KIND_ORDER: readonly ImportKind[] = ["marc", "materials", "copies", "patrons", "loans", "reservations"];

/**
 * The nightly pickup: one run per file version in `incoming/` (catalog before copies before patrons,
 * loans and reservations, so each finds what it refers to). A name that says nothing is a failed run.
 */
export async function pickUpDroppedFiles(env: ImportEnv, actor: string): Promise<number[]> {
  const found: Array<{ key: string; etag: string; size: number; kind?: ImportKind; full: boolean }> = [];
  let cursor: string | undefined;
  do {
    const page = await env.IMPORTS.list({ prefix: INCOMING_PREFIX, ...(cursor ? { cursor } : {}) });
    for (const o of page.objects) {
      const named = dropNameOf(o.key);
      found.push({ key: o.key, etag: `${o.etag}:${o.uploaded.getTime()}`, size: o.size, ...(named ?? { full: false }) });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  found.sort(
    (a, b) => (a.kind ? KIND_ORDER.indexOf(a.kind) : 9) - (b.kind ? KIND_ORDER.indexOf(b.kind) : 9) || a.key.localeCompare(b.key),
  );
  const ids: number[] = [];
  for (const f of found) {
    const base = { dryRun: false, full: f.full, origin: "r2" as const, actor, fileName: f.key.slice(INCOMING_PREFIX.length) };
    if (!f.kind) {
      const id = await insertRun(
        env.DB,
        { ...base, kind: "materials", format: "csv", objectKey: f.key, etag: f.etag, size: f.size, mapping: null },
        Date.now(),
      );
      if (id !== undefined) {
        await finishRun(
          env.DB,
          id,
          "failed",
          "ファイル名から種類が分かりません（例: copies.full.20261202.csv、marc.20261202.mrc）。",
          Date.now(),
        );
        ids.push(id);
      }
      continue;
    }
    const id = await queueRun(env, { ...base, kind: f.kind }, f.key, f.etag, f.size);
    if (id) ids.push(id);
  }
  return ids;
}

/** Sends the next step of runs that stopped moving for `quietMs` (a crash, a redeploy, a lost message). */
export async function resumeStalledImports(env: ImportEnv, now: number, quietMs = 10 * 60 * 1000): Promise<number> {
  const runs = await stalledRuns(env.DB, now - quietMs);
  for (const run of runs) await env.IMPORT_QUEUE.send(nextMessage(run));
  return runs.length;
}
