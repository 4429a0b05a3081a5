// 館のご案内 as pages (/branches, /branches/:code); the JSON list is GET /api/v1/branches (catalog routes).
import { Hono } from "hono/tiny";
import { addDays, tokyoDate } from "../../domain/calendar";
import type { AppEnv } from "../../env";
import { notFound } from "../../errors";
import { branchesFor, daysFor } from "../catalog/reference";
import { BranchListPage, BranchPage } from "./views";

/** How far ahead a branch page lists closed days. */
const CLOSED_DAYS_AHEAD = 28;

export const branchPages = new Hono<AppEnv>()
  .get("/branches", async (c) => {
    const today = tokyoDate(Date.now());
    const [branches, days] = await Promise.all([branchesFor(c), daysFor(c, today, today)]);
    return c.html(<BranchListPage branches={branches} openToday={days[0]?.open ?? false} today={today} />);
  })
  .get("/branches/:code", async (c) => {
    const branch = (await branchesFor(c)).find((b) => b.code === c.req.param("code"));
    if (!branch) throw notFound("指定された館は見つかりませんでした。");
    const today = tokyoDate(Date.now());
    const days = await daysFor(c, today, addDays(today, CLOSED_DAYS_AHEAD));
    return c.html(
      <BranchPage
        branch={branch}
        openToday={days[0]?.open ?? false}
        today={today}
        closedDays={days.filter((d) => !d.open).map((d) => d.date)}
      />,
    );
  });
