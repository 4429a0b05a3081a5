// `npm run db:reset`: the local demo from the start — deletes the local D1, Durable Object, R2 and queue state
// (.wrangler/state), then migrations and the demo library again. .dev.vars (the local secrets) is kept.
import { rmSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { root } from "./local";
import { seedDemo } from "./seed-demo";

const port = Number(process.env.PORT ?? 8787);
const running = await new Promise<boolean>((resolve) => {
  const s = createConnection({ port, host: "127.0.0.1" })
    .once("connect", () => s.end(() => resolve(true)))
    .once("error", () => resolve(false));
});
if (running) {
  console.error(`db:reset: something is serving on port ${port} (npm start?). Stop it first, then run db:reset again.`);
  process.exit(1);
}
rmSync(join(root, ".wrangler", "state"), { recursive: true, force: true });
console.log("Deleted the local store (.wrangler/state). Loading the demo library…");
await seedDemo();
console.log("The demo library is back as it was first loaded: `npm start` serves it.");
