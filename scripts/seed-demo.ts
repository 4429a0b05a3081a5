// Loads the demo library into the local D1 when it is empty (`npm run db:seed`; `npm start` calls it).
// Never a migration: `wrangler d1 migrations apply` on an empty store yields an empty library.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword } from "../src/auth/password";
import { addDays, tokyoDate } from "../src/domain/calendar";
import { DEMO_BRANCHES, DEMO_NOTICES, DEMO_PATRONS, demoCalendar, demoCatalog } from "./demo/catalog";
import { branchInserts, inserts, itemInserts, materialInserts } from "./demo/sql";
import { ensureDevVars, localQuery, persistArgs, wrangler } from "./local";

export const DEMO_MATERIALS = 3200;

export interface SeedOptions {
  /** The local D1 directory (wrangler's --persist-to); wrangler's default when absent. */
  persistTo?: string;
  /** The password pepper the Worker will run with; from .dev.vars when absent. */
  pepper?: string;
}

/** Applies the migrations, then loads the demo library when the store is empty; true when it loaded. */
export async function seedDemo(options: SeedOptions = {}): Promise<boolean> {
  const persist = persistArgs(options.persistTo);
  wrangler(["d1", "migrations", "apply", "DB", "--local", ...persist], { quiet: true });
  const [{ n } = { n: 0 }] = localQuery<{ n: number }>("SELECT count(*) AS n FROM branches", options.persistTo);
  if (n > 0) return false;
  const pepper = options.pepper ?? (ensureDevVars().PASSWORD_PEPPER as string);
  const year = new Date().getFullYear();
  const { materials, items } = demoCatalog(DEMO_MATERIALS);
  const patrons = await Promise.all(
    DEMO_PATRONS.map(async (p) => [
      p.cardNumber,
      p.name,
      p.nameKana,
      p.email,
      true,
      "mail",
      await hashPassword(p.temporaryPassword, pepper),
      true,
      p.webEnabled,
    ]),
  );
  const statements = [
    ...branchInserts(DEMO_BRANCHES),
    ...inserts(
      "calendar_days",
      ["date", "open", "note"],
      demoCalendar(year).map((d) => [d.date, d.open, d.note]),
    ),
    ...materialInserts(materials),
    ...itemInserts(items),
    ...inserts(
      "patrons",
      [
        "card_number",
        "name",
        "name_kana",
        "email",
        "email_temporary",
        "contact_method",
        "password_hash",
        "must_change_credentials",
        "web_enabled",
      ],
      patrons,
    ),
    // お知らせ on the top page: shown from a few days ago for two months.
    ...inserts(
      "notices",
      ["title", "body", "from_date", "until_date"],
      DEMO_NOTICES.map((n) => [n.title, n.body, addDays(tokyoDate(Date.now()), -5), addDays(tokyoDate(Date.now()), 60)]),
    ),
  ];
  const dir = mkdtempSync(join(tmpdir(), "library-seed-"));
  const file = join(dir, "demo-library.sql");
  writeFileSync(file, `${statements.join("\n")}\n`);
  try {
    wrangler(["d1", "execute", "DB", "--local", ...persist, "--file", file], { quiet: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `Demo library loaded: ${DEMO_BRANCHES.length} branches, ${materials.length} materials, ${items.length} copies, ${DEMO_PATRONS.length} patrons.`,
  );
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const loaded = await seedDemo();
  if (!loaded) console.log("The local library is not empty: nothing loaded.");
}
