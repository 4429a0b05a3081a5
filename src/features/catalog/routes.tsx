// Catalog: the top page, 資料検索, 資料詳細情報 and 開館日 as pages, and their JSON under /api/v1.

import { zValidator } from "@hono/zod-validator";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { Hono } from "hono/tiny";
import type { D1 } from "../../db/client";
import { addDays, datesOfMonth, tokyoDate } from "../../domain/calendar";
import { ITEM_STATUS_LABELS } from "../../domain/codes";
import { copyCounts, NOT_RESERVABLE_MESSAGES, reservability } from "../../domain/reservability";
import { overLimitBy, remainingQuota } from "../../domain/reservations";
import type { AppEnv } from "../../env";
import { invalidRequest, notFound } from "../../errors";
import { settingsOf } from "../../settings";
import { parseWith, throwInvalid } from "../../validation";
import { isFragmentRequest } from "../../views/htmx";
import { CART_COOKIE } from "../cart/queries";
import { NEW_ARRIVAL_DAYS, newArrivals } from "./new-arrivals";
import { getMaterial, type Viewer, type ViewerFacts } from "./queries";
import { branchesFor, daysFor, noticesFor, preferredPickup } from "./reference";
import { ROBOTS_CACHE, robotsTxt } from "./robots";
import { hasConditions, materialIdSchema, monthSchema, newArrivalsSchema, searchSchema } from "./schemas";
import { searchMaterials } from "./search";
import {
  CalendarPage,
  EmptySearchPrompt,
  ErrorResults,
  HomePage,
  MaterialPage,
  NewArrivalsPage,
  type ReserveStanding,
  Results,
  SearchPage,
  SearchStatus,
} from "./views";

/** 新着資料 on the top page. */
const HOME_ARRIVALS = 5;

/** A material with its reservability, as both the page and the API show it (with what `viewer` has of it). */
async function loadMaterial(db: D1, rawId: string, viewer?: Viewer) {
  const id = materialIdSchema.safeParse(rawId);
  if (!id.success) throw notFound("指定された資料は見つかりませんでした。");
  const m = await getMaterial(db, id.data, viewer);
  if (!m) throw notFound("指定された資料は見つかりませんでした。");
  const r = reservability({ latestIssue: m.latestIssue, ...copyCounts(m.holdings) });
  return { ...m, reservable: r.reservable, ...(r.reservable ? {} : { notReservableReason: r.reason }) };
}

/** What adding this material would meet, said on the page before anything is submitted. */
function standingOf(v: ViewerFacts, limit: number, patron: boolean): ReserveStanding {
  const inCart = v.inCartPickup !== null;
  const applying = v.cartCount + (inCart ? 0 : 1);
  return {
    reservedStatus: v.reservedStatus,
    inCart,
    remaining: patron ? remainingQuota(limit, v.active) : undefined,
    overBy: overLimitBy(limit, patron ? v.active : 0, applying),
    limit,
  };
}

/** Unknown branch codes are refused, so a typo is not silently "no results". */
async function checkBranch(c: Context<AppEnv>, query: { branch?: string }): Promise<Record<string, string>> {
  if (query.branch && !(await branchesFor(c)).some((b) => b.code === query.branch))
    return { branch: "指定された所蔵館はありません。" };
  return {};
}

function monthOf(month: string | undefined): { month: string; from: string; to: string; prev: string; next: string } {
  const m = month ?? tokyoDate(Date.now()).slice(0, 7);
  const dates = datesOfMonth(m);
  const from = dates[0] as string;
  const to = dates[dates.length - 1] as string;
  return { month: m, from, to, prev: addDays(from, -1).slice(0, 7), next: addDays(to, 1).slice(0, 7) };
}

async function calendarMonth(c: Context<AppEnv>, month: string | undefined) {
  const span = monthOf(month);
  return { ...span, days: await daysFor(c, span.from, span.to) };
}

