// 予約カート: add from 資料詳細情報, 予約カート確認, 予約申請 → confirmation → 予約申請 → done; and the JSON
// of /api/v1/cart and the single-item /api/v1/me/reservations. Applying goes through the patron's Durable Object.
import { zValidator } from "@hono/zod-validator";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { Hono } from "hono/tiny";
import * as z from "zod/mini";
import { addressGroup, clientAddress } from "../../auth/address";
import { changeCredentialsFirst, credentialsChangeRequired, requireReadyPatron } from "../../auth/middleware";
import { randomToken, sha256Hex } from "../../auth/tokens";
import { bookmarked } from "../../db/session";
import { tokyoIso } from "../../domain/calendar";
import { copyCounts, NOT_RESERVABLE_MESSAGES, reservability } from "../../domain/reservability";
import { remainingQuota } from "../../domain/reservations";
import type { SeriesMode } from "../../domain/series";
import type { AppEnv } from "../../env";
import { AppError, invalidRequest } from "../../errors";
import { patronObject } from "../../objects/patron";
import type { AppliedReservation, ApplyOutcome } from "../../reservations/apply";
import { reservationsOf } from "../../reservations/read";
import { settingsOf } from "../../settings";
import { parseWith, throwInvalid } from "../../validation";
import { field, idOf, readForm } from "../../views/forms";
import { applyModeSchema, applySchema, cartFormItem, loginSchema, materialRef, seriesSchema } from "../account/schemas";
import { logIn } from "../account/session-actions";
import { getMaterial } from "../catalog/queries";
import { branchesFor, preferredPickup } from "../catalog/reference";
import {
  CART_COOKIE,
  type CartLine,
  cartLines,
  cartView,
  GUEST_CART_MS,
  lastReservationPickup,
  liveGuestCart,
  newGuestCart,
  patronCartId,
  putCartItem,
  removeCartItem,
} from "./queries";
import { CartPage, type CartState, ConfirmPage, DonePage } from "./views";

const limitOf = (c: Context<AppEnv>) => settingsOf(c.env).reservationLimit;

/** The cart of this request: the patron's, or the guest's from its cookie (made when `create`). */
async function cartOf(c: Context<AppEnv>, create: boolean): Promise<string | undefined> {
  const now = Date.now();
  if (c.var.patron) return patronCartId(c.var.db, c.var.patron.id, now);
  const guest = getCookie(c, CART_COOKIE);
  if (guest && (await liveGuestCart(c.var.db, guest, now))) return guest;
  if (!create) return undefined;
  const id = await newGuestCart(c.var.db, now, await sha256Hex(addressGroup(clientAddress(c))));
  if (!id)
    throw new AppError("rate_limited", "この接続からは、本日これ以上新しい予約カートを作れません。時間をおいてお試しください。", {
      retryAfter: 60 * 60,
    });
  setCookie(c, CART_COOKIE, id, { path: "/", secure: true, httpOnly: true, sameSite: "Lax", maxAge: GUEST_CART_MS / 1000 });
  return id;
}

/** What putting a material in the cart did: added, its pickup branch changed (from), or nothing new. */
export type CartChange = { cartId: string; added: boolean; changedFrom?: string };

/**
 * Adds a material with its pickup branch (re-adding changes the branch): it must be reservable, the branch
 * a pickup branch, the cart within the limit. Without a branch (from the result list) the one offered
 * first is taken: the one already chosen for it, 初期値設定, or the last choice.
 */
