// `npm run assets`: writes static/assets/ and the manifest as planned in assets-plan.ts. Run after changing
// src/views/app.css or app.js, the help pages' text (src/features/help/content.tsx), or upgrading htmx.org.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assetPlan } from "./assets-plan";
import { root } from "./local";

const out = join(root, "static", "assets");
const { files, manifest } = await assetPlan();
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) rmSync(join(out, f));
for (const f of files) writeFileSync(join(out, f.name), f.data);
writeFileSync(join(root, "src/views/assets.ts"), manifest);
console.log(`static/assets: ${files.map((f) => f.name).join(", ")}`);
