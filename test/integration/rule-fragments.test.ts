// The SQL fragments of the lifecycle room say the same as their TypeScript twins in domain/, for every
// status; and migration 0004 turns the Japanese reasons the service used to store into reason codes.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { FINISHED_RESERVATION_STATUSES, ITEM_STATUSES, RESERVATION_STATUSES } from "../../src/domain/codes";
import { REASON_CODES } from "../../src/domain/eligibility";
import { copyCounts } from "../../src/domain/reservability";
import { isActive } from "../../src/domain/reservations";
import {
  availableNowSql,
  isAcceptedSql,
  isActiveSql,
  isFinishedSql,
  lendableCopySql,
  usableCopySql,
} from "../../src/reservations/sql";
import { reasonText } from "../../src/views/reasons";
import { loadCatalog } from "../support/catalog";
import { createPatron } from "../support/patrons";
import { insertReservation } from "../support/rows";

beforeAll(loadCatalog);

describe("copy fragments", () => {
  const copies = ITEM_STATUSES.flatMap((status) => [true, false].map((loanable) => ({ status, loanable })));

  it.each(copies)("agree with copyCounts for a copy %o", async (copy) => {
    const row = await env.DB.prepare(
      `WITH i(status, loanable) AS (VALUES (?, ?))
       SELECT (${usableCopySql()}) AS usable, (${lendableCopySql()}) AS lendable, (${availableNowSql()}) AS now FROM i`,
    )
      .bind(copy.status, copy.loanable ? 1 : 0)
      .first<{ usable: number; lendable: number; now: number }>();
    const counts = copyCounts([copy]);
    expect(row?.usable).toBe(counts.usableCopies);
    expect(row?.lendable).toBe(counts.lendableCopies);
    expect(row?.now).toBe(copy.status === "available" && copy.loanable ? 1 : 0);
  });
});

describe("reservation status fragments", () => {
  it.each(RESERVATION_STATUSES)("agree with isActive and the finished list for %s", async (status) => {
    const row = await env.DB.prepare(
      `WITH r(status) AS (VALUES (?))
       SELECT (${isActiveSql()}) AS active, (${isAcceptedSql()}) AS accepted, (${isFinishedSql()}) AS finished FROM r`,
    )
      .bind(status)
      .first<{ active: number; accepted: number; finished: number }>();
    expect(row?.active).toBe(isActive(status) ? 1 : 0);
    expect(row?.accepted).toBe(isActive(status) && status !== "applied" ? 1 : 0);
    expect(row?.finished).toBe((FINISHED_RESERVATION_STATUSES as readonly string[]).includes(status) ? 1 : 0);
    expect(row?.active).not.toBe(row?.finished);
  });
});

describe("migration 0004_reason_codes", () => {
  it("turns each stored Japanese reason into its code, and leaves rows without a reason alone", async () => {
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0004_"));
    const convert = migration?.queries.find((q) => q.trimStart().startsWith("UPDATE"));
    expect(convert).toBeDefined();
    // The column as it was before 0004, filled the way the service filled it (the same wording).
    await env.DB.prepare("ALTER TABLE reservations ADD reason text").run();
    try {
      const patron = await createPatron({ mustChange: false });
      // The reasons the service stored in words before 0004 (later codes were never stored as words).
      const stored = REASON_CODES.filter((c) => c !== "credentials_temporary" && c !== "not_needed");
      const ids: number[] = [];
      for (const [n, code] of stored.entries()) {
        const id = await insertReservation(patron.id, 300 + n, "rejected");
        await env.DB.prepare("UPDATE reservations SET reason = ? WHERE id = ?").bind(reasonText(code, 10), id).run();
        ids.push(id);
      }
      const none = await insertReservation(patron.id, 299, "cancelled");
      await env.DB.prepare(convert as string).run();
      for (const [n, code] of stored.entries()) {
        const row = await env.DB.prepare("SELECT reason_code AS c FROM reservations WHERE id = ?")
          .bind(ids[n])
          .first<{ c: string }>();
        expect(row?.c).toBe(code);
      }
      const untouched = await env.DB.prepare("SELECT reason_code AS c FROM reservations WHERE id = ?")
        .bind(none)
        .first<{ c: null }>();
      expect(untouched?.c).toBeNull();
    } finally {
      await env.DB.prepare("ALTER TABLE reservations DROP COLUMN reason").run();
    }
  });
});
