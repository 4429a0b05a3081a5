import { a11y, ErrorSummary, type Errors, FieldError } from "../../views/forms";
import { Layout } from "../../views/layout";
import type { Branch } from "../catalog/reference";

/** Card number and password fields, shared by the login page and the cart. */
export function CredentialFields({ errors, cardNumber }: { errors: Errors; cardNumber?: string }) {
  return (
    <>
      <label for="cardNumber">利用者番号</label>
      <input
        type="text"
        id="cardNumber"
        name="cardNumber"
        inputmode="numeric"
        autocomplete="username"
        required
        value={cardNumber ?? ""}
        {...a11y(errors, "cardNumber")}
      />
      <FieldError errors={errors} name="cardNumber" />
      <label for="password">パスワード</label>
      <input
        type="password"
        id="password"
        name="password"
        autocomplete="current-password"
        required
        {...a11y(errors, "password")}
      />
      <FieldError errors={errors} name="password" />
    </>
  );
}

export function LoginPage({
  errors,
  cardNumber,
  next,
  message,
}: {
  errors: Errors;
  cardNumber?: string;
  next?: string;
  message?: string;
}) {
  return (
    <Layout title="利用状況照会">
      <h1>利用状況照会</h1>
      <p>利用者番号とパスワードを入力して、ログインしてください。</p>
      {message ? (
        <p class="notice error" role="alert">
          {message}
        </p>
      ) : null}
      <ErrorSummary errors={errors} />
      <form action="/login" method="post">
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <CredentialFields errors={errors} cardNumber={cardNumber} />
        <p>
          <button type="submit">ログイン</button>
        </p>
      </form>
      <p class="meta">インターネット予約には、窓口での申請が必要です。パスワードを忘れたときは、窓口で再度申請してください。</p>
    </Layout>
  );
}

function LogoutButton() {
  return (
    <form action="/logout" method="post" class="inline">
      <button type="submit" class="secondary">
        ログアウト
      </button>
    </form>
  );
}

export function AccountMenu({ name, active, held, limit }: { name: string; active: number; held: number; limit: number }) {
  return (
    <Layout title="利用状況照会">
      <h1>利用状況照会</h1>
      <p>{name} さん</p>
      {held > 0 ? (
        <p class="notice ok" role="status">
          <a href="/account/reservations">お取り置き中の資料が{held}件あります。</a>受取館でお受け取りください。
        </p>
      ) : null}
      <p>
        予約中の資料 {active}件（あと{Math.max(0, limit - active)}件予約できます）
      </p>
      <ul class="menu">
        <li>
          <a href="/account/loans">貸出状況</a>
        </li>
        <li>
          <a href="/account/reservations">予約状況</a>
        </li>
        <li>
          <a href="/account/reading-record">読書記録</a>
        </li>
        <li>
          <a href="/account/profile">個人情報変更（メールアドレス・パスワード）</a>
        </li>
        <li>
          <a href="/cart">予約カート</a>
        </li>
      </ul>
      <LogoutButton />
    </Layout>
  );
}

export interface ProfileValues {
  email?: string;
  emailConfirm?: string;
  contactMethod?: string;
  /** The address on file, shown beside the contact form. */
  currentEmail?: string;
}

/** The current password that confirms a change. */
function CurrentPassword({ errors, forced, id }: { errors: Errors; forced: boolean; id: string }) {
  return (
    <>
      <label for={id}>{forced ? "仮パスワード" : "現在のパスワード"}</label>
      <input
        type="password"
        id={id}
        name="currentPassword"
        autocomplete="current-password"
        required
        {...(errors.currentPassword ? { "aria-describedby": `${id}-error`, "aria-invalid": "true" } : {})}
      />
      {errors.currentPassword ? (
        <p class="error" id={`${id}-error`}>
          {errors.currentPassword}
        </p>
      ) : null}
    </>
  );
}

/** One e-mail input with its label and error; `name` is also its id. */
function EmailInput(p: { errors: Errors; name: "email" | "emailConfirm"; label: string; value?: string; required: boolean }) {
  return (
    <>
      <label for={p.name}>{p.label}</label>
      <input
        type="email"
        id={p.name}
        name={p.name}
        autocomplete="email"
        required={p.required}
        value={p.value ?? ""}
        {...a11y(p.errors, p.name)}
      />
      <FieldError errors={p.errors} name={p.name} />
    </>
  );
}

