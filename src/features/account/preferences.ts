// 初期値設定: the pickup branch a patron's detail pages and cart offer first, and mail without titles.
import { eq } from "drizzle-orm";
import type { Context } from "hono";
import { patrons } from "../../db/schema";
import type { AppEnv } from "../../env";
import { AppError } from "../../errors";
import { branchesFor } from "../catalog/reference";

export interface Preferences {
  defaultPickupBranch: string | null;
  mailWithoutTitles: boolean | null;
}

/** Saves the given preferences; an unknown or non-pickup branch is refused by field. */
export async function changePreferences(
  c: Context<AppEnv>,
  input: { defaultPickupBranch?: string | null; mailWithoutTitles?: boolean },
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
      updatedAt: Date.now(),
    })
    .where(eq(patrons.id, patron.id))
    .returning({ defaultPickupBranch: patrons.defaultPickupBranch, mailWithoutTitles: patrons.mailWithoutTitles });
  return { ok: true, preferences: row ?? { defaultPickupBranch: null, mailWithoutTitles: null } };
}
