// An import run as staff read it, page and API alike: the contract's shape (API.md) plus progress,
// the copies a MARC file listed, and timing.
import { tokyoIso } from "../domain/calendar";
import { IMPORT_KIND_LABELS, IMPORT_STATUS_LABELS } from "../domain/codes";
import type { ImportRun } from "./runs";

export function reportOf(run: ImportRun) {
  const read = run.phase === "rows" ? run.offset : run.size;
  return {
    id: run.id,
    kind: run.kind,
    kindLabel: IMPORT_KIND_LABELS[run.kind],
    fileName: run.fileName,
    origin: run.origin,
    dryRun: run.dryRun === 1,
    full: run.full === 1,
    status: run.status,
    statusLabel: IMPORT_STATUS_LABELS[run.status],
    counts: {
      added: run.added,
      updated: run.updated,
      unchanged: run.unchanged,
      withdrawn: run.withdrawn,
      rejected: run.rejected,
      returned: run.returned,
    },
    copies: { added: run.copiesAdded, updated: run.copiesUpdated, unchanged: run.copiesUnchanged },
    progress: {
      bytesRead: read,
      size: run.size,
      percent: run.status === "done" ? 100 : Math.floor((read / Math.max(1, run.size)) * 100),
      lines: run.line,
    },
    encoding: run.encoding,
    error: run.error,
    createdAt: tokyoIso(run.createdAt),
    startedAt: run.startedAt === null ? null : tokyoIso(run.startedAt),
    finishedAt: run.finishedAt === null ? null : tokyoIso(run.finishedAt),
    durationMs: run.startedAt !== null && run.finishedAt !== null ? run.finishedAt - run.startedAt : null,
  };
}
