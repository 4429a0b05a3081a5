// The audit log: who did what to which record, when. Never a password, a token, or a title beside a card.
import type { Db } from "../../db/client";
import { auditLog } from "../../db/schema";

export async function audit(
  db: Db,
  actor: string,
  action: string,
  target: { type: string; id: string | number },
  detail?: Record<string, unknown>,
): Promise<void> {
  await db.insert(auditLog).values({
    at: Date.now(),
    actor,
    action,
    targetType: target.type,
    targetId: String(target.id),
    detail: detail ? JSON.stringify(detail) : null,
  });
}
