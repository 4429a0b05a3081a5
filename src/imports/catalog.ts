// Slices of catalog imports: materials (from MARC or CSV) with their search rows, and copies (from MARC
// holdings fields or a copies CSV). Identity is the record's id in the library system (001 / 書誌番号)
// and the copy's barcode: a record imported again updates in place, so reservations keep their material.
import { materialColumns, SEARCH_UPSERT_TAIL, searchColumns } from "../db/materials";
import { type ImportedCopy, upsertCopies, withdrawCopies } from "../reservations/imported";
import type { CopyRecord, MaterialRecord } from "./records";
import {
  type Applied,
  byDigest,
  digest,
  firstOfEachKey,
  jsonList,
  type Numbered,
  type Reject,
  rowsFor,
  type SliceWork,
  type Tally,
} from "./work";

export interface CatalogEntry {
  material: MaterialRecord;
  /** The library deleted the record (MARC leader/05 = d): its copies are withdrawn. */
  deleted: boolean;
  /** Copies listed in the record's holdings fields; null when the record carries none. */
  copies: Numbered<CopyRecord>[] | null;
}

const MATERIAL_KEYS = [
  "title",
  "title_kana",
  "author",
  "author_kana",
  "publisher",
  "year",
  "isbn",
  "ndc",
  "subject",
  "series",
  "type",
  "title_sort",
  "title_norm",
  "source_hash",
  "updated_at",
] as const;

function materialWrites(w: SliceWork, rows: Array<{ record: MaterialRecord; hash: string }>): D1PreparedStatement[] {
  const json = jsonList(
    rows.map(({ record, hash }) => {
      const cols = materialColumns({ ...record }, w.now);
      const s = searchColumns({ ...record });
      return {
        ...Object.fromEntries(MATERIAL_KEYS.map((k) => [k, cols[k] ?? null])),
        source_id: record.sourceId,
        source_hash: hash,
        ...{ st: s.title, sa: s.author, sp: s.publisher, ss: s.subject },
      };
    }),
  );
  const pick = MATERIAL_KEYS.map((k) => `j.value->>'${k}' AS ${k}`).join(", ");
  return [
    w.db
      .prepare(
        `UPDATE materials SET ${MATERIAL_KEYS.map((k) => `${k} = r.${k}`).join(", ")}
         FROM (SELECT j.value->>'source_id' AS sid, ${pick} FROM json_each(?1) j) AS r WHERE materials.source_id = r.sid`,
      )
      .bind(json),
    w.db
      .prepare(
        `INSERT INTO materials (source_id, ${MATERIAL_KEYS.join(", ")})
         SELECT j.value->>'source_id', ${MATERIAL_KEYS.map((k) => `j.value->>'${k}'`).join(", ")} FROM json_each(?1) j
         WHERE NOT EXISTS (SELECT 1 FROM materials m WHERE m.source_id = j.value->>'source_id')`,
      )
      .bind(json),
    w.db
      .prepare(
        `INSERT INTO material_search (material_id, title, author, publisher, subject)
         SELECT m.id, j.value->>'st', j.value->>'sa', j.value->>'sp', j.value->>'ss'
         FROM json_each(?1) j JOIN materials m ON m.source_id = j.value->>'source_id' WHERE true ${SEARCH_UPSERT_TAIL}`,
      )
      .bind(json),
  ];
}

interface CurrentCopy {
  id: number;
  barcode: string;
  status: string;
  hash: string | null;
  sourceId: string | null;
}

const COPY_COLUMNS = `i.id, i.barcode, i.status, i.source_hash AS hash, m.source_id AS sourceId`;
const REFUSED: Record<string, string> = {
  on_loan: "貸出中の所蔵は除籍しません（返却後に次の取込で除籍されます）。",
  on_hold: "取置中の所蔵は除籍しません（取置が終わった後の取込で除籍されます）。",
};

/** Withdrawals checked against the copies' states: those on loan or set aside are reported, not withdrawn. */
export function guardedWithdrawals(w: SliceWork, copies: CurrentCopy[], line: (c: CurrentCopy) => number) {
  const rejects: Reject[] = [];
  const ids: number[] = [];
  for (const c of copies) {
    if (c.status === "withdrawn") continue;
    const refusal = REFUSED[c.status];
    if (refusal) rejects.push({ line: line(c), key: c.barcode, reason: refusal });
    else ids.push(c.id);
  }
  return { ids, rejects, statements: ids.length > 0 && !w.dryRun ? [withdrawCopies(w.db, ids, w.now)] : [] };
}