export const catalogPages = new Hono<AppEnv>()
  .get("/robots.txt", (c) => c.text(robotsTxt(settingsOf(c.env).baseUrl), 200, { "Cache-Control": ROBOTS_CACHE }))
  .get("/", async (c) => {
    const now = Date.now();
    const today = tokyoDate(now);
    // Branches, today and the notices from the isolate's cache; the newest arrivals in one trip.
    const [branches, days, notices, arrivals] = await Promise.all([
      branchesFor(c),
      daysFor(c, today, today),
      noticesFor(c, today),
      newArrivals(c.var.d1, { page: 1, perPage: HOME_ARRIVALS }, now),
    ]);
    return c.html(
      <HomePage
        branches={branches}
        loggedOut={c.req.query("loggedOut") === "1"}
        notices={notices}
        arrivals={arrivals.items}
        openToday={days[0]?.open ?? false}
        today={today}
      />,
    );
  })
  .get("/search", async (c) => {
    const values = c.req.query();
    const parsed = parseWith(searchSchema, values);
    let errors = parsed.ok ? await checkBranch(c, parsed.data) : parsed.fields;
    const fragment = isFragmentRequest(c);
    c.header("Vary", "HX-Request, HX-Request-Type");
    if (!parsed.ok || Object.keys(errors).length > 0) {
      c.status(400);
      if (fragment) return c.html(<ErrorResults errors={errors} />);
      return c.html(<SearchPage values={values} branches={await branchesFor(c)} errors={errors} />);
    }
    const query = parsed.data;
    errors = {};
    const results = hasConditions(query)
      ? { result: await searchMaterials(c.var.d1, query), query, asOf: Date.now() }
      : undefined;
    // The form sent with nothing in it: say what to do rather than show nothing.
    const prompt = !results && Object.keys(values).length > 0;
    if (fragment) {
      if (!results) return c.html(prompt ? <EmptySearchPrompt /> : <section id="results" />);
      return c.html(
        <>
          <Results result={results.result} values={values} query={query} asOf={results.asOf} fragment />
          <SearchStatus result={results.result} oob />
        </>,
      );
    }
    return c.html(
      <SearchPage values={values} branches={await branchesFor(c)} errors={errors} results={results} prompt={prompt} />,
    );
  })
  .get("/materials/:id", async (c) => {
    const patron = c.var.patron;
    const guestCart = getCookie(c, CART_COOKIE);
    const viewer: Viewer | undefined = patron
      ? { patronId: patron.id }
      : guestCart
        ? { guestCartId: guestCart, now: Date.now() }
        : undefined;
    const [m, branches] = await Promise.all([loadMaterial(c.var.d1, c.req.param("id"), viewer), branchesFor(c)]);
    const pickup = branches.filter((b) => b.pickup);
    const v = m.viewer;
    const limit = settingsOf(c.env).reservationLimit;
    const choice = preferredPickup(pickup, v?.inCartPickup, patron?.defaultPickupBranch, v?.lastPickup);
    return c.html(
      <MaterialPage
        m={m}
        pickupBranches={pickup}
        asOf={Date.now()}
        pickup={choice}
        standing={v && standingOf(v, limit, patron !== undefined)}
      />,
    );
  })
  .get("/new-arrivals", async (c) => {
    const values = c.req.query();
    const parsed = parseWith(newArrivalsSchema, values);
    const errors = parsed.ok ? await checkBranch(c, parsed.data) : parsed.fields;
    if (!parsed.ok || Object.keys(errors).length > 0) throw invalidRequest(errors, Object.values(errors)[0]);
    const now = Date.now();
    const result = await newArrivals(c.var.d1, { ...parsed.data, perPage: 20 }, now);
    return c.html(
      <NewArrivalsPage result={result} values={values} branches={await branchesFor(c)} days={NEW_ARRIVAL_DAYS} asOf={now} />,
    );
  })
  .get("/calendar", async (c) => {
    const parsed = parseWith(monthSchema, c.req.query());
    const month = parsed.ok ? parsed.data.month : undefined;
    const branches = await branchesFor(c);
    const branch = parsed.ok && parsed.data.branch ? branches.find((b) => b.code === parsed.data.branch) : undefined;
    if (!parsed.ok || (parsed.data.branch && !branch)) c.status(400);
    const cal = await calendarMonth(c, month);
    return c.html(
      <CalendarPage
        month={cal.month}
        days={cal.days}
        prev={cal.prev}
        next={cal.next}
        today={tokyoDate(Date.now())}
        branch={branch}
        branches={branches}
      />,
    );
  });

export const catalogApi = new Hono<AppEnv>()
  .get("/branches", async (c) => {
    const today = tokyoDate(Date.now());
    const [rows, days] = await Promise.all([branchesFor(c), daysFor(c, today, today)]);
    const openToday = days[0]?.open ?? false;
    return c.json(
      rows.map(({ code, name, pickup, address, phone, hours }) => ({ code, name, pickup, address, phone, hours, openToday })),
    );
  })
  .get("/new-arrivals", zValidator("query", newArrivalsSchema, throwInvalid), async (c) => {
    const query = c.req.valid("query");
    const branchErrors = await checkBranch(c, query);
    if (Object.keys(branchErrors).length > 0) throw invalidRequest(branchErrors);
    const result = await newArrivals(c.var.d1, { ...query, perPage: 20 }, Date.now());
    return c.json({
      total: result.total,
      totalCapped: result.totalCapped,
      page: result.page,
      perPage: result.perPage,
      items: result.items.map(({ notReservableReason: _reason, onShelfCount: _onShelf, ...m }) => m),
    });
  })
  .get("/calendar", zValidator("query", monthSchema, throwInvalid), async (c) => {
    const { month, days } = await calendarMonth(c, c.req.valid("query").month);
    return c.json({ month, days: days.map(({ date, open }) => ({ date, open })) });
  })
  .get("/materials", zValidator("query", searchSchema, throwInvalid), async (c) => {
    const query = c.req.valid("query");
    const branchErrors = await checkBranch(c, query);
    if (Object.keys(branchErrors).length > 0) throw invalidRequest(branchErrors);
    const result = await searchMaterials(c.var.d1, query);
    return c.json({
      total: result.total,
      totalCapped: result.totalCapped,
      page: result.page,
      perPage: result.perPage,
      items: result.items.map(({ notReservableReason: _reason, onShelfCount: _onShelf, ...m }) => m),
    });
  })
  .get("/materials/:id", async (c) => {
    const m = await loadMaterial(c.var.d1, c.req.param("id"));
    const pickup = (await branchesFor(c)).filter((b) => b.pickup);
    const { holdings, notReservableReason, ...fields } = m;
    return c.json({
      ...fields,
      ...(notReservableReason ? { notReservableReason, notReservableMessage: NOT_RESERVABLE_MESSAGES[notReservableReason] } : {}),
      holdings: holdings.map((h) => ({
        itemId: h.itemId,
        branch: h.branch,
        branchName: h.branchName,
        callNumber: h.callNumber,
        status: h.status,
        statusLabel: ITEM_STATUS_LABELS[h.status],
        loanable: h.loanable,
        dueDate: h.dueDate,
      })),
      pickupBranches: pickup.map((b) => b.code),
    });
  });
