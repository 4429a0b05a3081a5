// Imports in tests: the sample files of test/fixtures/imports, and a run driven step by step through the
// consumer with a queue that only records what it is asked to send (so a test can stop, lose or repeat a step).
import { env } from "cloudflare:workers";
import type { ImportKind } from "../../src/domain/codes";
import { type AdvanceOptions, advanceRun, type ImportEnv, type ImportMessage } from "../../src/imports/consumer";
import { type ImportRun, runById } from "../../src/imports/runs";
import { type StartImport, startImport } from "../../src/imports/start";

export const fixture = (name: string): Uint8Array => {
  const b64 = env.IMPORT_FIXTURES[name];
  if (b64 === undefined) throw new Error(`no fixture ${name}`);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
};

export const text = (s: string) => new TextEncoder().encode(s);

/** The real bindings, but the import queue's sends are kept in `sent` instead of delivered. */
export function steppedEnv(): { env: ImportEnv & Env; sent: ImportMessage[] } {
  const sent: ImportMessage[] = [];
  const queue = {
    send: async (m: ImportMessage) => {
      sent.push(m);
    },
    sendBatch: async (ms: Iterable<{ body: ImportMessage }>) => {
      for (const m of ms) sent.push(m.body);
    },
  } as unknown as Queue<ImportMessage>;
  return { env: { ...env, IMPORT_QUEUE: queue }, sent };
}

/** Delivers every message sent until none is left; returns the run as it ended. */
export async function drain(
  stepped: ReturnType<typeof steppedEnv>,
  runId: number,
  opts: AdvanceOptions = {},
): Promise<ImportRun> {
  for (let guard = 0; stepped.sent.length > 0; guard++) {
    if (guard > 10_000) throw new Error("import did not end");
    await advanceRun(stepped.env, stepped.sent.shift() as ImportMessage, opts);
  }
  return (await runById(env.DB, runId)) as ImportRun;
}

export interface ImportOptions extends AdvanceOptions {
  dryRun?: boolean;
  full?: boolean;
  fileName?: string;
}

/** Starts an import of `bytes` and drives it to its end. */
export async function importBytes(kind: ImportKind, bytes: Uint8Array, o: ImportOptions = {}): Promise<ImportRun> {
  const stepped = steppedEnv();
  const s: StartImport = {
    kind,
    dryRun: o.dryRun ?? false,
    full: o.full ?? false,
    origin: "api",
    actor: "test",
    fileName: o.fileName ?? `${kind}.dat`,
  };
  const id = await startImport(stepped.env, s, new Blob([bytes]), bytes.length);
  return drain(stepped, id, o);
}

export const importFixture = (kind: ImportKind, name: string, o: ImportOptions = {}) =>
  importBytes(kind, fixture(name), { fileName: name, ...o });

export const rejectsOfRun = async (runId: number) =>
  (
    await env.DB.prepare("SELECT line, key, reason FROM import_rejects WHERE run_id = ? ORDER BY line, id")
      .bind(runId)
      .all<{ line: number; key: string | null; reason: string }>()
  ).results;
