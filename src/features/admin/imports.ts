// Staff actions on imports, shared by the staff API and the imports page: start one from a file, read a
// run's report (counts, progress, rejected rows), the rejected rows as CSV, the column mappings, the
// pickup of files dropped in R2, and resuming a run that stopped moving.
import Papa from "papaparse";
import type { z } from "zod";
import type { ImportKind } from "../../domain/codes";
import { invalidRequest, notFound } from "../../errors";
import { nextMessage } from "../../imports/consumer";
import { mappingProblems, mappingSchema } from "../../imports/mapping";
import { reportOf } from "../../imports/report";
import {
  type ImportRun,
  recentImports,
  rejectsOf,
  runById,
  saveMapping,
  storedMapping,
  storedMappings,
} from "../../imports/runs";
import { pickUpDroppedFiles, startImport } from "../../imports/start";
import { fieldErrors } from "../../validation";
import type { Staff } from "./actions";
import { audit } from "./audit";
import type { importSchema } from "./schemas";

export type ImportQuery = z.output<typeof importSchema>;

const DEFAULT_NAMES: Record<ImportKind, string> = {
  marc: "catalog.mrc",
  materials: "materials.csv",
  copies: "copies.csv",
  patrons: "patrons.csv",
  loans: "loans.csv",
  reservations: "reservations.csv",
};

/** Stores the file and queues the run: 202 `{id}`. */
export async function startImportRun(
  s: Staff,
  q: ImportQuery,
  file: { name?: string; body: ReadableStream | Blob | null; size: number },
  origin: "page" | "api",
) {
  const id = await startImport(
    s.env,
    {
      kind: q.kind,
      dryRun: q.dryRun,
      full: q.full,
      origin,
      actor: s.actor,
      fileName: file.name || q.name || DEFAULT_NAMES[q.kind],
    },
    file.body,
    file.size,
  );
  await audit(s.orm, s.actor, "import.start", { type: "import", id }, { kind: q.kind, dryRun: q.dryRun, full: q.full });
  return { id };
}

async function runOf(s: Staff, id: number): Promise<ImportRun> {
  const run = await runById(s.db, id);
  if (!run) throw notFound("指定された取込は見つかりませんでした。");
  return run;
}

export async function importReport(s: Staff, id: number) {
  const run = await runOf(s, id);
  const rejected = await rejectsOf(s.db, id);
  return { ...reportOf(run), rejected };
}

export async function importList(s: Staff) {
  return (await recentImports(s.db)).map(reportOf);
}

/** The rejected rows of a run as CSV (UTF-8 with BOM, so spreadsheet software reads the Japanese). */
export async function rejectedCsv(s: Staff, id: number): Promise<{ name: string; csv: string }> {
  const run = await runOf(s, id);
  const rows = await rejectsOf(s.db, id, 100_000);
  const csv = Papa.unparse({
    fields: ["ファイル", "行（レコード）", "キー", "理由"],
    data: rows.map((r) => [run.fileName, r.line, r.key ?? "", r.reason]),
  });
  await audit(s.orm, s.actor, "import.rejected_download", { type: "import", id });
  return { name: `import-${id}-rejected.csv`, csv: `\uFEFF${csv}\r\n` };
}

export async function mappingOf(s: Staff, kind: ImportKind) {
  const stored = await storedMapping(s.db, kind);
  return { kind, mapping: stored ? (JSON.parse(stored) as unknown) : {} };
}

/** The mappings the library has set (kinds without one use the built-in header names). */
export async function mappingsSet(s: Staff) {
  return (await storedMappings(s.db)).map((m) => ({ kind: m.kind, mapping: JSON.parse(m.mapping) as unknown }));
}

/** Saves a kind's mapping after checking it (unknown fields are refused, in Japanese). */
export async function setMapping(s: Staff, kind: ImportKind, input: unknown) {
  const parsed = mappingSchema.safeParse(input);
  if (!parsed.success) throw invalidRequest(fieldErrors(parsed.error));
  const problems = mappingProblems(kind, parsed.data);
  if (problems.length > 0) throw invalidRequest({ mapping: problems.join(" ") });
  await saveMapping(s.db, kind, JSON.stringify(parsed.data), Date.now());
  await audit(s.orm, s.actor, "import.mapping", { type: "import_mapping", id: kind });
  return { kind, mapping: parsed.data };
}

/** Takes in the files dropped under incoming/ now, as the nightly refresh would. */
export async function pickUpNow(s: Staff) {
  const ids = await pickUpDroppedFiles(s.env, s.actor);
  await audit(s.orm, s.actor, "import.pickup", { type: "import", id: ids.join(",") || "none" });
  return { started: ids };
}

/** Asks again for the next step of a run that stopped moving (queued or running). */
export async function resumeImport(s: Staff, id: number) {
  const run = await runOf(s, id);
  if (run.status !== "queued" && run.status !== "running")
    throw invalidRequest({ id: "終わった取込は再開できません。もう一度ファイルを取り込んでください。" });
  await s.env.IMPORT_QUEUE.send(nextMessage(run));
  await audit(s.orm, s.actor, "import.resume", { type: "import", id });
  return reportOf(run);
}