async function addToCart(c: Context<AppEnv>, materialId: number, pickupBranch: string | undefined): Promise<CartChange> {
  const material = await getMaterial(c.var.d1, materialId);
  if (!material) throw new AppError("not_found", "指定された資料は見つかりませんでした。");
  const r = reservability({ latestIssue: material.latestIssue, ...copyCounts(material.holdings) });
  if (!r.reservable) throw new AppError("not_reservable", NOT_RESERVABLE_MESSAGES[r.reason], { reason: r.reason });
  const cartId = (await cartOf(c, true)) as string;
  const lines = await cartLines(c.var.db, cartId);
  const before = lines.find((l) => l.materialId === materialId);
  const pickups = (await branchesFor(c)).filter((b) => b.pickup);
  const patron = c.var.patron;
  const branch =
    pickupBranch ??
    preferredPickup(
      pickups,
      before?.pickupBranch,
      patron?.defaultPickupBranch,
      lines.at(-1)?.pickupBranch,
      // Read only for an add without a branch (from the result list).
      patron && !pickupBranch ? await lastReservationPickup(c.var.d1, patron.id) : undefined,
    );
  if (!branch || !pickups.some((b) => b.code === branch))
    throw invalidRequest({ pickupBranch: "受取館を選んでください。" }, "受取館を選んでください。");
  if (lines.length >= limitOf(c) && !before) {
    throw new AppError("quota_exceeded", `予約カートに入れられるのは${limitOf(c)}件までです。`, { remaining: 0 });
  }
  await putCartItem(c.var.db, cartId, materialId, branch, Date.now());
  return {
    cartId,
    added: !before,
    ...(before && before.pickupBranch !== branch ? { changedFrom: before.pickupBranch } : {}),
  };
}

/** The Durable Object's refusal as the contract's error, naming the materials concerned. */
function refusal(outcome: Exclude<ApplyOutcome, { ok: true }>, lines: CartLine[], limit: number): AppError {
  // The single-item API has no cart lines: it names "this material".
  const titles = (ids: number[]) =>
    lines.length === 0 ? "この資料" : ids.map((id) => `「${lines.find((l) => l.materialId === id)?.title ?? id}」`).join("");
  switch (outcome.code) {
    case "quota_exceeded":
      return new AppError(
        "quota_exceeded",
        `予約できるのは窓口での予約も含めておひとり${limit}冊までのため、申請できません。あと${outcome.remaining}件まで予約できます。`,
        { remaining: outcome.remaining },
      );
    case "not_reservable":
      return new AppError("not_reservable", `予約できない資料が含まれています：${titles(outcome.materialIds)}`, {
        materialIds: outcome.materialIds,
      });
    case "already_reserved":
      return new AppError("already_reserved", `すでに予約している資料が含まれています：${titles(outcome.materialIds)}`, {
        materialIds: outcome.materialIds,
      });
    case "invalid_request":
      return outcome.field === "items"
        ? invalidRequest({ items: "予約カートに資料がありません。" }, "予約カートに資料がありません。")
        : invalidRequest({ pickupBranch: "受取館を選び直してください。" });
    case "forbidden":
      return new AppError("forbidden", "インターネット予約をご利用いただけません。窓口へお問い合わせください。");
  }
}

const APPLY_KEY = /^[\x21-\x7e]{1,200}$/;

/** An apply's key (the API's Idempotency-Key header, the confirmation form's applyKey), checked. */
function applyKeyOf(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!APPLY_KEY.test(value))
    throw invalidRequest({ [name]: "キーは200文字以内の半角英数字・記号で指定してください。" }, "キーの形式が正しくありません。");
  return value;
}

/**
 * Applies the patron's whole cart, or nothing; the cart is emptied in the same transaction. With a key,
 * a retry (a double tap, an answer lost on a slow line) gets the first outcome and applies nothing more.
 */
async function applyCart(
  c: Context<AppEnv>,
  patron: { id: number; cardNumber: string },
  key?: string,
  only?: Set<number>,
  series?: SeriesMode,
): Promise<{ applied: AppliedReservation[]; lines: CartLine[]; seriesId?: number }> {
  const cartId = await patronCartId(c.var.db, patron.id, Date.now());
  // The confirmation's lines only, when it named them: the rest stays in the cart.
  const lines = (await cartLines(c.var.db, cartId)).filter((l) => !only || only.has(l.materialId));
  // A series goes to one pickup branch: the first line's.
  const pickupOf = (l: CartLine) => (series ? (lines[0]?.pickupBranch ?? l.pickupBranch) : l.pickupBranch);
  // An emptied cart may be the retry of an apply that went through: the key's first outcome answers it.
  if (lines.length === 0 && !key)
    throw invalidRequest({ items: "予約カートに資料がありません。" }, "予約カートに資料がありません。");
  const outcome = await bookmarked(
    c,
    patronObject(c.env, patron.cardNumber).apply({
      patronId: patron.id,
      items: lines.map((l) => ({ materialId: l.materialId, pickupBranch: pickupOf(l) })),
      cartId,
      now: Date.now(),
      limit: limitOf(c),
      ...(key ? { key } : {}),
      ...(series && lines.length > 1 ? { series } : {}),
    }),
  );
  if (!outcome.ok) throw refusal(outcome, lines, limitOf(c));
  return { applied: outcome.reservations, lines, ...(outcome.seriesId ? { seriesId: outcome.seriesId } : {}) };
}

