// 読書記録 as a page (/account/reading-record) and as JSON (/api/v1/me/reading-record): the patron's own
// session only. A staff token is no patron (401), and no staff page or API reads the table.
import { zValidator } from "@hono/zod-validator";
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import { requireReadyPatron } from "../../auth/middleware";
import type { AppEnv } from "../../env";
import { notFound } from "../../errors";
import { throwInvalid } from "../../validation";
import { field, idOf, readForm } from "../../views/forms";
import { pagePatron } from "./page-patron";
import { deleteReading, type ReadingRecord, readingRecordOf, setReadingRecord } from "./reading-record";
import { ReadingRecordPage } from "./reading-record-views";
import { readingRecordSchema } from "./schemas";

const DONE: Record<string, string> = {
  on: "読書記録を始めました。これから返却する資料が記録されます。",
  off: "読書記録をやめ、これまでの記録をすべて削除しました。",
  deleted: "記録を削除しました。",
  all: "記録をすべて削除しました。",
};
const CONFIRM = "確認のチェックを入れてから、もう一度押してください。";
const GONE = "指定された記録は見つかりませんでした。";

const page = async (
  c: Context<AppEnv>,
  patronId: number,
  extra: { done?: string; error?: string } = {},
  status: 200 | 400 | 404 = 200,
) => c.html(<ReadingRecordPage record={await readingRecordOf(c.var.d1, patronId)} {...extra} />, status);

const json = (r: ReadingRecord) => ({ enabled: r.enabled, items: r.entries });

export const readingRecordPages = new Hono<AppEnv>()
  .get("/account/reading-record", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    return page(c, patron.id, { done: DONE[c.req.query("done") ?? ""] });
  })
  .post("/account/reading-record", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const form = await readForm(c);
    const enabled = field(form, "enabled");
    if (enabled !== "1" && enabled !== "0") return page(c, patron.id, { error: "操作を選んでください。" }, 400);
    if (enabled === "0" && field(form, "confirm") !== "1") return page(c, patron.id, { error: CONFIRM }, 400);
    await setReadingRecord(c.var.d1, patron.id, enabled === "1", Date.now());
    return c.redirect(`/account/reading-record?done=${enabled === "1" ? "on" : "off"}`, 303);
  })
  .post("/account/reading-record/delete", async (c) => {
    const { patron, redirect } = pagePatron(c);
    if (redirect) return redirect;
    const form = await readForm(c);
    if (field(form, "all") === "1") {
      if (field(form, "confirm") !== "1") return page(c, patron.id, { error: CONFIRM }, 400);
      await deleteReading(c.var.d1, patron.id);
      return c.redirect("/account/reading-record?done=all", 303);
    }
    const id = idOf(field(form, "id"));
    if (id === undefined || !(await deleteReading(c.var.d1, patron.id, id))) return page(c, patron.id, { error: GONE }, 404);
    return c.redirect("/account/reading-record?done=deleted", 303);
  });

export const readingRecordApi = new Hono<AppEnv>()
  .get("/me/reading-record", async (c) => {
    const patron = requireReadyPatron(c);
    return c.json(json(await readingRecordOf(c.var.d1, patron.id)));
  })
  .put("/me/reading-record", zValidator("json", readingRecordSchema, throwInvalid), async (c) => {
    const patron = requireReadyPatron(c);
    await setReadingRecord(c.var.d1, patron.id, c.req.valid("json").enabled, Date.now());
    return c.json(json(await readingRecordOf(c.var.d1, patron.id)));
  })
  .delete("/me/reading-record", async (c) => {
    const patron = requireReadyPatron(c);
    await deleteReading(c.var.d1, patron.id);
    return c.body(null, 204);
  })
  .delete("/me/reading-record/:id", async (c) => {
    const patron = requireReadyPatron(c);
    const id = idOf(c.req.param("id"));
    if (id === undefined || !(await deleteReading(c.var.d1, patron.id, id))) throw notFound(GONE);
    return c.body(null, 204);
  });
