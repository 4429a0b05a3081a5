// Setting a copy aside follows the queue: the first in queue order gets it, through the API and the staff
// page alike; skipping the line is an explicit override with a reason, kept in the audit log.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { mayTakeCopy } from "../../src/domain/holds";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { cookiesFrom, createPatron, formPost } from "../support/patrons";
import { insertReservation } from "../support/rows";

beforeAll(loadCatalog);

const ADMIN = { Authorization: "Bearer test-admin-token", "content-type": "application/json" };
const hold = (id: number, body: object) =>
  call(`/api/v1/admin/reservations/${id}/hold`, { method: "POST", headers: ADMIN, body: JSON.stringify(body) });
const statusOf = async (id: number) =>
  (await env.DB.prepare("SELECT status FROM reservations WHERE id = ?").bind(id).first<{ status: string }>())?.status;

/** A material with exactly one free lendable copy, and four patrons queued for it (first accepted first). */
async function queueOfFour(materialId: number) {
  const items = await env.DB.prepare("SELECT id FROM items WHERE material_id = ? ORDER BY id")
    .bind(materialId)
    .all<{ id: number }>();
  const [free, ...others] = items.results.map((r) => r.id);
  for (const id of others) await env.DB.prepare("UPDATE items SET status = 'on_loan' WHERE id = ?").bind(id).run();
  await env.DB.prepare("UPDATE items SET status = 'available', loanable = 1 WHERE id = ?").bind(free).run();
  const ids: number[] = [];
  for (let k = 0; k < 4; k++) {
    const p = await createPatron({ mustChange: false });
    ids.push(await insertReservation(p.id, materialId, "reserved", { acceptedAt: Date.now() - 10_000 + k }));
  }
  return { itemId: free as number, ids };
}

describe("mayTakeCopy", () => {
  it("gives the k-th in line the k-th free copy, and nobody a copy that is not there", () => {
    expect(mayTakeCopy(1, 1)).toBe(true);
    expect(mayTakeCopy(2, 1)).toBe(false);
    expect(mayTakeCopy(2, 2)).toBe(true);
    expect(mayTakeCopy(1, 0)).toBe(false);
  });
});

describe("setting aside in queue order", () => {
  it("refuses the fourth in line while three wait ahead, and changes nothing", async () => {
    const { itemId, ids } = await queueOfFour(60);
    const res = await hold(ids[3] as number, { itemId });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; position: number } };
    expect(body.error).toMatchObject({ code: "invalid_state", position: 4 });
    expect(await statusOf(ids[3] as number)).toBe("reserved");
    const item = await env.DB.prepare("SELECT status FROM items WHERE id = ?").bind(itemId).first<{ status: string }>();
    expect(item?.status).toBe("available");
  });

  it("gives the copy to the first in line", async () => {
    const { itemId, ids } = await queueOfFour(61);
    expect((await hold(ids[0] as number, { itemId })).status).toBe(200);
    expect(await statusOf(ids[0] as number)).toBe("on_hold");
  });

  it("the staff page refuses the same, in Japanese", async () => {
    const { itemId, ids } = await queueOfFour(62);
    const cookie = cookiesFrom(await call("/admin/login", formPost({ staffName: "山田", token: "test-admin-token" })));
    const res = await call("/admin/holds", formPost({ reservationId: String(ids[2]), itemId: String(itemId) }, cookie));
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("予約順位3番");
    expect(await statusOf(ids[2] as number)).toBe("reserved");
  });

  it("an override out of turn needs a reason and is audited with it", async () => {
    const { itemId, ids } = await queueOfFour(63);
    expect((await hold(ids[3] as number, { itemId, outOfTurnReason: "" })).status).toBe(400);
    const res = await hold(ids[3] as number, { itemId, outOfTurnReason: "前の3人から辞退の連絡あり" });
    expect(res.status).toBe(200);
    const audit = await env.DB.prepare("SELECT detail FROM audit_log WHERE action = 'reservation.hold' AND target_id = ?")
      .bind(String(ids[3]))
      .first<{ detail: string }>();
    expect(JSON.parse(audit?.detail ?? "{}")).toMatchObject({ itemId, outOfTurn: true, reason: "前の3人から辞退の連絡あり" });
  });
});
