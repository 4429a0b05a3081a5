// Slices of patron, loan and counter-reservation imports. Patrons are card holders of the library system:
// imported without web credentials (web use is registered at the counter, as today); a patron the system
// marks without web use or suspended loses web use and sessions here at once.
import { endSessionsOfCards } from "../auth/sessions";
import {
  changeDueDates,
  type ImportedLoan,
  type ImportedReservation,
  insertCounterReservations,
  openImportedLoans,
} from "../reservations/imported";
import { isActiveSql } from "../reservations/sql";
import type { CounterReservationRecord, LoanRecord, PatronRecord } from "./records";
import {
  type Applied,
  byDigest,
  firstOfEachKey,
  jsonList,
  type Numbered,
  type Reject,
  rowsFor,
  type SliceWork,
  type Tally,
} from "./work";

function patronWrites(w: SliceWork, rows: Array<PatronRecord & { hash: string }>): D1PreparedStatement[] {
  const json = jsonList(
    rows.map((p) => ({
      c: p.cardNumber,
      n: p.name,
      k: p.nameKana,
      e: p.email,
      v: p.validUntil,
      w: p.webUse === null ? null : p.webUse ? 1 : 0,
      s: p.suspended === null ? null : p.suspended ? 1 : 0,
      h: p.hash,
    })),
  );
  const source = `SELECT j.value->>'c' AS c, j.value->>'n' AS n, j.value->>'k' AS k, j.value->>'e' AS e, j.value->>'v' AS v,
      j.value->>'w' AS w, j.value->>'s' AS s, j.value->>'h' AS h FROM json_each(?1) j`;
  return [
    // A patron who already confirmed their own address here keeps it: the system's copy may lag behind.
    w.db
      .prepare(
        `UPDATE patrons SET name = r.n, name_kana = r.k, card_valid_until = r.v, source_hash = r.h, updated_at = ?2,
           email = CASE WHEN patrons.web_enabled = 1 AND patrons.email_temporary = 0 THEN patrons.email ELSE r.e END,
           email_temporary = CASE WHEN patrons.web_enabled = 1 AND patrons.email_temporary = 0 THEN 0 ELSE 1 END,
           web_enabled = CASE WHEN r.w = 0 THEN 0 ELSE patrons.web_enabled END,
           suspended = coalesce(r.s, patrons.suspended)
         FROM (${source}) AS r WHERE patrons.card_number = r.c`,
      )
      .bind(json, w.now),
    w.db
      .prepare(
        `INSERT INTO patrons (card_number, name, name_kana, email, email_temporary, card_valid_until, suspended, web_enabled, must_change_credentials, source_hash, updated_at)
         SELECT r.c, r.n, r.k, r.e, 1, r.v, coalesce(r.s, 0), 0, 1, r.h, ?2 FROM (${source}) AS r
         WHERE NOT EXISTS (SELECT 1 FROM patrons p WHERE p.card_number = r.c)`,
      )
      .bind(json, w.now),
    endSessionsOfCards(
      w.db,
      rows.filter((p) => p.webUse === false || p.suspended === true).map((p) => p.cardNumber),
    ),
  ];
}

export async function applyPatrons(w: SliceWork, rows: Numbered<PatronRecord>[]): Promise<Applied> {
  const rejects: Reject[] = [];
  const unique = await firstOfEachKey(
    w,
    rows,
    (p) => `p:${p.cardNumber}`,
    (p) => `利用者番号「${p.cardNumber}」がこのファイルで重複しています。`,
    rejects,
  );
  const current = new Map(
    (
      await rowsFor<{ c: string; h: string | null }>(
        w.db,
        "SELECT card_number AS c, source_hash AS h FROM patrons WHERE card_number IN (SELECT value FROM json_each(?1))",
        unique.map((r) => r.record.cardNumber),
      )
    ).map((p) => [p.c, p.h]),
  );
  const { tally, writes } = await byDigest(
    unique.map((r) => r.record),
    (p) => p.cardNumber,
    current,
  );
  return {
    statements:
      writes.length > 0 && !w.dryRun
        ? patronWrites(
            w,
            writes.map(({ record, hash }) => ({ ...record, hash })),
          )
        : [],
    tally,
    rejects,
    seen: unique.map((r) => `p:${r.record.cardNumber}`),
  };
}

const idsByKey = async (w: SliceWork, sql: string, keys: string[]) =>
  new Map((await rowsFor<{ k: string; id: number }>(w.db, sql, [...new Set(keys)])).map((r) => [r.k, r.id]));

const patronIds = (w: SliceWork, cards: string[]) =>
  idsByKey(w, "SELECT card_number AS k, id FROM patrons WHERE card_number IN (SELECT value FROM json_each(?1))", cards);

