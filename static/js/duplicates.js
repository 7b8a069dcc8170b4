// The new-customer form: say while typing that a file may already exist (R4). The check on
// saving works without this script; this only tells earlier. Text goes in as text, never HTML.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-matches-url]");
  const box = document.getElementById("duplicate-live");
  if (!form || !box) return;
  const fields = ["name", "tax_id", "phone"].map((key) => form.elements["basic." + key]);
  let timer = null;
  let last = "";
  const show = (data) => {
    box.replaceChildren();
    if (!data.matches.length) return;
    const wrap = document.createElement("div");
    wrap.className = "alert alert-warning duplicate-live";
    const heading = document.createElement("p");
    heading.className = "fw-bold mb-1";
    heading.textContent = data.heading;
    const list = document.createElement("ul");
    list.className = "mb-0";
    data.matches.forEach((match) => {
      const item = document.createElement("li");
      const id = document.createElement(match.url ? "a" : "span");
      if (match.url) id.href = match.url;
      id.textContent = match.id;
      item.append(id, " " + match.name + " — " + match.detail +
                  " (" + data.custodian + ": " + match.custodian + ")");
      list.append(item);
    });
    wrap.append(heading, list);
    box.append(wrap);
  };
  const check = () => {
    const params = new URLSearchParams();
    fields.forEach((field, i) => {
      if (field) params.set(["name", "tax_id", "phone"][i], field.value.trim());
    });
    const query = params.toString();
    if (query === last) return;
    last = query;
    fetch(form.dataset.matchesUrl + "?" + query, {
      credentials: "same-origin", headers: {Accept: "application/json"},
    }).then((r) => (r.ok ? r.json() : {matches: []})).then(show).catch(() => {});
  };
  fields.forEach((field) => {
    if (!field) return;
    field.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(check, 600);
    });
  });
});