const appliedJson = (r: AppliedReservation) => ({
  id: r.id,
  materialId: r.materialId,
  status: "applied" as const,
  pickupBranch: r.pickupBranch,
  appliedAt: tokyoIso(r.appliedAt),
});

/** The cart of this request and, for a patron, how many more may be reserved and what is reserved already: one round trip. */
async function viewOf(c: Context<AppEnv>): Promise<CartState> {
  const patron = c.var.patron;
  const guest = getCookie(c, CART_COOKIE);
  if (!patron && !guest) return { lines: [] };
  const view = await cartView(c.var.db, patron ? { patronId: patron.id } : { guestId: guest as string, now: Date.now() });
  return view.active === undefined
    ? { lines: view.lines }
    : { lines: view.lines, remaining: remainingQuota(limitOf(c), view.active), reserved: view.reserved };
}

/** What the last add did to which line, from the redirect's query (?added=|changed=|kept=<materialId>). */
function addNotice(c: Context<AppEnv>, lines: CartLine[]): string | undefined {
  for (const what of ["added", "changed", "kept"] as const) {
    const id = idOf(c.req.query(what));
    const line = id === undefined ? undefined : lines.find((l) => l.materialId === id);
    if (!line) continue;
    if (what === "added") return `「${line.title}」を予約カートに追加しました（受取館：${line.pickupBranchName}）。`;
    if (what === "changed") return `「${line.title}」の受取館を${line.pickupBranchName}に変更しました。`;
    return `「${line.title}」はすでに予約カートに入っています（受取館：${line.pickupBranchName}）。`;
  }
  return undefined;
}

async function cartPage(
  c: Context<AppEnv>,
  extra: { errors?: Record<string, string>; message?: string; cardNumber?: string } = {},
) {
  const [state, branches] = await Promise.all([viewOf(c), branchesFor(c)]);
  const patron = c.var.patron;
  return (
    <CartPage
      state={state}
      pickupBranches={branches.filter((b) => b.pickup)}
      limit={limitOf(c)}
      signedInAs={patron?.name}
      errors={extra.errors ?? {}}
      message={extra.message}
      notice={addNotice(c, state.lines)}
      cardNumber={extra.cardNumber}
    />
  );
}

/** The material ids a confirmation showed (?items= / the form's items): only those are applied. */
function itemsOf(value: string | undefined): Set<number> | undefined {
  if (value === undefined || value === "") return undefined;
  const ids = value
    .split(",")
    .slice(0, 50)
    .map((x) => idOf(x))
    .filter((n): n is number => n !== undefined);
  return new Set(ids);
}

/** Temporary credentials: the change screen first, then back to the confirmation with the cart intact. */
const mustChangeFirst = (c: Context<AppEnv>) => changeCredentialsFirst(c, "/cart/confirm");

