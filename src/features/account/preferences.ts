// 初期値設定: the pickup branch a patron's detail pages and cart offer first, mail without titles, and the
// opt-in reminders by mail (返却期限・延滞・取置期限).
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { patrons } from "../../db/schema";
import type { AppEnv } from "../../env";
import { AppError } from "../../errors";
import { branchesFor } from "../catalog/reference";

export interface Preferences {
  defaultPickupBranch: string | null;
  mailWithoutTitles: boolean | null;
  remindDue: boolean;
  remindOverdue: boolean;
  remindHold: boolean;
}

/** The three opt-in reminders by mail, by their field names. */
export const REMINDER_FIELDS = ["remindDue", "remindOverdue", "remindHold"] as const;

/** Saves the given preferences; an unknown or non-pickup branch is refused by field. */
export async function changePreferences(
  c: Context<AppEnv>,
  input: {
    defaultPickupBranch?: string | null;
    mailWithoutTitles?: boolean;
    remindDue?: boolean;
    remindOverdue?: boolean;
    remindHold?: boolean;
  },
): Promise<{ ok: true; preferences: Preferences } | { ok: false; fields: Record<string, string> }> {
  const patron = c.var.patron;
  if (!patron) throw new AppError("unauthenticated", "ログインしてください。");
  const branch = input.defaultPickupBranch === "" ? null : input.defaultPickupBranch;
  if (branch && !(await branchesFor(c)).some((b) => b.code === branch && b.pickup))
    return { ok: false, fields: { defaultPickupBranch: "指定された受取館はありません。" } };
  const [row] = await c.var.db
    .update(patrons)
    .set({
      ...(branch !== undefined ? { defaultPickupBranch: branch } : {}),
      ...(input.mailWithoutTitles !== undefined ? { mailWithoutTitles: input.mailWithoutTitles } : {}),
      ...Object.fromEntries(REMINDER_FIELDS.filter((f) => input[f] !== undefined).map((f) => [f, input[f]])),
      updatedAt: Date.now(),
    })
    .where(eq(patrons.id, patron.id))
    .returning({
      defaultPickupBranch: patrons.defaultPickupBranch,
      mailWithoutTitles: patrons.mailWithoutTitles,
      remindDue: patrons.remindDue,
      remindOverdue: patrons.remindOverdue,
      remindHold: patrons.remindHold,
    });
  if (!row) throw new AppError("unauthenticated", "ログインしてください。");
  return { ok: true, preferences: row };
}
