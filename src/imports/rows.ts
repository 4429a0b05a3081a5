// From the units of a slice (MARC records, CSV rows) to each kind's records, and on to its handler.
// A unit that cannot be read or checked becomes a reject with its line (or record) number.
import type { ImportKind } from "../domain/codes";
import { applyCatalog, applyCopies, type CatalogEntry } from "./catalog";
import { type Columns, DEFAULT_HOLDINGS, fieldsOf } from "./mapping";
import { MarcError, parseIso2709, parseMarcXml } from "./marc";
import { marcRow } from "./marc-map";
import { applyCounterReservations, applyLoans, applyPatrons } from "./people";
import {
  type CopyRecord,
  copyRecord,
  counterReservationRecord,
  loanRecord,
  materialRecord,
  patronRecord,
  RowError,
} from "./records";
import type { Unit } from "./slices";
import type { Applied, Numbered, Reject, SliceWork } from "./work";

const reasonOf = (err: unknown): string => {
  if (err instanceof RowError || err instanceof MarcError) return err.message;
  throw err;
};

function checked<T>(units: Unit[], rejects: Reject[], read: (u: Unit) => T): Numbered<T>[] {
  const out: Numbered<T>[] = [];
  for (const u of units) {
    if (u.kind === "bad") {
      rejects.push({ line: u.line, key: null, reason: u.reason });
      continue;
    }
    try {
      out.push({ line: u.line, record: read(u) });
    } catch (err) {
      rejects.push({ line: u.line, key: null, reason: reasonOf(err) });
    }
  }
  return out;
}

function marcEntries(w: SliceWork, units: Unit[], rejects: Reject[]): Numbered<CatalogEntry>[] {
  const holdings = w.mapping.holdings ?? DEFAULT_HOLDINGS;
  return checked(units, rejects, (u) => {
    const record = u.kind === "bytes" ? parseIso2709(u.bytes) : u.kind === "xml" ? parseMarcXml(u.xml) : undefined;
    if (!record) throw new RowError("MARCレコードとして読めません。");
    const row = marcRow(record, holdings);
    const material = materialRecord(row.fields);
    const copies: Numbered<CopyRecord>[] = [];
    for (const c of row.copies) {
      try {
        copies.push({ line: u.line, record: copyRecord(c, w.mapping.statuses) });
      } catch (err) {
        rejects.push({ line: u.line, key: c.barcode ?? null, reason: `所蔵: ${reasonOf(err)}` });
      }
    }
    return { material, deleted: row.deleted, copies: row.hasHoldings ? copies : null };
  });
}

/** The slice's records checked and handed to the kind's handler; rejects of reading come first. */
export async function applyUnits(w: SliceWork, kind: ImportKind, units: Unit[], columns: Columns | null): Promise<Applied> {
  const rejects: Reject[] = [];
  const cells = (u: Unit) => {
    if (u.kind !== "cells" || !columns) throw new RowError("行を読めません。");
    return fieldsOf(u.cells, columns);
  };
  let applied: Applied;
  switch (kind) {
    case "marc":
      applied = await applyCatalog(w, marcEntries(w, units, rejects));
      break;
    case "materials":
      applied = await applyCatalog(
        w,
        checked(units, rejects, (u) => ({ material: materialRecord(cells(u)), deleted: false, copies: null })),
      );
      break;
    case "copies":
      applied = await applyCopies(
        w,
        checked(units, rejects, (u) => copyRecord(cells(u), w.mapping.statuses)),
      );
      break;
    case "patrons":
      applied = await applyPatrons(
        w,
        checked(units, rejects, (u) => patronRecord(cells(u))),
      );
      break;
    case "loans":
      applied = await applyLoans(
        w,
        checked(units, rejects, (u) => loanRecord(cells(u))),
      );
      break;
    case "reservations":
      applied = await applyCounterReservations(
        w,
        checked(units, rejects, (u) => counterReservationRecord(cells(u))),
      );
      break;
  }
  return { ...applied, rejects: [...rejects, ...applied.rejects].sort((a, b) => a.line - b.line) };
}
