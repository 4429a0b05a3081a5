// 利用状況照会 as pages (/login, /account/…) and as JSON (/api/v1/session, /api/v1/me/…).
import { zValidator } from "@hono/zod-validator";
import { type Context, Hono } from "hono";
import { changeCredentialsFirst, requirePatron, requireReadyPatron } from "../../auth/middleware";
import { justLoggedInWithTemporary, type SessionPatron } from "../../auth/sessions";
import { bookmarked } from "../../db/session";
import { tokyoDate, tokyoIso } from "../../domain/calendar";
import { RESERVATION_STATUS_LABELS } from "../../domain/codes";
import { isWebCancellable } from "../../domain/reservations";
import type { AppEnv } from "../../env";
import { AppError, invalidRequest } from "../../errors";
import { patronObject } from "../../objects/patron";
import type { CancelRefusal, CancelResult } from "../../reservations/cancel";
import { activeCount, reservationsOf } from "../../reservations/read";
import { settingsOf } from "../../settings";
import { parseWith, throwInvalid } from "../../validation";
import { type Errors, field, readForm } from "../../views/forms";
import { reasonOrNull } from "../../views/reasons";
import { branchesFor } from "../catalog/reference";
import { changePreferences, type Preferences } from "./preferences";
import { loansOf, reservationsPage } from "./queries";
import {
  cancelSchema,
  contactSchema,
  credentialsSchema,
  freshLoginCredentialsSchema,
  localPath,
  loginSchema,
  passwordChangeSchema,
  preferencesSchema,
} from "./schemas";
import { changeContact, changeCredentials, changePassword, logIn, logOut } from "./session-actions";
import {
  AccountMenu,
  type CancelOutcome,
  LoansPage,
  LoginPage,
  type ProfileForm,
  ProfilePage,
  type ProfileValues,
  ReservationsPage,
} from "./views";

const limitOf = (c: Context<AppEnv>) => settingsOf(c.env).reservationLimit;

/** Pages that need a patron: the login page when there is none, the change screen until credentials are changed. */
function pagePatron(c: Context<AppEnv>, { allowTemporary = false } = {}) {
  const patron = c.var.patron;
  const here = new URL(c.req.url);
  if (!patron) return { redirect: c.redirect(`/login?next=${encodeURIComponent(here.pathname + here.search)}`, 303) };
  const redirect = allowTemporary ? undefined : changeCredentialsFirst(c, here.pathname + here.search);
  return redirect ? { redirect } : { patron };
}

const CANCEL_REFUSALS: Record<CancelRefusal, string> = {
  on_hold: "お取り置き中の資料は、ホームページから取り消せません。受取館へご連絡ください。",
  not_cancellable: "この予約はすでに終了しているため、取り消せません。",
  not_found: "指定された予約は見つかりませんでした。",
};

function cancelOutcomeMessage(r: CancelResult): string {
  if (!r.ok) return CANCEL_REFUSALS[r.refusal];
  if (r.status === "application_cancelled") return "予約申請を取り消しました（予約申請取消）。";
  return "取消を申請しました（取消申請中）。翌開館日の朝に正式に取り消されます。";
}

/** Which form's change the profile page confirms (?done=contact|password|preferences). */
const doneOf = (v: string | undefined): ProfileForm | undefined =>
  v === "contact" || v === "password" || v === "preferences" ? v : undefined;

/** 初期値設定 as the API shows it: mail without titles as it applies (the library's default when unset). */
const preferencesJson = (c: Context<AppEnv>, p: Preferences) => ({
  defaultPickupBranch: p.defaultPickupBranch,
  mailWithoutTitles: p.mailWithoutTitles ?? settingsOf(c.env).mailWithoutTitles,
});

/** 個人情報変更 after the first login: the contact, password and 初期値設定 forms. */
async function profilePage(
  c: Context<AppEnv>,
  patron: SessionPatron,
  extra: { errors?: Errors; values?: ProfileValues; form?: ProfileForm; done?: ProfileForm },
) {
  const branches = (await branchesFor(c)).filter((b) => b.pickup);
  return (
    <ProfilePage
      errors={extra.errors ?? {}}
      forced={false}
      form={extra.form}
      done={extra.done}
      values={extra.values ?? { contactMethod: patron.contactMethod, currentEmail: patron.email ?? undefined }}
      preferences={{
        pickupBranches: branches,
        defaultPickupBranch: patron.defaultPickupBranch,
        mailWithoutTitles: patron.mailWithoutTitles ?? settingsOf(c.env).mailWithoutTitles,
      }}
    />
  );
}