function EmailFields({ errors, values, required }: { errors: Errors; values: ProfileValues; required: boolean }) {
  return (
    <>
      <EmailInput
        errors={errors}
        name="email"
        label={`新しいメールアドレス${required ? "" : "（変えるときだけ）"}`}
        value={values.email}
        required={required}
      />
      <EmailInput
        errors={errors}
        name="emailConfirm"
        label="新しいメールアドレス（確認のためもう一度）"
        value={values.emailConfirm}
        required={required}
      />
    </>
  );
}

function PasswordFields({ errors }: { errors: Errors }) {
  return (
    <>
      <label for="newPassword">新しいパスワード（半角英数字4〜8文字）</label>
      <input
        type="password"
        id="newPassword"
        name="password"
        autocomplete="new-password"
        required
        minlength={4}
        maxlength={8}
        {...(errors.password ? { "aria-describedby": "password-error", "aria-invalid": "true" } : {})}
      />
      <FieldError errors={errors} name="password" />
      <label for="passwordConfirm">新しいパスワード（確認のためもう一度）</label>
      <input
        type="password"
        id="passwordConfirm"
        name="passwordConfirm"
        autocomplete="new-password"
        required
        {...a11y(errors, "passwordConfirm")}
      />
      <FieldError errors={errors} name="passwordConfirm" />
      <p class="meta">
        1234 や 0000 のような推測されやすいパスワード、利用者番号と同じもの、仮パスワードと同じものは使えません。
      </p>
    </>
  );
}

function ContactChoice({ errors, values }: { errors: Errors; values: ProfileValues }) {
  return (
    <>
      <fieldset>
        <legend>連絡方法</legend>
        <p class="check">
          <input type="radio" id="contactMail" name="contactMethod" value="mail" checked={values.contactMethod !== "none"} />
          <label for="contactMail">メール（予約の受付時と、お取り置きの準備ができたときにお知らせします）</label>
        </p>
        <p class="check">
          <input type="radio" id="contactNone" name="contactMethod" value="none" checked={values.contactMethod === "none"} />
          <label for="contactNone">連絡不要（予約状況の画面でご確認ください）</label>
        </p>
      </fieldset>
      <FieldError errors={errors} name="contactMethod" />
    </>
  );
}

/** Which of the page's forms a change or its errors belong to. */
export type ProfileForm = "contact" | "password" | "preferences";

export interface PreferenceValues {
  pickupBranches: Branch[];
  defaultPickupBranch: string | null;
  mailWithoutTitles: boolean;
  remindDue: boolean;
  remindOverdue: boolean;
  remindHold: boolean;
  dueReminderDays: number;
}

function Check({ name, checked, children }: { name: string; checked: boolean; children: string }) {
  return (
    <p class="check">
      <input type="checkbox" id={name} name={name} value="1" checked={checked} />
      <label for={name}>{children}</label>
    </p>
  );
}

/**
 * 初期値設定: the pickup branch offered first, mail without titles and the opt-in reminders by mail. No
 * password needed: nothing private changes.
 */
function PreferencesForm({ p, errors }: { p: PreferenceValues; errors: Errors }) {
  return (
    <section aria-labelledby="preferences-heading">
      <h2 id="preferences-heading">初期値設定</h2>
      <form action="/account/preferences" method="post">
        <label for="defaultPickupBranch">いつも使う受取館</label>
        <select id="defaultPickupBranch" name="defaultPickupBranch" {...a11y(errors, "defaultPickupBranch")}>
          <option value="" selected={!p.defaultPickupBranch}>
            指定しない（前回選んだ館）
          </option>
          {p.pickupBranches.map((b) => (
            <option value={b.code} selected={b.code === p.defaultPickupBranch}>
              {b.name}
            </option>
          ))}
        </select>
        <FieldError errors={errors} name="defaultPickupBranch" />
        <Check name="mailWithoutTitles" checked={p.mailWithoutTitles}>
          メールに資料名を書かない（資料名の最初の数文字と冊数だけをお知らせします）
        </Check>
        <fieldset>
          <legend>メールでのお知らせ（連絡方法が「メール」のとき、開館日の朝にお送りします）</legend>
          <Check name="remindDue" checked={p.remindDue}>
            {`返却期限のお知らせ（返却期限の${p.dueReminderDays}日前から）`}
          </Check>
          <Check name="remindOverdue" checked={p.remindOverdue}>
            延滞のお知らせ（返却期限を過ぎたとき。返却まで1週間ごと）
          </Check>
          <Check name="remindHold" checked={p.remindHold}>
            取置期限が近いお知らせ（お取り置きの期限の前の開館日）
          </Check>
        </fieldset>
        <p>
          <button type="submit">初期値を保存する</button>
        </p>
      </form>
    </section>
  );
}

