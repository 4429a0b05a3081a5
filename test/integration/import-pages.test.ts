// The staff imports pages through the Worker: upload a file (multipart, without JavaScript), follow the
// run to its report, download the rejected rows, save a mapping; refusals as Japanese pages.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../support/catalog";
import { BASE, call } from "../support/http";
import { cookiesFrom, formPost } from "../support/patrons";

beforeAll(loadCatalog);

let staff = "";
beforeAll(async () => {
  const res = await call("/admin/login", formPost({ staffName: "取込 担当", token: "test-admin-token" }));
  expect(res.status).toBe(303);
  staff = cookiesFrom(res);
});

const page = (path: string, init: RequestInit = {}) =>
  call(path, { redirect: "manual", ...init, headers: { Cookie: staff, Origin: BASE, ...(init.headers ?? {}) } });

const upload = (kind: string, name: string, content: string, extra: Record<string, string> = {}) => {
  const form = new FormData();
  form.set("kind", kind);
  for (const [k, v] of Object.entries(extra)) form.set(k, v);
  form.set("file", new File([content], name, { type: "text/csv" }));
  return page("/admin/imports", { method: "POST", body: form });
};

async function untilDone(location: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const html = await (await page(location)).text();
    if (!html.includes("取込中") && !html.includes("待機中")) return html;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("import did not finish");
}

describe("the imports page", () => {
  it("needs a staff session", async () => {
    const res = await call("/admin/imports", { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/admin/login");
  });

  it("uploads a file, goes to the run's page, shows counts and each rejected row, and offers the list as CSV", async () => {
    const res = await upload(
      "materials",
      "materials.csv",
      "書誌番号,書名,出版年\nP0001,画面から取り込む本,2020\nP0002,年がおかしい,むかし\n",
    );
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).toMatch(/^\/admin\/imports\/\d+$/);
    const html = await untilDone(location);
    expect(html).toContain("完了");
    expect(html).toContain("<progress");
    expect(html).toMatch(/<dt>追加<\/dt><dd>1<\/dd>/);
    expect(html).toContain("出版年「むかし」が読めません。");
    expect(html).toContain(`href="${location}/rejected.csv"`);
    const csv = await page(`${location}/rejected.csv`);
    expect(csv.headers.get("content-disposition")).toContain("attachment");
    const bytes = new Uint8Array(await csv.arrayBuffer());
    // A BOM first, so spreadsheet software reads the file as UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const body = new TextDecoder().decode(bytes);
    expect(body).toContain("materials.csv,3,,出版年「むかし」が読めません。");
    const list = await (await page("/admin/imports")).text();
    expect(list).toContain("materials.csv");
  });

  it("while a run goes on, the page refreshes itself (htmx polling, a meta refresh without JavaScript)", async () => {
    const id = (
      await env.DB.prepare(
        "INSERT INTO import_runs (kind, format, origin, object_key, file_name, size, actor, status, updated_at) VALUES ('copies', 'csv', 'page', 'uploads/x/never.csv', 'never.csv', 100, 'test', 'running', ?) RETURNING id",
      )
        .bind(Date.now())
        .first<{ id: number }>()
    )?.id;
    const html = await (await page(`/admin/imports/${id}`)).text();
    expect(html).toContain('hx-trigger="every 2s"');
    expect(html).toContain('<noscript><meta http-equiv="refresh" content="3"/></noscript>');
    const fragment = await (await page(`/admin/imports/${id}`, { headers: { "HX-Request": "true" } })).text();
    // The polled part holds the progress and the rejected rows, so they appear when the run ends.
    expect(fragment.startsWith('<div id="run-report"')).toBe(true);
    expect(fragment).toContain("取り込めなかった行");
    expect(fragment).not.toContain("<html");
  });

  it("refuses a missing file or kind with a Japanese message and starts nothing", async () => {
    const before = await env.DB.prepare("SELECT count(*) AS n FROM import_runs").first<{ n: number }>();
    const form = new FormData();
    form.set("kind", "copies");
    const noFile = await page("/admin/imports", { method: "POST", body: form });
    expect(noFile.status).toBe(400);
    expect(await noFile.text()).toContain("取り込むファイルを選んでください");
    const badKind = await upload("books", "x.csv", "a\n");
    expect(badKind.status).toBe(400);
    expect(await badKind.text()).toContain("取り込む種類を選んでください。");
    const notMarc = await upload("marc", "x.mrc", "書誌番号,書名\n");
    expect(notMarc.status).toBe(400);
    expect(await notMarc.text()).toContain("MARC（ISO 2709 または MARCXML）として読めません。");
    const after = await env.DB.prepare("SELECT count(*) AS n FROM import_runs").first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });

  it("saves a column mapping, refusing one that is not JSON", async () => {
    const save = (mapping: string) =>
      page("/admin/imports/mappings", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ kind: "patrons", mapping }),
      });
    const bad = await save("{not json");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("対応表がJSONとして読めません。");
    const ok = await save('{"columns":{"カード":"cardNumber"}}');
    expect(ok.status).toBe(200);
    const html = await ok.text();
    expect(html).toContain("対応表を保存しました。");
    expect(html).toContain("カード");
  });
});
