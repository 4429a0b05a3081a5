// The document shell every page shares: lang="ja", one stylesheet, htmx (deferred, enhancement only).
import { env } from "cloudflare:workers";
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { settingsOf } from "../settings";
import { assets } from "./assets";

export interface LayoutProps {
  title: string;
  children: Child;
  /** More of `<head>` for one page (e.g. a refresh while a job runs, for browsers without JavaScript). */
  head?: Child;
}

/** The document title of a page: 「…」の検索結果 | みなみ市立図書館 Web予約. */
export const pageTitle = (title: string) => `${title} | ${settingsOf(env).libraryName} Web予約`;

export function Layout({ title, children, head }: LayoutProps) {
  // The library's name from the Worker's vars (LIBRARY_NAME), read where the page is rendered.
  const LIBRARY_NAME = settingsOf(env).libraryName;
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="ja">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{pageTitle(title)}</title>
          {/* No icon file: an empty data URL stops browsers from requesting /favicon.ico on every visit. */}
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href={assets.css} />
          <link
            rel="search"
            type="application/opensearchdescription+xml"
            title={`${LIBRARY_NAME} 蔵書検索`}
            href="/opensearch.xml"
          />
          <script src={assets.htmx} defer />
          <script src={assets.js} defer />
          {head}
        </head>
        <body>
          <a class="skip" href="#main">
            本文へ移動
          </a>
          <header class="site">
            <a class="name" href="/">
              {LIBRARY_NAME} Web予約
            </a>
            <nav aria-label="メインメニュー">
              <ul>
                <li>
                  <a href="/search">資料検索</a>
                </li>
                <li>
                  <a href="/new-arrivals">新着資料</a>
                </li>
                <li>
                  <a href="/cart" rel="nofollow">
                    予約カート
                  </a>
                </li>
                <li>
                  <a href="/account" rel="nofollow">
                    利用状況照会
                  </a>
                </li>
                <li>
                  <a href="/calendar">開館日</a>
                </li>
                <li>
                  <a href="/help/reservations">ご利用案内</a>
                </li>
              </ul>
            </nav>
          </header>
          <main id="main">{children}</main>
          <footer class="site">
            <p>{LIBRARY_NAME}</p>
            <p>
              <a href="/branches">館のご案内（住所・電話・開館時間）</a>
            </p>
          </footer>
        </body>
      </html>
    </>
  );
}

/** A page that says one thing, e.g. an error, with a way back. */
export function MessagePage({ title, message }: { title: string; message: string }) {
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href="/">トップページへ戻る</a>
      </p>
    </Layout>
  );
}

/** The same message as a fragment, for htmx requests (htmx 4 swaps error responses too). */
export function MessageFragment({ title, message }: { title: string; message: string }) {
  return (
    <section id="results" role="alert">
      <h2>{title}</h2>
      <p class="error">{message}</p>
    </section>
  );
}

/** What an action did, at the top of the page it came back to: a confirmation (status) and/or a refusal (alert). */
export function Notices({ ok, error }: { ok?: string | undefined; error?: string | undefined }) {
  return (
    <>
      {error ? (
        <p class="notice error" role="alert">
          {error}
        </p>
      ) : null}
      {ok ? (
        <p class="notice ok" role="status">
          {ok}
        </p>
      ) : null}
    </>
  );
}