/** Copies of a slice: new, changed, unchanged, withdrawn (除籍 in the file) or rejected with the reason. */
export async function applyCopies(
  w: SliceWork,
  rows: Numbered<CopyRecord>[],
  materialsInSlice = new Set<string>(),
): Promise<Applied> {
  const rejects: Reject[] = [];
  const known = rows.filter(({ line, record }) => {
    if (w.branches.has(record.branch)) return true;
    rejects.push({
      line,
      key: record.barcode,
      reason: `所蔵館「${record.branch}」は登録されていません（館コードを確かめてください）。`,
    });
    return false;
  });
  const unique = await firstOfEachKey(
    w,
    known,
    (c) => `i:${c.barcode}`,
    (c) => `バーコード「${c.barcode}」がこのファイルで重複しています。`,
    rejects,
  );
  const needed = [...new Set(unique.map((r) => r.record.materialSourceId).filter((s) => !materialsInSlice.has(s)))];
  const found = new Set(
    (
      await rowsFor<{ s: string }>(
        w.db,
        "SELECT source_id AS s FROM materials WHERE source_id IN (SELECT value FROM json_each(?1))",
        needed,
      )
    ).map((r) => r.s),
  );
  const current = new Map(
    (
      await rowsFor<CurrentCopy>(
        w.db,
        `SELECT ${COPY_COLUMNS} FROM items i JOIN materials m ON m.id = i.material_id WHERE i.barcode IN (SELECT value FROM json_each(?1))`,
        unique.map((r) => r.record.barcode),
      )
    ).map((c) => [c.barcode, c]),
  );
  const tally: Partial<Tally> = {};
  const count = (k: keyof Tally) => {
    tally[k] = (tally[k] ?? 0) + 1;
  };
  const writes: ImportedCopy[] = [];
  const withdraw: CurrentCopy[] = [];
  const lineOf = new Map<string, number>();
  for (const { line, record } of unique) {
    if (!materialsInSlice.has(record.materialSourceId) && !found.has(record.materialSourceId)) {
      rejects.push({
        line,
        key: record.barcode,
        reason: `書誌番号「${record.materialSourceId}」の資料がありません（先に書誌を取り込んでください）。`,
      });
      continue;
    }
    const now = current.get(record.barcode);
    lineOf.set(record.barcode, line);
    if (record.status === "withdrawn") {
      if (!now || now.status === "withdrawn") count("copiesUnchanged");
      else withdraw.push(now);
      continue;
    }
    if (now && record.status !== null && record.status !== now.status && REFUSED[now.status]) {
      rejects.push({
        line,
        key: record.barcode,
        reason: `${now.status === "on_loan" ? "貸出中" : "取置中"}の所蔵の状態は取込で変えません。`,
      });
      continue;
    }
    const hash = await digest(record);
    if (now && now.hash === hash) {
      count("copiesUnchanged");
      continue;
    }
    count(now ? "copiesUpdated" : "copiesAdded");
    writes.push({
      b: record.barcode,
      m: record.materialSourceId,
      br: record.branch,
      c: record.callNumber,
      s: record.status,
      l: record.loanable ? 1 : 0,
      h: hash,
    });
  }
  const guarded = guardedWithdrawals(w, withdraw, (c) => lineOf.get(c.barcode) ?? 0);
  tally.withdrawn = guarded.ids.length;
  return {
    statements: [...(writes.length > 0 && !w.dryRun ? upsertCopies(w.db, writes, w.now) : []), ...guarded.statements],
    tally,
    rejects: [...rejects, ...guarded.rejects],
    seen: unique.map((r) => `i:${r.record.barcode}`),
  };
}

/** Materials of a slice (and the copies their records list). */
export async function applyCatalog(w: SliceWork, entries: Numbered<CatalogEntry>[]): Promise<Applied> {
  const rejects: Reject[] = [];
  const unique = await firstOfEachKey(
    w,
    entries,
    (e) => `m:${e.material.sourceId}`,
    (e) => `書誌番号「${e.material.sourceId}」がこのファイルで重複しています。`,
    rejects,
  );
  const ids = unique.map((e) => e.record.material.sourceId);
  const current = new Map(
    (
      await rowsFor<{ sourceId: string; hash: string | null }>(
        w.db,
        "SELECT source_id AS sourceId, source_hash AS hash FROM materials WHERE source_id IN (SELECT value FROM json_each(?1))",
        ids,
      )
    ).map((m) => [m.sourceId, m.hash]),
  );
  const deleted = unique.filter((e) => e.record.deleted);
  const { tally, writes } = await byDigest(
    unique.filter((e) => !e.record.deleted).map((e) => e.record.material),
    (m) => m.sourceId,
    current,
  );
  const statements = writes.length > 0 && !w.dryRun ? materialWrites(w, writes) : [];
  // Copies listed in the records; copies a record no longer lists (or all of a deleted record's) are withdrawn.
  const listed = unique.filter((e) => !e.record.deleted && e.record.copies !== null);
  const copies = await applyCopies(
    w,
    listed.flatMap((e) => e.record.copies ?? []),
    new Set(listed.map((e) => e.record.material.sourceId)),
  );
  const listedBarcodes = new Set(listed.flatMap((e) => (e.record.copies ?? []).map((c) => c.record.barcode)));
  const lineOfRecord = new Map(unique.map((e) => [e.record.material.sourceId, e.line]));
  const gone = (
    await rowsFor<CurrentCopy>(
      w.db,
      `SELECT ${COPY_COLUMNS} FROM items i JOIN materials m ON m.id = i.material_id
       WHERE m.source_id IN (SELECT value FROM json_each(?1)) AND i.status <> 'withdrawn'`,
      [...listed, ...deleted].map((e) => e.record.material.sourceId),
    )
  ).filter(
    (c) => !listedBarcodes.has(c.barcode) && (c.hash !== null || deleted.some((d) => d.record.material.sourceId === c.sourceId)),
  );
  const guarded = guardedWithdrawals(w, gone, (c) => lineOfRecord.get(c.sourceId ?? "") ?? 0);
  return {
    statements: [...statements, ...copies.statements, ...guarded.statements],
    tally: { ...tally, ...copies.tally, withdrawn: (copies.tally.withdrawn ?? 0) + guarded.ids.length },
    rejects: [...rejects, ...copies.rejects, ...guarded.rejects],
    seen: [...unique.map((e) => `m:${e.record.material.sourceId}`), ...copies.seen],
  };
}
