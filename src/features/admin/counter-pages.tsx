// Staff counter pages: registering a patron's web use (the temporary password shown once), resetting a
// forgotten password, stopping or resuming web use, counter reservations, loans and returns by barcode,
// and the calendar. Each form posts back to its page, which says what happened.
import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { staffIdentity } from "../../auth/staff";
import { isValidDate } from "../../domain/calendar";
import { ITEM_STATUS_LABELS, MATERIAL_TYPE_LABELS, MATERIAL_TYPES } from "../../domain/codes";
import type { AppEnv } from "../../env";
import { AppError } from "../../errors";
import { parseWith } from "../../validation";
import { Layout } from "../../views/layout";
import { listBranches } from "../catalog/queries";
import {
  counterReservation,
  createItem,
  createMaterial,
  lend,
  registerPatron,
  resetPassword,
  returnLoan,
  setOpeningDay,
  updateItem,
  updateMaterial,
  updatePatron,
} from "./routes";
import {
  counterReservationSchema,
  itemPatchSchema,
  itemSchema,
  loanSchema,
  materialPatchSchema,
  materialSchema,
  patronSchema,
  SETTABLE_ITEM_STATUSES,
} from "./schemas";

type Form = Record<string, string>;

async function form(c: Context<AppEnv>): Promise<Form> {
  const body = await c.req.parseBody();
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === "string"));
}

function Field({
  name,
  label,
  type = "text",
  required = true,
}: {
  name: string;
  label: string;
  type?: string;
  required?: boolean;
}) {
  return (
    <>
      <label for={name}>{label}</label>
      <input type={type} id={name} name={name} required={required} autocomplete="off" />
    </>
  );
}

function Section({ title, action, children, button }: { title: string; action: string; children: Child; button: string }) {
  return (
    <section>
      <h2>{title}</h2>
      <form action={action} method="post">
        {children}
        <p>
          <button type="submit">{button}</button>
        </p>
      </form>
    </section>
  );
}

