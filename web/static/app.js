// Diancang web app: confirmations for destructive forms, and live crawl progress.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

function showProgress(box) {
  const url = box.dataset.progressUrl;
  const tick = async () => {
    let data;
    try {
      const response = await fetch(url, {credentials: "same-origin", cache: "no-store"});
      data = await response.json();
    } catch (err) {
      window.setTimeout(tick, 4000);
      return;
    }
    for (const el of box.querySelectorAll("[data-field]")) {
      const value = (data.shown || {})[el.dataset.field];
      el.textContent = value === undefined || value === null ? "—" : String(value);
    }
    const status = box.querySelector("[data-field=status]");
    if (status) status.className = "status status-" + data.status;
    box.dataset.status = data.status;
    if (data.status === "running" || data.status === "queued") {
      window.setTimeout(tick, 2000);
    } else if (box.dataset.reloadWhenDone) {
      window.location.reload();
    }
  };
  tick();
}

function awaitCrawl(box) {
  const tick = async () => {
    try {
      const response = await fetch(box.dataset.requestUrl, {credentials: "same-origin",
                                                              cache: "no-store"});
      const data = await response.json();
      if (data.crawl_url) {
        window.location.assign(data.crawl_url);
        return;
      }
      const status = box.querySelector("[data-request-field=status]");
      if (status && data.status === "failed") status.textContent = data.status;
    } catch (err) { /* try again */ }
    window.setTimeout(tick, 1000);
  };
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("[data-progress-url]")) showProgress(box);
  for (const box of document.querySelectorAll("[data-request-url]")) awaitCrawl(box);
});
