// A throwaway local library for browser tests and the page-weight benchmark: a fresh local D1 seeded with
// the demo library, the Worker under `wrangler dev` on a free port, and Debian's Chromium via playwright-core.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { root } from "./local";
import { seedDemo } from "./seed-demo";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface Server {
  url: string;
  adminToken: string;
  /** The DevTools inspector of the Worker (wrangler dev --inspector-port). */
  inspectorPort: number;
  stop(): Promise<void>;
}

/** Seeds a fresh local D1 with the demo library and serves the Worker on it; `before` runs on the store first. */
export async function startServer(
  opts: { before?: (persistTo: string) => void | Promise<void>; vars?: Record<string, string> } = {},
): Promise<Server> {
  const persistTo = mkdtempSync(join(tmpdir(), "library-e2e-"));
  const pepper = "e2e-pepper";
  const adminToken = "e2e-admin-token";
  await seedDemo({ persistTo, pepper });
  await opts.before?.(persistTo);
  const port = await freePort();
  const inspector = await freePort();
  const child: ChildProcess = spawn(
    join(root, "node_modules", ".bin", "wrangler"),
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspector),
      "--persist-to",
      persistTo,
      "--var",
      `PASSWORD_PEPPER:${pepper}`,
      "--var",
      `ADMIN_TOKEN:${adminToken}`,
      ...Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
      "--show-interactive-dev-session=false",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" } },
  );
  let log = "";
  child.stdout?.on("data", (d) => {
    log += d;
  });
  child.stderr?.on("data", (d) => {
    log += d;
  });
  // SERVER_LOG=1 shows what wrangler dev prints (the Worker's console included), for debugging a run.
  if (process.env.SERVER_LOG) {
    child.stdout?.pipe(process.stderr);
    child.stderr?.pipe(process.stderr);
  }
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    adminToken,
    inspectorPort: inspector,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 300));
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-quic",
      "--disable-sync",
    ],
  });
}
