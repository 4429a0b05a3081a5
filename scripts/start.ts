// `npm start`: local secrets, migrations, the demo library when the store is empty, then `wrangler dev` on :8787.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { DEMO_PATRONS } from "./demo/catalog";
import { ensureDevVars, root } from "./local";
import { seedDemo } from "./seed-demo";

const vars = ensureDevVars();
console.log("Applying D1 migrations to the local store…");
await seedDemo();

console.log(`
  みなみ市立図書館 Web予約 — http://localhost:8787/
  Staff page: http://localhost:8787/admin   (admin token: ${vars.ADMIN_TOKEN}, kept in .dev.vars)
  Demo patrons (temporary passwords; the first login asks for a new e-mail and password):`);
for (const p of DEMO_PATRONS) {
  console.log(`    ${p.cardNumber}  ${p.temporaryPassword}  ${p.name}${p.webEnabled ? "" : "（Web利用未登録）"}`);
}
console.log(`  Cron: curl "http://localhost:8787/__scheduled?cron=30+22+*+*+*"  (morning acceptance)
        curl "http://localhost:8787/__scheduled?cron=0+17+*+*+*"   (nightly refresh)
`);

const dev = spawn(join(root, "node_modules", ".bin", "wrangler"), ["dev", "--port", "8787", "--test-scheduled"], {
  cwd: root,
  stdio: "inherit",
});
dev.on("exit", (code) => process.exit(code ?? 0));