export const accountPages = new Hono<AppEnv>()
  .get("/login", (c) => {
    if (c.var.patron) return c.redirect(localPath(c.req.query("next")) ?? "/account", 303);
    return c.html(<LoginPage errors={{}} next={localPath(c.req.query("next"))} />);
  })
  .post("/login", async (c) => {
    const form = await readForm(c);
    const next = localPath(field(form, "next"));
    const parsed = parseWith(loginSchema, form);
    if (!parsed.ok) return c.html(<LoginPage errors={parsed.fields} cardNumber={field(form, "cardNumber")} next={next} />, 400);
    try {
      const { patron } = await logIn(c, parsed.data.cardNumber, parsed.data.password);
      if (patron.mustChangeCredentials) {
        return c.redirect(`/account/profile${next ? `?next=${encodeURIComponent(next)}` : ""}`, 303);
      }
      return c.redirect(next ?? "/account", 303);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === "too_many_attempts") c.header("Retry-After", String(err.extra.retryAfter));
      return c.html(<LoginPage errors={{}} message={err.message} cardNumber={parsed.data.cardNumber} next={next} />, err.status);
    }
  })
  .post("/logout", async (c) => {
    await logOut(c);
    // The top page then says so.
    return c.redirect("/?loggedOut=1", 303);
  })
  .get("/account", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    return c.html(<AccountMenu name={patron.name} active={await activeCount(c.var.d1, patron.id)} limit={limitOf(c)} />);
  })
  .get("/account/profile", async (c) => {
    const { patron, redirect } = pagePatron(c, { allowTemporary: true });
    if (redirect) return redirect;
    const forced = patron.mustChangeCredentials;
    if (forced)
      return c.html(
        <ProfilePage
          errors={{}}
          forced
          askCurrent={patron.via !== "cookie" || !justLoggedInWithTemporary(patron, Date.now())}
          next={localPath(c.req.query("next"))}
          // A temporary address is not offered back as the new one.
          values={{ contactMethod: patron.contactMethod }}
        />,
      );
    return c.html(await profilePage(c, patron, { done: doneOf(c.req.query("done")) }));
  })
  .post("/account/contact", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const form = await readForm(c);
    const values = {
      email: field(form, "email"),
      emailConfirm: field(form, "emailConfirm"),
      contactMethod: field(form, "contactMethod"),
      currentEmail: patron.email ?? undefined,
    };
    const parsed = parseWith(contactSchema, form);
    const result = parsed.ok ? await changeContact(c, parsed.data) : parsed;
    if (!result.ok) return c.html(await profilePage(c, patron, { errors: result.fields, values, form: "contact" }), 400);
    return c.redirect("/account/profile?done=contact", 303);
  })
  .post("/account/preferences", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const form = await readForm(c);
    const parsed = parseWith(preferencesSchema, {
      defaultPickupBranch: field(form, "defaultPickupBranch") ?? "",
      mailWithoutTitles: field(form, "mailWithoutTitles") === "1",
    });
    const result = parsed.ok ? await changePreferences(c, parsed.data) : parsed;
    if (!result.ok) return c.html(await profilePage(c, patron, { errors: result.fields, form: "preferences" }), 400);
    return c.redirect("/account/profile?done=preferences", 303);
  })
  .post("/account/password", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const parsed = parseWith(passwordChangeSchema, await readForm(c));
    const result = parsed.ok ? await changePassword(c, parsed.data) : parsed;
    if (!result.ok) return c.html(await profilePage(c, patron, { errors: result.fields, form: "password" }), 400);
    return c.redirect("/account/profile?done=password", 303);
  })
  .post("/account/profile", async (c) => {
    const { patron, redirect } = pagePatron(c, { allowTemporary: true });
    if (redirect) return redirect;
    const form = await readForm(c);
    const next = localPath(field(form, "next"));
    const values = {
      email: field(form, "email"),
      emailConfirm: field(form, "emailConfirm"),
      contactMethod: field(form, "contactMethod"),
    };
    // Moments after the login, the first-login form does not ask for the temporary password again.
    const fresh =
      patron.via === "cookie" && justLoggedInWithTemporary(patron, Date.now()) && field(form, "currentPassword") === undefined;
    const parsed = fresh ? parseWith(freshLoginCredentialsSchema, form) : parseWith(credentialsSchema, form);
    const result = parsed.ok ? await changeCredentials(c, parsed.data) : parsed;
    if (!result.ok) {
      return c.html(
        <ProfilePage
          errors={result.fields}
          values={values}
          forced={patron.mustChangeCredentials}
          askCurrent={!fresh}
          next={next}
        />,
        400,
      );
    }
    // After the first-login change the menu opens; after a later change the form says it is done.
    return c.redirect(next ?? (patron.mustChangeCredentials ? "/account" : "/account/profile?done=contact"), 303);
  })
  .get("/account/reservations", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const { rows, nightly } = await reservationsPage(c.var.d1, patron.id);
    return c.html(<ReservationsPage rows={rows} limit={limitOf(c)} asOf={Date.now()} nightly={nightly} />);
  })
  .post("/account/reservations/cancel", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const form = await readForm(c);
    const ids = form.ids === undefined ? [] : Array.isArray(form.ids) ? form.ids : [form.ids];
    const parsed = parseWith(cancelSchema, { ids });
    if (!parsed.ok) {
      const rows = await reservationsOf(c.var.d1, patron.id);
      return c.html(
        <ReservationsPage rows={rows} limit={limitOf(c)} asOf={Date.now()} error={Object.values(parsed.fields)[0]} />,
        400,
      );
    }
    const results = await bookmarked(c, patronObject(c.env, patron.cardNumber).cancel(patron.id, parsed.data.ids, Date.now()));
    const rows = await reservationsOf(c.var.d1, patron.id);
    const titles = new Map(rows.map((r) => [r.id, r.title]));
    const outcomes: CancelOutcome[] = results.map((r) => ({
      title: titles.get(r.id) ?? `予約 ${r.id}`,
      ok: r.ok,
      message: cancelOutcomeMessage(r),
    }));
    return c.html(<ReservationsPage rows={rows} limit={limitOf(c)} asOf={Date.now()} outcomes={outcomes} />);
  })
  .get("/account/loans", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const now = Date.now();
    return c.html(<LoansPage rows={await loansOf(c.var.d1, patron.id)} asOf={now} today={tokyoDate(now)} />);
  });

