// 予約申請 applied once: a retry with the same Idempotency-Key (API) or the same confirmation form (pages)
// gets the first answer, the same status and body, and applies nothing more.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { runJob } from "../../src/jobs/run";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";
import { cookiesFrom, createPatron, formPost, readyPatron } from "../support/patrons";
import { insertReservation } from "../support/rows";

beforeAll(loadCatalog);

const json = (token: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(path, {
    method,
    headers: { Authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

const countOf = async (patronId: number) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM reservations WHERE patron_id = ?").bind(patronId).first<{ n: number }>())?.n ??
  0;

describe("POST /api/v1/cart/apply with Idempotency-Key", () => {
  it("a retry answers the first 201 with the same body and applies nothing more", async () => {
    const p = await readyPatron();
    for (const materialId of [1, 2])
      expect((await json(p.token, "POST", "/api/v1/cart/items", { materialId, pickupBranch: "central" })).status).toBe(201);
    const first = await json(p.token, "POST", "/api/v1/cart/apply", {}, { "Idempotency-Key": "retry-1" });
    expect(first.status).toBe(201);
    const body = await first.text();
    expect(await countOf(p.id)).toBe(2);
    // Something new in the cart: the retry still answers the first apply, and leaves the new line alone.
    expect((await json(p.token, "POST", "/api/v1/cart/items", { materialId: 3, pickupBranch: "central" })).status).toBe(201);
    const again = await json(p.token, "POST", "/api/v1/cart/apply", {}, { "Idempotency-Key": "retry-1" });
    expect(again.status).toBe(201);
    expect(await again.text()).toBe(body);
    expect(await countOf(p.id)).toBe(2);
    const cart = (await (await call("/api/v1/cart", { headers: { Authorization: `Bearer ${p.token}` } })).json()) as {
      items: Array<{ materialId: number }>;
    };
    expect(cart.items.map((i) => i.materialId)).toEqual([3]);
    // A new key is a new apply.
    expect((await json(p.token, "POST", "/api/v1/cart/apply", {}, { "Idempotency-Key": "retry-2" })).status).toBe(201);
    expect(await countOf(p.id)).toBe(3);
  });

  it("a refusal is the first answer too, even when the patron could apply by now", async () => {
    const p = await readyPatron();
    const held: number[] = [];
    for (let m = 11; m <= 20; m++) held.push(await insertReservation(p.id, m, "applied"));
    expect((await json(p.token, "POST", "/api/v1/cart/items", { materialId: 21, pickupBranch: "central" })).status).toBe(201);
    const refused = await json(p.token, "POST", "/api/v1/cart/apply", {}, { "Idempotency-Key": "quota-1" });
    expect(refused.status).toBe(409);
    const body = await refused.text();
    await env.DB.prepare("UPDATE reservations SET status = 'application_cancelled' WHERE id = ?").bind(held[0]).run();
    const again = await json(p.token, "POST", "/api/v1/cart/apply", {}, { "Idempotency-Key": "quota-1" });
    expect(again.status).toBe(409);
    expect(await again.text()).toBe(body);
    expect((await json(p.token, "POST", "/api/v1/cart/apply", {}, { "Idempotency-Key": "quota-2" })).status).toBe(201);
  });

  it("refuses a malformed key with the contract's error and applies nothing", async () => {
    const p = await readyPatron();
    await json(p.token, "POST", "/api/v1/cart/items", { materialId: 4, pickupBranch: "central" });
    for (const key of ["has space", "x".repeat(201), "キー"]) {
      const res = await json(p.token, "POST", "/api/v1/cart/apply", {}, { "Idempotency-Key": key });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.fields["Idempotency-Key"]).toBeTruthy();
    }
    expect(await countOf(p.id)).toBe(0);
  });
});

describe("the confirmation page", () => {
  it("sent twice (a double tap on a slow line) applies once and both answers lead to the same done page", async () => {
    const p = await createPatron({ mustChange: false, password: "Yomu2718" });
    let jar = cookiesFrom(await call("/login", formPost({ cardNumber: p.cardNumber, password: p.password })));
    jar = cookiesFrom(await call("/cart/items", formPost({ materialId: "5", pickupBranch: "central" }, jar)), jar);
    const confirm = await (await call("/cart/confirm", { headers: { Cookie: jar } })).text();
    const key = /name="applyKey" value="([^"]+)"/.exec(confirm)?.[1];
    expect(key).toBeTruthy();
    const first = await call("/cart/apply", formPost({ applyKey: key as string }, jar));
    const second = await call("/cart/apply", formPost({ applyKey: key as string }, jar));
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(second.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(await countOf(p.id)).toBe(1);
    const done = await call(first.headers.get("Location") as string, { headers: { Cookie: jar } });
    expect(await done.text()).toContain("予約申請が完了しました");
  });
});

describe("keys", () => {
  it("are kept a day: the nightly refresh deletes older ones", async () => {
    const p = await createPatron({ mustChange: false });
    const now = Date.now();
    for (const [key, at] of [
      ["old", now - 2 * 24 * 60 * 60 * 1000],
      ["new", now - 60 * 1000],
    ] as const)
      await env.DB.prepare("INSERT INTO apply_keys (patron_id, key, outcome, created_at) VALUES (?, ?, '{}', ?)")
        .bind(p.id, key, at)
        .run();
    const summary = await runJob(env, "nightly", { now, date: "2026-12-03" });
    expect(summary).toMatchObject({ applyKeysDeleted: 1 });
    const left = await env.DB.prepare("SELECT key FROM apply_keys WHERE patron_id = ?").bind(p.id).all<{ key: string }>();
    expect(left.results.map((r) => r.key)).toEqual(["new"]);
  });
});