async function counterPage(c: Context<AppEnv>, message?: { ok: boolean; text: string }) {
  const branches = await listBranches(c.var.db);
  const pickups = branches.filter((b) => b.pickup);
  return (
    <Layout title="職員：窓口業務">
      <nav class="pager" aria-label="職員メニュー">
        <a href="/admin">受付・取置</a>
        <a href="/admin/counter">窓口業務</a>
        <a href="/admin/mail">メール送信状況</a>
      </nav>
      <h1>窓口業務</h1>
      {message ? (
        <p class={`notice ${message.ok ? "ok" : "error"}`} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
      <div class="grid">
        <Section title="インターネット予約の利用登録" action="/admin/counter/register" button="登録して仮パスワードを発行">
          <Field name="name" label="氏名" />
          <Field name="nameKana" label="氏名ヨミ" required={false} />
          <Field name="email" label="仮のメールアドレス" type="email" />
          <Field name="cardNumber" label="利用者番号（空欄なら新しく採番）" required={false} />
        </Section>
        <Section title="パスワード再発行" action="/admin/counter/reset" button="仮パスワードを再発行">
          <Field name="resetCard" label="利用者番号" />
        </Section>
        <Section title="利用の停止・再開" action="/admin/counter/status" button="変更する">
          <Field name="statusCard" label="利用者番号" />
          <label for="change">変更</label>
          <select id="change" name="change">
            <option value="web-off">インターネット予約を停止</option>
            <option value="web-on">インターネット予約を再開</option>
            <option value="suspend">利用停止</option>
            <option value="resume">利用停止を解除</option>
          </select>
        </Section>
        <Section title="窓口予約" action="/admin/counter/reserve" button="予約する（予約中）">
          <Field name="reserveCard" label="利用者番号" />
          <Field name="materialId" label="資料番号" />
          <label for="pickupBranch">受取館</label>
          <select id="pickupBranch" name="pickupBranch">
            {pickups.map((b) => (
              <option value={b.code}>{b.name}</option>
            ))}
          </select>
        </Section>
        <Section title="貸出" action="/admin/counter/lend" button="貸し出す">
          <Field name="lendCard" label="利用者番号" />
          <Field name="barcode" label="資料のバーコード" />
        </Section>
        <Section title="返却" action="/admin/counter/return" button="返却する">
          <Field name="returnBarcode" label="資料のバーコード" />
        </Section>
        <Section title="資料の登録" action="/admin/counter/material" button="資料を登録">
          <Field name="title" label="書名" />
          <Field name="titleKana" label="書名ヨミ（カタカナ）" required={false} />
          <Field name="author" label="著者名" required={false} />
          <Field name="authorKana" label="著者ヨミ" required={false} />
          <Field name="publisher" label="出版者" required={false} />
          <Field name="year" label="出版年" required={false} />
          <Field name="isbn" label="ISBN" required={false} />
          <Field name="ndc" label="分類（NDC）" required={false} />
          <label for="type">資料種別</label>
          <select id="type" name="type">
            {MATERIAL_TYPES.map((t) => (
              <option value={t}>{MATERIAL_TYPE_LABELS[t]}</option>
            ))}
          </select>
          <Field name="magazineTitle" label="雑誌名（雑誌のとき）" required={false} />
          <p class="check">
            <input type="checkbox" id="latestIssue" name="latestIssue" value="1" />
            <label for="latestIssue">雑誌の最新号（予約不可）</label>
          </p>
        </Section>
        <Section title="資料の修正（入力した項目だけ変わります）" action="/admin/counter/material-edit" button="資料を修正">
          <Field name="editMaterialId" label="資料番号" />
          <Field name="editTitle" label="書名" required={false} />
          <Field name="editTitleKana" label="書名ヨミ" required={false} />
          <Field name="editAuthor" label="著者名" required={false} />
          <Field name="editPublisher" label="出版者" required={false} />
          <label for="editLatest">雑誌の最新号</label>
          <select id="editLatest" name="editLatest">
            <option value="">変更しない</option>
            <option value="1">最新号にする（予約不可）</option>
            <option value="0">最新号でなくする</option>
          </select>
        </Section>
        <Section title="所蔵（資料の一冊）の登録" action="/admin/counter/item" button="所蔵を登録">
          <Field name="itemMaterialId" label="資料番号" />
          <label for="branch">所蔵館</label>
          <select id="branch" name="branch">
            {branches.map((b) => (
              <option value={b.code}>{b.name}</option>
            ))}
          </select>
          <Field name="itemBarcode" label="バーコード（空欄なら採番）" required={false} />
          <Field name="callNumber" label="請求記号" required={false} />
          <p class="check">
            <input type="checkbox" id="notLoanable" name="notLoanable" value="1" />
            <label for="notLoanable">禁帯出（館内閲覧のみ）</label>
          </p>
        </Section>
        <Section title="所蔵の状態" action="/admin/counter/item-status" button="状態を変更">
          <Field name="statusBarcode" label="バーコード" />
          <label for="itemStatus">状態</label>
          <select id="itemStatus" name="itemStatus">
            {SETTABLE_ITEM_STATUSES.map((st) => (
              <option value={st}>{ITEM_STATUS_LABELS[st]}</option>
            ))}
          </select>
        </Section>
        <Section title="開館日" action="/admin/counter/calendar" button="設定する">
          <Field name="date" label="日付" type="date" />
          <label for="open">開館・休館</label>
          <select id="open" name="open">
            <option value="1">開館日</option>
            <option value="0">休館日</option>
          </select>
        </Section>
      </div>
    </Layout>
  );
}

/** Runs one counter action and shows its outcome on the counter page (errors in Japanese, status kept). */
async function act(c: Context<AppEnv>, work: () => Promise<string>) {
  try {
    return c.html(await counterPage(c, { ok: true, text: await work() }));
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const fields = (err.extra.fields ?? {}) as Record<string, string>;
    const detail = Object.values(fields).join(" ");
    return c.html(await counterPage(c, { ok: false, text: `${err.message}${detail ? ` ${detail}` : ""}` }), err.status);
  }
}

function parsed<T>(result: { ok: true; data: T } | { ok: false; fields: Record<string, string> }): T {
  if (!result.ok) throw new AppError("invalid_request", Object.values(result.fields).join(" "));
  return result.data;
}

async function itemByBarcode(c: Context<AppEnv>, barcode: string) {
  const row = await c.env.DB.prepare("SELECT id FROM items WHERE barcode = ?").bind(barcode.trim()).first<{ id: number }>();
  if (!row) throw new AppError("not_found", "そのバーコードの所蔵は見つかりませんでした。");
  return row.id;
}

export const counterPages = new Hono<AppEnv>()
  .use("/admin/counter", async (c, next) => {
    const who = await staffIdentity(c);
    if (!who) return c.redirect("/admin/login", 303);
    c.set("staff", who);
    await next();
  })
  .use("/admin/counter/*", async (c, next) => {
    const who = await staffIdentity(c);
    if (!who) return c.redirect("/admin/login", 303);
    c.set("staff", who);
    await next();
  })
  .get("/admin/counter", async (c) => c.html(await counterPage(c)))
  .post("/admin/counter/register", async (c) => {
    const f = await form(c);
    return act(c, async () => {
      const input = parsed(
        parseWith(patronSchema, { ...f, cardNumber: f.cardNumber || undefined, nameKana: f.nameKana || undefined }),
      );
      const made = await registerPatron(c, input);
      return `登録しました。利用者番号 ${made.cardNumber}、仮パスワード ${made.temporaryPassword}（この画面でのみ表示します。利用者にお渡しください）`;
    });
  })
  .post("/admin/counter/reset", async (c) => {
    const f = await form(c);
    return act(
      c,
      async () =>
        `仮パスワードを再発行しました：${(await resetPassword(c, (f.resetCard ?? "").trim())).temporaryPassword}（この画面でのみ表示します）`,
    );
  })
  .post("/admin/counter/status", async (c) => {
    const f = await form(c);
    const changes: Record<string, { patch: { webEnabled?: boolean; suspended?: boolean }; text: string }> = {
      "web-off": { patch: { webEnabled: false }, text: "インターネット予約を停止しました。" },
      "web-on": { patch: { webEnabled: true }, text: "インターネット予約を再開しました。" },
      suspend: { patch: { suspended: true }, text: "利用停止にしました。" },
      resume: { patch: { suspended: false }, text: "利用停止を解除しました。" },
    };
    return act(c, async () => {
      const change = changes[f.change ?? ""];
      if (!change) throw new AppError("invalid_request", "変更の内容を選んでください。");
      await updatePatron(c, (f.statusCard ?? "").trim(), change.patch);
      return change.text;
    });
  })
  .post("/admin/counter/reserve", async (c) => {
    const f = await form(c);
    return act(c, async () => {
      const input = parsed(
        parseWith(counterReservationSchema, {
          cardNumber: f.reserveCard,
          materialId: Number(f.materialId),
          pickupBranch: f.pickupBranch,
        }),
      );
      const made = await counterReservation(c, input);
      return `予約しました（予約番号 ${made.id}、予約中）。`;
    });
  })
  .post("/admin/counter/lend", async (c) => {
    const f = await form(c);
    return act(c, async () => {
      const itemId = await itemByBarcode(c, f.barcode ?? "");
      const loan = await lend(c, parsed(parseWith(loanSchema, { cardNumber: f.lendCard, itemId })));
      return `貸し出しました（返却期限 ${loan.dueDate}）。`;
    });
  })
  .post("/admin/counter/return", async (c) => {
    const f = await form(c);
    return act(c, async () => {
      const itemId = await itemByBarcode(c, f.returnBarcode ?? "");
      const loan = await c.env.DB.prepare("SELECT id FROM loans WHERE item_id = ? AND returned_at IS NULL")
        .bind(itemId)
        .first<{ id: number }>();
      if (!loan) throw new AppError("invalid_state", "この資料は貸出中ではありません。");
      await returnLoan(c, loan.id);
      return "返却しました。";
    });
  })
  .post("/admin/counter/calendar", async (c) => {
    const f = await form(c);
    return act(c, async () => {
      const date = f.date ?? "";
      if (!isValidDate(date)) throw new AppError("invalid_request", "日付を選んでください。");
      const open = f.open === "1";
      await setOpeningDay(c, date, open);
      return `${date} を${open ? "開館日" : "休館日"}にしました。`;
    });
  })
  .post("/admin/counter/material", async (c) => {
    const f = await form(c);
    return act(c, async () => {
      const optional = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
      const input = parsed(
        parseWith(materialSchema, {
          title: f.title,
          titleKana: optional(f.titleKana),
          author: optional(f.author),
          authorKana: optional(f.authorKana),
          publisher: optional(f.publisher),
          year: optional(f.year) === undefined ? undefined : Number(f.year),
          isbn: optional(f.isbn),
          ndc: optional(f.ndc),
          type: f.type,
          magazineTitle: optional(f.magazineTitle),
          latestIssue: f.latestIssue === "1",
        }),
      );
      return `資料を登録しました（資料番号 ${(await createMaterial(c, input)).id}）。`;
    });
  })
  .post("/admin/counter/item", async (c) => {
    const f = await form(c);
    return act(c, async () => {
      const input = parsed(
        parseWith(itemSchema, {
          materialId: Number(f.itemMaterialId),
          branch: f.branch,
          barcode: f.itemBarcode?.trim() || undefined,
          callNumber: f.callNumber?.trim() || undefined,
          loanable: f.notLoanable !== "1",
        }),
      );
      const made = await createItem(c, input);
      return `所蔵を登録しました（バーコード ${made.barcode}${input.loanable ? "" : "、禁帯出"}）。`;
    });
  })
  .post("/admin/counter/item-status", async (c) => {
    const f = await form(c);
    return act(c, async () => {
      const itemId = await itemByBarcode(c, f.statusBarcode ?? "");
      const input = parsed(parseWith(itemPatchSchema, { status: f.itemStatus }));
      await updateItem(c, itemId, input);
      return `所蔵の状態を「${ITEM_STATUS_LABELS[input.status ?? "available"]}」にしました。`;
    });
  })
  .post("/admin/counter/material-edit", async (c) => {
    const f = await form(c);
    return act(c, async () => {
      const materialId = Number(f.editMaterialId);
      if (!Number.isInteger(materialId) || materialId <= 0) throw new AppError("invalid_request", "資料番号を入力してください。");
      const given = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
      const patch = parsed(
        parseWith(materialPatchSchema, {
          title: given(f.editTitle),
          titleKana: given(f.editTitleKana),
          author: given(f.editAuthor),
          publisher: given(f.editPublisher),
          latestIssue: f.editLatest === "" || f.editLatest === undefined ? undefined : f.editLatest === "1",
        }),
      );
      const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      if (Object.keys(changes).length === 0) throw new AppError("invalid_request", "変更する項目を入力してください。");
      await updateMaterial(c, materialId, changes);
      return `資料番号 ${materialId} を修正しました。`;
    });
  });
