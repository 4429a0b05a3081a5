// The patron of an account page: the login page when there is none, the change screen until the
// counter's temporary credentials are changed.
import type { Context } from "hono";
import { changeCredentialsFirst } from "../../auth/middleware";
import type { AppEnv } from "../../env";

/** Pages that need a patron: the login page when there is none, the change screen until credentials are changed. */
export function pagePatron(c: Context<AppEnv>, { allowTemporary = false } = {}) {
  const patron = c.var.patron;
  const here = new URL(c.req.url);
  if (!patron) return { redirect: c.redirect(`/login?next=${encodeURIComponent(here.pathname + here.search)}`, 303) };
  const redirect = allowTemporary ? undefined : changeCredentialsFirst(c, here.pathname + here.search);
  return redirect ? { redirect } : { patron };
}
