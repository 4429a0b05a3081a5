// 利用状況照会 as pages (/login, /account/…) and as JSON (/api/v1/session, /api/v1/me/…).
import { zValidator } from "@hono/zod-validator";
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { requirePatron, requireReadyPatron } from "../../auth/middleware";
import { justLoggedInWithTemporary, type SessionPatron } from "../../auth/sessions";
import type { AppEnv } from "../../env";
import { AppError, invalidRequest } from "../../errors";
import { activeCount } from "../../reservations/read";
import { settingsOf } from "../../settings";
import { parseWith, throwInvalid } from "../../validation";
import { type Errors, field, readForm } from "../../views/forms";
import { branchesFor } from "../catalog/reference";
import { pagePatron } from "./page-patron";
import { changePreferences, type Preferences, REMINDER_FIELDS } from "./preferences";
import { menuCounts } from "./queries";
import {
  contactSchema,
  credentialsSchema,
  freshLoginCredentialsSchema,
  localPath,
  loginSchema,
  passwordChangeSchema,
  preferencesSchema,
} from "./schemas";
import { changeContact, changeCredentials, changePassword, logIn, logOut } from "./session-actions";
import { AccountMenu, LoginPage, type ProfileForm, ProfilePage, type ProfileValues } from "./views";

const limitOf = (c: Context<AppEnv>) => settingsOf(c.env).reservationLimit;

/** Which form's change the profile page confirms (?done=contact|password|preferences). */
const doneOf = (v: string | undefined): ProfileForm | undefined =>
  v === "contact" || v === "password" || v === "preferences" ? v : undefined;

/** 初期値設定 as the API shows it: mail without titles as it applies (the library's default when unset). */
const preferencesJson = (c: Context<AppEnv>, p: Preferences) => ({
  defaultPickupBranch: p.defaultPickupBranch,
  mailWithoutTitles: p.mailWithoutTitles ?? settingsOf(c.env).mailWithoutTitles,
  remindDue: p.remindDue,
  remindOverdue: p.remindOverdue,
  remindHold: p.remindHold,
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
        remindDue: patron.remindDue,
        remindOverdue: patron.remindOverdue,
        remindHold: patron.remindHold,
        dueReminderDays: settingsOf(c.env).dueReminderDays,
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
    const { active, held } = await menuCounts(c.var.d1, patron.id);
    return c.html(<AccountMenu name={patron.name} active={active} held={held} limit={limitOf(c)} />);
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
      ...Object.fromEntries(REMINDER_FIELDS.map((f) => [f, field(form, f) === "1"])),
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
  });
