// Loads the demo library into the local D1 when it is empty (`npm run db:seed`; `npm start` calls it).
// Never a migration: `wrangler d1 migrations apply` on an empty store yields an empty library.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashPassword } from "../auth/password";
import { DEMO_BRANCHES, DEMO_PATRONS, demoCalendar, demoCatalog } from "./demo/catalog";
import { branchInserts, inserts, itemInserts, materialInserts } from "./demo/sql";
import { ensureDevVars, localQuery, root, wrangler } from "./local";

export const DEMO_MATERIALS = 3200;

export async function seedDemo(): Promise<boolean> {
  const [{ n } = { n: 0 }] = localQuery<{ n: number }>("SELECT count(*) AS n FROM branches");
  if (n > 0) return false;
  const vars = ensureDevVars();
  const pepper = vars.PASSWORD_PEPPER as string;
  const year = new Date().getFullYear();
  const { materials, items } = demoCatalog(DEMO_MATERIALS);
  const patrons = await Promise.all(
    DEMO_PATRONS.map(async (p) => [
      p.cardNumber,
      p.name,
      p.nameKana,
      p.email,
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
      ["card_number", "name", "name_kana", "email", "contact_method", "password_hash", "must_change_credentials", "web_enabled"],
      patrons,
    ),
  ];
  const dir = join(root, ".wrangler", "tmp");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "demo-library.sql");
  writeFileSync(file, `${statements.join("\n")}\n`);
  wrangler(["d1", "execute", "DB", "--local", "--file", file], { quiet: true });
  console.log(
    `Demo library loaded: ${DEMO_BRANCHES.length} branches, ${materials.length} materials, ${items.length} copies, ${DEMO_PATRONS.length} patrons.`,
  );
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  wrangler(["d1", "migrations", "apply", "DB", "--local"], { quiet: true });
  const loaded = await seedDemo();
  if (!loaded) console.log("The local library is not empty: nothing loaded.");
}
