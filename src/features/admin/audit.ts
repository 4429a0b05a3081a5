// The audit log: who did what to which record, when. Never a password, a token, or a title beside a card.
import type { Context } from "hono";
import { auditLog } from "../../db/schema";
import type { AppEnv } from "../../env";

export async function audit(
  c: Context<AppEnv>,
  action: string,
  target: { type: string; id: string | number },
  detail?: Record<string, unknown>,
): Promise<void> {
  await c.var.db.insert(auditLog).values({
    at: Date.now(),
    actor: c.var.staff ?? "system",
    action,
    targetType: target.type,
    targetId: String(target.id),
    detail: detail ? JSON.stringify(detail) : null,
  });
}
