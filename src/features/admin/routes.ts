// The staff JSON API under /api/v1/admin: catalog and copies, patrons' web use, counter reservations,
// holds, loans and returns, the calendar, the jobs and the mail outbox. Every change is audited.
// requireStaff({ mode: "api" }) runs in app.tsx for every /api/v1/admin path, so unknown paths answer 401 too.
import { zValidator } from "@hono/zod-validator";
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { isValidDate, tokyoDate, tokyoIso } from "../../domain/calendar";
import type { AppEnv } from "../../env";
import { invalidRequest } from "../../errors";
import { failedPatrons } from "../../mail/failures";
import { settingsOf } from "../../settings";
import { throwInvalid } from "../../validation";
import { idParam } from "../../views/forms";
import * as act from "./actions";
import * as imports from "./imports";
import { currentNotices, outboxRows } from "./queries";
import {
  branchPatchSchema,
  branchSchema,
  calendarSchema,
  counterReservationSchema,
  holdSchema,
  importSchema,
  itemPatchSchema,
  itemSchema,
  jobSchema,
  loanSchema,
  materialPatchSchema,
  materialSchema,
  noticeSchema,
  patronPatchSchema,
  patronSchema,
} from "./schemas";
import { serviceStatus } from "./status";

/** The staff member of this request, for the actions (set by the staff guard). */
export const staffOf = (c: Context<AppEnv>): act.Staff => ({
  actor: c.var.staff ?? "system",
  db: c.var.d1,
  orm: c.var.db,
  env: c.env,
  settings: settingsOf(c.env),
});

const kindParam = (c: Context<AppEnv>) => parseQuery({ kind: c.req.param("kind") }).kind;
const parseQuery = (q: Record<string, string | undefined>) => {
  const r = importSchema.safeParse(q);
  if (!r.success) throwInvalid(r);
  return r.data as imports.ImportQuery;
};

/** The file of an import is the request body itself, streamed to R2: its length must be known. */
async function importFromBody(c: Context<AppEnv>) {
  const q = parseQuery(c.req.query());
  const size = Number(c.req.header("Content-Length") ?? "");
  if (!Number.isInteger(size) || size <= 0)
    throw invalidRequest({ file: "ファイルを本文として送ってください（Content-Length が必要です）。" });
  return c.json(await imports.startImportRun(staffOf(c), q, { body: c.req.raw.body, size, name: q.name }, "api"), 202);
}