export async function applyLoans(w: SliceWork, rows: Numbered<LoanRecord>[]): Promise<Applied> {
  const rejects: Reject[] = [];
  const unique = await firstOfEachKey(
    w,
    rows,
    (l) => `l:${l.barcode}`,
    (l) => `バーコード「${l.barcode}」の貸出がこのファイルで重複しています。`,
    rejects,
  );
  const patrons = await patronIds(
    w,
    unique.map((r) => r.record.cardNumber),
  );
  const items = new Map(
    (
      await rowsFor<{
        id: number;
        barcode: string;
        status: string;
        loanId: number | null;
        loanPatron: number | null;
        due: string | null;
      }>(
        w.db,
        `SELECT i.id, i.barcode, i.status, l.id AS loanId, l.patron_id AS loanPatron, l.due_date AS due
         FROM items i LEFT JOIN loans l ON l.item_id = i.id AND l.returned_at IS NULL WHERE i.barcode IN (SELECT value FROM json_each(?1))`,
        unique.map((r) => r.record.barcode),
      )
    ).map((i) => [i.barcode, i]),
  );
  const tally: Partial<Tally> = { added: 0, updated: 0, unchanged: 0 };
  const opened: ImportedLoan[] = [];
  const due: Array<{ id: number; d: string }> = [];
  for (const { line, record } of unique) {
    const item = items.get(record.barcode);
    const patronId = patrons.get(record.cardNumber);
    const fail = (reason: string) => rejects.push({ line, key: record.barcode, reason });
    if (!item) fail(`バーコード「${record.barcode}」の所蔵がありません（先に所蔵を取り込んでください）。`);
    else if (patronId === undefined)
      fail(`利用者番号「${record.cardNumber}」の利用者がいません（先に利用者を取り込んでください）。`);
    else if (item.loanId !== null && item.loanPatron !== patronId) fail("この所蔵は別の利用者に貸出中です。");
    else if (item.loanId !== null) {
      if (item.due === record.dueDate) tally.unchanged = (tally.unchanged ?? 0) + 1;
      else {
        tally.updated = (tally.updated ?? 0) + 1;
        due.push({ id: item.loanId, d: record.dueDate });
      }
    } else if (item.status === "on_hold") fail("取置中の所蔵です（取置の利用者への貸出は窓口で行ってください）。");
    else if (item.status === "withdrawn") fail("除籍された所蔵です。");
    else {
      tally.added = (tally.added ?? 0) + 1;
      opened.push({ i: item.id, p: patronId, a: record.loanedAt, d: record.dueDate });
    }
  }
  const statements = w.dryRun
    ? []
    : [
        ...(opened.length > 0 ? openImportedLoans(w.db, opened, w.now) : []),
        ...(due.length > 0 ? [changeDueDates(w.db, due)] : []),
      ];
  return { statements, tally, rejects, seen: unique.map((r) => `l:${r.record.barcode}`) };
}

export async function applyCounterReservations(w: SliceWork, rows: Numbered<CounterReservationRecord>[]): Promise<Applied> {
  const rejects: Reject[] = [];
  const unique = await firstOfEachKey(
    w,
    rows,
    (r) => `r:${r.cardNumber}:${r.materialSourceId}`,
    (r) => `利用者番号「${r.cardNumber}」の書誌番号「${r.materialSourceId}」の予約がこのファイルで重複しています。`,
    rejects,
  );
  const patrons = await patronIds(
    w,
    unique.map((r) => r.record.cardNumber),
  );
  const materials = await idsByKey(
    w,
    "SELECT source_id AS k, id FROM materials WHERE source_id IN (SELECT value FROM json_each(?1))",
    unique.map((r) => r.record.materialSourceId),
  );
  const pairs = unique.map((r) => [patrons.get(r.record.cardNumber) ?? 0, materials.get(r.record.materialSourceId) ?? 0]);
  const active = new Set(
    (
      await rowsFor<{ k: string }>(
        w.db,
        `SELECT r.patron_id || ':' || r.material_id AS k FROM reservations r JOIN json_each(?1) j
           ON r.patron_id = j.value->>0 AND r.material_id = j.value->>1 WHERE ${isActiveSql("r.status")}`,
        pairs,
      )
    ).map((r) => r.k),
  );
  const tally: Partial<Tally> = { added: 0, unchanged: 0 };
  const made: ImportedReservation[] = [];
  for (const { line, record } of unique) {
    const patronId = patrons.get(record.cardNumber);
    const materialId = materials.get(record.materialSourceId);
    const fail = (reason: string) => rejects.push({ line, key: record.cardNumber, reason });
    if (patronId === undefined) fail(`利用者番号「${record.cardNumber}」の利用者がいません（先に利用者を取り込んでください）。`);
    else if (materialId === undefined)
      fail(`書誌番号「${record.materialSourceId}」の資料がありません（先に書誌を取り込んでください）。`);
    else if (w.branches.get(record.pickupBranch) !== true)
      fail(`受取館「${record.pickupBranch}」は受取館として登録されていません。`);
    else if (active.has(`${patronId}:${materialId}`)) tally.unchanged = (tally.unchanged ?? 0) + 1;
    else {
      tally.added = (tally.added ?? 0) + 1;
      made.push({
        p: patronId,
        m: materialId,
        b: record.pickupBranch,
        r: record.reservedAt,
        q: record.reservedAt + record.queueOrder,
      });
    }
  }
  return {
    statements: made.length > 0 && !w.dryRun ? [insertCounterReservations(w.db, made, w.now)] : [],
    tally,
    rejects,
    seen: unique.map((r) => `r:${r.record.cardNumber}:${r.record.materialSourceId}`),
  };
}