/**
 * 個人情報変更. At the first login (temporary credentials) one form changes e-mail and password together;
 * afterwards the contact method with the e-mail, and the password, are changed separately, each
 * confirmed by the current password.
 */
export function ProfilePage({
  errors,
  values,
  forced,
  next,
  done,
  form,
  askCurrent = true,
  preferences,
}: {
  errors: Errors;
  values: ProfileValues;
  /** 初期値設定 (after the first login). */
  preferences?: PreferenceValues;
  /** First login with temporary credentials: nothing else until they are changed. */
  forced: boolean;
  /** False moments after the login: the temporary password was just typed (auth/sessions.ts). */
  askCurrent?: boolean;
  next?: string;
  /** The form whose change was just saved. */
  done?: ProfileForm;
  /** The form the errors belong to. */
  form?: ProfileForm;
}) {
  const noErrors: Errors = {};
  return (
    <Layout title="個人情報変更">
      <h1>個人情報変更</h1>
      {forced ? (
        <p class="notice" role="status">
          仮のメールアドレスとパスワードで登録されています。ご利用の前に、メールアドレスとパスワードを変更してください。
        </p>
      ) : null}
      {done ? (
        <p class="notice ok" role="status">
          {done === "password"
            ? "パスワードを変更しました。"
            : done === "preferences"
              ? "初期値を保存しました。"
              : "連絡方法・メールアドレスを変更しました。"}
        </p>
      ) : null}
      <ErrorSummary errors={errors} />
      {forced ? (
        <form action="/account/profile" method="post">
          {next ? <input type="hidden" name="next" value={next} /> : null}
          {askCurrent ? <CurrentPassword errors={errors} forced id="currentPassword" /> : null}
          <EmailFields errors={errors} values={values} required />
          <PasswordFields errors={errors} />
          <ContactChoice errors={errors} values={values} />
          <p>
            <button type="submit">変更する</button>
          </p>
        </form>
      ) : (
        <>
          <section aria-labelledby="contact-heading">
            <h2 id="contact-heading">連絡方法・メールアドレス</h2>
            <p class="meta">現在のメールアドレス：{values.currentEmail ?? "（登録なし）"}</p>
            <form action="/account/contact" method="post">
              <ContactChoice errors={form === "contact" ? errors : noErrors} values={values} />
              <EmailFields
                errors={form === "contact" ? errors : noErrors}
                values={form === "contact" ? values : {}}
                required={false}
              />
              <CurrentPassword errors={form === "contact" ? errors : noErrors} forced={false} id="contactCurrentPassword" />
              <p>
                <button type="submit">連絡方法・メールアドレスを変更する</button>
              </p>
            </form>
          </section>
          <section aria-labelledby="password-heading">
            <h2 id="password-heading">パスワード</h2>
            <form action="/account/password" method="post">
              <CurrentPassword errors={form === "password" ? errors : noErrors} forced={false} id="passwordCurrentPassword" />
              <PasswordFields errors={form === "password" ? errors : noErrors} />
              <p>
                <button type="submit">パスワードを変更する</button>
              </p>
            </form>
          </section>
          {preferences ? <PreferencesForm p={preferences} errors={form === "preferences" ? errors : noErrors} /> : null}
        </>
      )}
      {forced ? (
        <LogoutButton />
      ) : (
        <p>
          <a href="/account">利用状況照会のメニューへ</a>
        </p>
      )}
    </Layout>
  );
}