export const adminApi = new Hono<AppEnv>()
  .post("/imports", importFromBody)
  .put("/imports", importFromBody)
  .get("/imports", async (c) => c.json({ items: await imports.importList(staffOf(c)) }))
  .post("/imports/pickup", async (c) => c.json(await imports.pickUpNow(staffOf(c))))
  .get("/imports/mappings/:kind", async (c) => c.json(await imports.mappingOf(staffOf(c), kindParam(c))))
  .put("/imports/mappings/:kind", async (c) => {
    const kind = kindParam(c);
    const body = await c.req.json().catch(() => {
      throw invalidRequest({ mapping: "対応表は JSON で送ってください。" });
    });
    return c.json(await imports.setMapping(staffOf(c), kind, body));
  })
  .get("/imports/:id", async (c) => c.json(await imports.importReport(staffOf(c), idParam(c))))
  .get("/imports/:id/rejected.csv", async (c) => {
    const { name, csv } = await imports.rejectedCsv(staffOf(c), idParam(c));
    return c.body(csv, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
    });
  })
  .post("/imports/:id/resume", async (c) => c.json(await imports.resumeImport(staffOf(c), idParam(c))))
  .post("/branches", zValidator("json", branchSchema, throwInvalid), async (c) =>
    c.json(await act.createBranch(staffOf(c), c.req.valid("json")), 201),
  )
  .put("/branches/:code", zValidator("json", branchPatchSchema, throwInvalid), async (c) =>
    c.json(await act.changeBranch(staffOf(c), c.req.param("code"), c.req.valid("json"))),
  )
  .post("/notices", zValidator("json", noticeSchema, throwInvalid), async (c) =>
    c.json(await act.createNotice(staffOf(c), c.req.valid("json")), 201),
  )
  .get("/notices", async (c) => c.json({ items: await currentNotices(c.var.d1, tokyoDate(Date.now())) }))
  .delete("/notices/:id", async (c) => {
    await act.removeNotice(staffOf(c), idParam(c));
    return c.body(null, 204);
  })
  .post("/materials", zValidator("json", materialSchema, throwInvalid), async (c) =>
    c.json(await act.createMaterial(staffOf(c), c.req.valid("json")), 201),
  )
  .patch("/materials/:id", zValidator("json", materialPatchSchema, throwInvalid), async (c) =>
    c.json(await act.updateMaterial(staffOf(c), idParam(c), c.req.valid("json"))),
  )
  .post("/items", zValidator("json", itemSchema, throwInvalid), async (c) =>
    c.json(await act.createItem(staffOf(c), c.req.valid("json")), 201),
  )
  .patch("/items/:id", zValidator("json", itemPatchSchema, throwInvalid), async (c) =>
    c.json(await act.updateItem(staffOf(c), idParam(c), c.req.valid("json"))),
  )
  .post("/patrons", zValidator("json", patronSchema, throwInvalid), async (c) =>
    c.json(await act.registerPatron(staffOf(c), c.req.valid("json")), 201),
  )
  .post("/patrons/:cardNumber/reset-password", async (c) =>
    c.json(await act.resetPassword(staffOf(c), c.req.param("cardNumber"))),
  )
  .patch("/patrons/:cardNumber", zValidator("json", patronPatchSchema, throwInvalid), async (c) =>
    c.json(await act.updatePatron(staffOf(c), c.req.param("cardNumber"), c.req.valid("json"))),
  )
  .post("/reservations", zValidator("json", counterReservationSchema, throwInvalid), async (c) =>
    c.json(await act.counterReservation(staffOf(c), c.req.valid("json")), 201),
  )
  .post("/reservations/:id/hold", zValidator("json", holdSchema, throwInvalid), async (c) => {
    const reservationId = idParam(c);
    const { itemId, outOfTurnReason } = c.req.valid("json");
    const holdUntil = await act.holdCopy(staffOf(c), reservationId, itemId, outOfTurnReason);
    return c.json({ id: reservationId, status: "on_hold", holdUntil });
  })
  .post("/reservations/:id/cancel", async (c) => c.json(await act.cancelReservation(staffOf(c), idParam(c))))
  .post("/loans", zValidator("json", loanSchema, throwInvalid), async (c) =>
    c.json(await act.lend(staffOf(c), c.req.valid("json")), 201),
  )
  .post("/loans/:id/return", async (c) => c.json(await act.returnLoan(staffOf(c), idParam(c))))
  .put("/calendar/:date", zValidator("json", calendarSchema, throwInvalid), async (c) => {
    const date = c.req.param("date");
    if (!isValidDate(date)) throw invalidRequest({ date: "日付は YYYY-MM-DD で指定してください。" });
    const { open } = c.req.valid("json");
    await act.setOpeningDay(staffOf(c), date, open);
    return c.json({ date, open });
  })
  .post("/jobs/:job{acceptance|nightly}", zValidator("json", jobSchema, throwInvalid), async (c) => {
    const job = c.req.param("job") as "acceptance" | "nightly";
    return c.json(await act.runJobByHand(staffOf(c), job, c.req.valid("json")));
  })
  .get("/status", async (c) => c.json(await serviceStatus(staffOf(c))))
  .get("/mail", async (c) => {
    const rows = await outboxRows(c.env.DB, { status: c.req.query("status"), cardNumber: c.req.query("patron") });
    return c.json(
      rows.map((r) => ({
        ...r,
        createdAt: tokyoIso(r.createdAt),
        sentAt: r.sentAt === null ? null : tokyoIso(r.sentAt),
        failedAt: r.failedAt === null ? null : tokyoIso(r.failedAt),
      })),
    );
  })
  .get("/mail/failures", async (c) =>
    c.json({ items: (await failedPatrons(c.env.DB)).map((p) => ({ ...p, failedAt: tokyoIso(p.failedAt) })) }),
  );
