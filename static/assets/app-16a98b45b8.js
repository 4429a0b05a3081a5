// Small enhancements on top of htmx (served as a static file: the CSP allows no inline script). Every page
// works without this file.

// 「資料検索へ」 on a material page goes back to the results the patron came from, with their query.
for (const a of document.querySelectorAll("a[data-back-to-search]")) {
  const from = document.referrer;
  if (from.startsWith(`${location.origin}/search?`)) a.href = from;
}

// After htmx swaps in new results (they carry an autofocus heading), a phone closes the 詳細検索 panel so
// the results are what the patron sees.
document.addEventListener("htmx:after:settle", () => {
  if (!document.querySelector("#results [autofocus]")) return;
  if (window.matchMedia("(max-width: 40rem)").matches)
    for (const d of document.querySelectorAll("details.advanced")) d.open = false;
});