export const accountApi = new Hono<AppEnv>()
  .post("/session", zValidator("json", loginSchema, throwInvalid), async (c) => {
    const { cardNumber, password } = c.req.valid("json");
    const { token, patron } = await logIn(c, cardNumber, password);
    return c.json({ token, mustChangeCredentials: patron.mustChangeCredentials });
  })
  .delete("/session", async (c) => {
    requirePatron(c);
    await logOut(c);
    return c.body(null, 204);
  })
  .get("/me", async (c) => {
    const patron = requirePatron(c);
    return c.json({
      cardNumber: patron.cardNumber,
      name: patron.name,
      email: patron.email,
      contactMethod: patron.contactMethod,
      mustChangeCredentials: patron.mustChangeCredentials,
      ...preferencesJson(c, patron),
      reservationLimit: limitOf(c),
      activeReservations: await activeCount(c.var.d1, patron.id),
    });
  })
  .put("/me/credentials", zValidator("json", credentialsSchema, throwInvalid), async (c) => {
    requirePatron(c);
    const result = await changeCredentials(c, c.req.valid("json"));
    if (!result.ok) throw invalidRequest(result.fields);
    return c.json({ token: result.token, mustChangeCredentials: false });
  })
  .put("/me/preferences", zValidator("json", preferencesSchema, throwInvalid), async (c) => {
    requireReadyPatron(c);
    const result = await changePreferences(c, c.req.valid("json"));
    if (!result.ok) throw invalidRequest(result.fields);
    return c.json(preferencesJson(c, result.preferences));
  })
  .put("/me/contact", zValidator("json", contactSchema, throwInvalid), async (c) => {
    requireReadyPatron(c);
    const result = await changeContact(c, c.req.valid("json"));
    if (!result.ok) throw invalidRequest(result.fields);
    return c.json({ contactMethod: result.contactMethod, email: result.email });
  })
  .get("/me/reservations", async (c) => {
    const patron = requireReadyPatron(c);
    const { rows, nightly } = await reservationsPage(c.var.d1, patron.id);
    return c.json({
      asOf: tokyoIso(Date.now()),
      lastRefreshedAt: nightly === null ? null : tokyoIso(nightly),
      items: rows.map((r) => ({
        id: r.id,
        materialId: r.materialId,
        title: r.title,
        pickupBranch: r.pickupBranch,
        status: r.status,
        statusLabel: RESERVATION_STATUS_LABELS[r.status],
        appliedAt: tokyoIso(r.appliedAt),
        acceptedAt: r.acceptedAt === null ? null : tokyoIso(r.acceptedAt),
        queuePosition: r.queuePosition,
        holdUntil: r.holdUntil,
        cancellable: isWebCancellable(r.status),
        reason: reasonOrNull(r.reasonCode, limitOf(c)),
      })),
    });
  })
  .post("/me/reservations/cancel", zValidator("json", cancelSchema, throwInvalid), async (c) => {
    const patron = requireReadyPatron(c);
    const results = await bookmarked(
      c,
      patronObject(c.env, patron.cardNumber).cancel(patron.id, c.req.valid("json").ids, Date.now()),
    );
    return c.json({
      results: results.map((r) => ({
        id: r.id,
        ok: r.ok,
        status: r.status ?? null,
        ...(r.ok
          ? {}
          : { error: { code: r.refusal === "not_found" ? "not_found" : "invalid_state", message: CANCEL_REFUSALS[r.refusal] } }),
      })),
    });
  })
  .get("/me/loans", async (c) => {
    const patron = requireReadyPatron(c);
    const now = Date.now();
    const today = tokyoDate(now);
    const rows = await loansOf(c.var.d1, patron.id);
    return c.json({
      asOf: tokyoIso(now),
      items: rows.map((l) => ({
        itemId: l.itemId,
        materialId: l.materialId,
        title: l.title,
        loanedAt: tokyoIso(l.loanedAt),
        dueDate: l.dueDate,
        overdue: l.dueDate < today,
      })),
    });
  });