export const cartPages = new Hono<AppEnv>()
  .get("/cart", async (c) => mustChangeFirst(c) ?? c.html(await cartPage(c)))
  .post("/cart/items", async (c) => {
    const redirect = mustChangeFirst(c);
    if (redirect) return redirect;
    const parsed = parseWith(cartFormItem, await readForm(c));
    if (!parsed.ok) return c.html(await cartPage(c, { message: Object.values(parsed.fields)[0] }), 400);
    const change = await addToCart(c, parsed.data.materialId, parsed.data.pickupBranch);
    // The cart then says what happened to which line (a re-add that changed the branch is said, not silent).
    const what = change.added ? "added" : change.changedFrom ? "changed" : "kept";
    return c.redirect(`/cart?${what}=${parsed.data.materialId}`, 303);
  })
  .post("/cart/items/:materialId/delete", async (c) => {
    const redirect = mustChangeFirst(c);
    if (redirect) return redirect;
    const id = idOf(c.req.param("materialId"));
    const cartId = await cartOf(c, false);
    if (cartId && id !== undefined) await removeCartItem(c.var.db, cartId, id);
    return c.redirect("/cart", 303);
  })
  .post("/cart/confirm", async (c) => {
    if (!c.var.patron) {
      const form = await readForm(c);
      const parsed = parseWith(loginSchema, form);
      const cardNumber = field(form, "cardNumber");
      if (!parsed.ok) return c.html(await cartPage(c, { errors: parsed.fields, cardNumber }), 400);
      // What this device's cart holds: the login adds it to the patron's saved cart, but only these were seen here.
      const seen = (await viewOf(c)).lines.map((l) => l.materialId);
      const confirm = seen.length > 0 ? `/cart/confirm?items=${seen.join(",")}` : "/cart/confirm";
      try {
        const { patron } = await logIn(c, parsed.data.cardNumber, parsed.data.password);
        if (patron.mustChangeCredentials) return c.redirect(`/account/profile?next=${encodeURIComponent(confirm)}`, 303);
        return c.redirect(confirm, 303);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        if (err.code === "too_many_attempts") c.header("Retry-After", String(err.extra.retryAfter));
        return c.html(await cartPage(c, { message: err.message, cardNumber }), err.status);
      }
    }
    return c.redirect("/cart/confirm", 303);
  })
  .get("/cart/confirm", async (c) => {
    const redirect = changeCredentialsFirst(c, `/cart/confirm${new URL(c.req.url).search}`);
    if (redirect) return redirect;
    const patron = c.var.patron;
    if (!patron) return c.redirect("/cart", 303);
    const state = await viewOf(c);
    const only = itemsOf(c.req.query("items"));
    const shown = state.lines.filter((l) => !only || only.has(l.materialId));
    if (shown.length === 0) return c.redirect("/cart", 303);
    return c.html(
      <ConfirmPage
        state={{ ...state, lines: shown }}
        kept={state.lines.length - shown.length}
        limit={limitOf(c)}
        items={only ? shown.map((l) => l.materialId) : undefined}
        applyKey={randomToken()}
      />,
    );
  })
  .get("/cart/done", async (c) => {
    const patron = c.var.patron;
    if (!patron) return c.redirect("/cart", 303);
    const ids = new Set(
      (c.req.query("ids") ?? "")
        .split(",")
        .slice(0, 50)
        .map((x) => Number(x))
        .filter((n) => Number.isSafeInteger(n) && n > 0),
    );
    // Only the patron's own reservations, whatever ids the address names.
    const [all, cart] = await Promise.all([reservationsOf(c.var.d1, patron.id), viewOf(c)]);
    const rows = all.filter((r) => ids.has(r.id)).sort((a, b) => a.id - b.id);
    if (rows.length === 0) return c.redirect("/account/reservations", 303);
    const lines = rows.map((r) => ({ title: r.title, pickupBranchName: r.pickupBranchName }));
    return c.html(
      <DonePage
        lines={lines}
        appliedAt={rows[0]?.appliedAt ?? Date.now()}
        kept={cart.lines.length}
        series={c.req.query("series") === "1"}
      />,
    );
  })
  .post("/cart/apply", async (c) => {
    const redirect = mustChangeFirst(c);
    if (redirect) return redirect;
    const patron = c.var.patron;
    if (!patron) return c.redirect("/cart", 303);
    const form = await readForm(c);
    const key = applyKeyOf(field(form, "applyKey"), "applyKey");
    const mode = parseWith(z.object({ mode: applyModeSchema }), { mode: field(form, "mode") });
    if (!mode.ok) return c.html(await cartPage(c, { message: Object.values(mode.fields)[0] }), 400);
    try {
      const { applied, seriesId } = await applyCart(c, patron, key, itemsOf(field(form, "items")), mode.data.mode || undefined);
      // A series whose first volume waits for room has nothing to show as applied: 予約状況 shows the series.
      if (seriesId && applied.length === 0) return c.redirect("/account/reservations?series=1", 303);
      // Post/redirect/get: the done page can be reloaded without applying again.
      return c.redirect(`/cart/done?ids=${applied.map((r) => r.id).join(",")}${seriesId ? "&series=1" : ""}`, 303);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // Nothing was applied and the cart is as it was: show it with the reason.
      return c.html(await cartPage(c, { message: err.message }), err.status);
    }
  });

