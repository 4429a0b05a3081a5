// `npm start`: local secrets, migrations, the demo library when the store is empty, then `wrangler dev` on
// :8787 (or PORT=… / --port …, checked free before anything else happens).
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { verifyPassword } from "../src/auth/password";
import { cronOf, scheduleOf } from "../src/jobs/schedule";
import { DEMO_PATRONS } from "./demo/catalog";
import { ensureDevVars, localQuery, root } from "./local";
import { seedDemo } from "./seed-demo";
import { parseConfig, readConfigText } from "./wrangler-config";

function portAsked(): number {
  const at = process.argv.indexOf("--port");
  const raw = at >= 0 ? process.argv[at + 1] : process.env.PORT;
  const port = Number(raw ?? 8787);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`npm start: the port must be a number from 1 to 65535 (got ${JSON.stringify(raw)}).`);
    process.exit(1);
  }
  return port;
}

/** Whether something already listens on the port (a second `npm start`, another app). */
const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer()
      .once("error", () => resolve(false))
      .once("listening", () => probe.close(() => resolve(true)));
    probe.listen(port, "127.0.0.1");
  });

const port = portAsked();
if (!(await portFree(port))) {
  console.error(`npm start: port ${port} is in use (is another \`npm start\` running?). Try: PORT=${port + 1} npm start`);
  process.exit(1);
}

const vars = ensureDevVars();
console.log("Applying D1 migrations to the local store…");
await seedDemo();

/** Each demo patron's temporary password if it still works (not changed at first login, not reset by staff). */
async function demoLogins(): Promise<string[]> {
  const cards = DEMO_PATRONS.map((p) => `'${p.cardNumber}'`).join(",");
  const rows = localQuery<{ card: string; hash: string }>(
    `SELECT card_number AS card, password_hash AS hash FROM patrons WHERE card_number IN (${cards})`,
  );
  const hashes = new Map(rows.map((r) => [r.card, r.hash]));
  return Promise.all(
    DEMO_PATRONS.map(async (p) => {
      const hash = hashes.get(p.cardNumber);
      const works = hash !== undefined && (await verifyPassword(p.temporaryPassword, hash, vars.PASSWORD_PEPPER as string));
      const password = works ? p.temporaryPassword : "（変更済み：npm run db:reset で最初に戻せます）";
      return `    ${p.cardNumber}  ${password}  ${p.name}${p.webEnabled ? "" : "（Web利用未登録）"}`;
    }),
  );
}

/** How to fire each cron by hand, from the schedule in wrangler.toml (Tokyo times, crons derived). */
function cronLines(): string {
  const vars = parseConfig(readConfigText()).vars ?? {};
  const schedule = scheduleOf({ ACCEPTANCE_TIMES: vars.ACCEPTANCE_TIMES ?? "", NIGHTLY_TIME: vars.NIGHTLY_TIME ?? "" });
  const url = (time: string) => `curl "${base}/__scheduled?cron=${cronOf(time).replaceAll(" ", "+")}"`;
  return [
    ...schedule.acceptance.map((t) => `  Cron: ${url(t)}  (acceptance, ${t} Tokyo)`),
    `  Cron: ${url(schedule.nightly)}  (nightly refresh, ${schedule.nightly} Tokyo)`,
  ].join("\n");
}

const base = `http://localhost:${port}`;
console.log(`
  みなみ市立図書館 Web予約 — ${base}/
  Staff page: ${base}/admin   (admin token: ${vars.ADMIN_TOKEN}, kept in .dev.vars)
  Demo patrons (temporary passwords; the first login asks for a new e-mail and password):
${(await demoLogins()).join("\n")}
${cronLines()}
  Any other morning: the staff page's リハーサル, or POST /api/v1/admin/jobs/acceptance {"date":"…"}.
`);

// Links in mail come from PUBLIC_BASE_URL only: point it at this port.
const dev = spawn(
  join(root, "node_modules", ".bin", "wrangler"),
  ["dev", "--port", String(port), "--test-scheduled", "--var", `PUBLIC_BASE_URL:${base}`],
  { cwd: root, stdio: "inherit" },
);
dev.on("exit", (code) => process.exit(code ?? 0));