export const cartApi = new Hono<AppEnv>()
  .get("/cart", async (c) => {
    const { lines, remaining } = await viewOf(c);
    return c.json({
      items: lines.map((l) => ({ materialId: l.materialId, title: l.title, pickupBranch: l.pickupBranch })),
      limit: limitOf(c),
      ...(remaining === undefined ? {} : { remaining }),
    });
  })
  .post("/cart/items", zValidator("json", materialRef, throwInvalid), async (c) => {
    const { materialId, pickupBranch } = c.req.valid("json");
    // A new guest's cart id exists only in this response's cookie, so it comes back from addToCart.
    const change = await addToCart(c, materialId, pickupBranch);
    const lines = await cartLines(c.var.db, change.cartId);
    return c.json(
      {
        items: lines.map((l) => ({ materialId: l.materialId, title: l.title, pickupBranch: l.pickupBranch })),
        limit: limitOf(c),
        // A re-add with another branch changes it, and says from which.
        ...(change.changedFrom ? { pickupChangedFrom: change.changedFrom } : {}),
      },
      201,
    );
  })
  .delete("/cart/items/:materialId", async (c) => {
    const id = idOf(c.req.param("materialId"));
    if (id === undefined) throw invalidRequest({ materialId: "資料の指定が正しくありません。" });
    const cartId = await cartOf(c, false);
    if (cartId) await removeCartItem(c.var.db, cartId, id);
    return c.body(null, 204);
  })
  .post("/cart/apply", zValidator("json", applySchema, throwInvalid), async (c) => {
    const { cardNumber, password } = c.req.valid("json");
    const key = applyKeyOf(c.req.header("Idempotency-Key"), "Idempotency-Key");
    if (cardNumber && password) {
      // A guest's cart joins the patron's saved one at login; only what this client had in it is applied.
      // A client with a guest cart applies exactly what it held — nothing when it is empty or gone (then
      // only a retry's key answers) — never the saved cart it did not see.
      const guest = !c.var.patron && getCookie(c, CART_COOKIE) !== undefined;
      const seen = guest ? new Set((await viewOf(c)).lines.map((l) => l.materialId)) : undefined;
      const { token, patron } = await logIn(c, cardNumber, password);
      if (patron.mustChangeCredentials) {
        // The cart now belongs to the patron; after PUT /me/credentials with this token, apply again.
        throw credentialsChangeRequired(
          "はじめに、メールアドレスとパスワードを変更してください。予約カートはそのまま残ります。",
          {
            token,
          },
        );
      }
      const { applied } = await applyCart(c, patron, key, seen);
      return c.json({ reservations: applied.map(appliedJson) }, 201);
    }
    const patron = requireReadyPatron(c);
    const { applied } = await applyCart(c, patron, key);
    return c.json({ reservations: applied.map(appliedJson) }, 201);
  })
  .post("/me/series", zValidator("json", seriesSchema, throwInvalid), async (c) => {
    const patron = requireReadyPatron(c);
    const { items, pickupBranch, mode } = c.req.valid("json");
    const outcome = await bookmarked(
      c,
      patronObject(c.env, patron.cardNumber).apply({
        patronId: patron.id,
        items: items.map((i) => ({ materialId: i.materialId, pickupBranch })),
        series: mode,
        now: Date.now(),
        limit: limitOf(c),
      }),
    );
    if (!outcome.ok) throw refusal(outcome, [], limitOf(c));
    return c.json({ id: outcome.seriesId, mode, reservations: outcome.reservations.map(appliedJson) }, 201);
  })
  .post("/me/reservations", zValidator("json", materialRef, throwInvalid), async (c) => {
    const patron = requireReadyPatron(c);
    const { materialId, pickupBranch } = c.req.valid("json");
    const outcome = await bookmarked(
      c,
      patronObject(c.env, patron.cardNumber).apply({
        patronId: patron.id,
        items: [{ materialId, pickupBranch }],
        now: Date.now(),
        limit: limitOf(c),
      }),
    );
    if (!outcome.ok) throw refusal(outcome, [], limitOf(c));
    return c.json({ reservation: appliedJson(outcome.reservations[0] as AppliedReservation) }, 201);
  });
