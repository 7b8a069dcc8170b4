// The customer page's index as tabs: one pane at a time, the hash in the URL (links and the
// back button work), any anchor inside a pane opens that pane. Without this file the index is a
// sticky list of anchors over all panes.
"use strict";
(() => {
  const layout = document.querySelector("[data-card-tabs]");
  if (!layout) return;
  const panes = Array.from(layout.querySelectorAll(":scope > .card-pane"));
  const links = Array.from(layout.querySelectorAll(".card-index-link[data-pane]"));
  if (!panes.length) return;
  layout.classList.add("card-tabs");

  const paneOf = (id) => {
    const target = id ? document.getElementById(id) : null;
    return target ? panes.find((pane) => pane === target || pane.contains(target)) : null;
  };

  // "Show who changed what" reloads the page: keep the reader on the same tab.
  const toggle = document.querySelector('a[data-action="changes"]');

  const show = (pane) => {
    panes.forEach((p) => p.classList.toggle("active", p === pane));
    if (toggle) {
      const target = new URL(toggle.href);
      target.hash = pane.id;
      toggle.href = target.toString();
    }
    links.forEach((link) => {
      if (link.dataset.pane === pane.id) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    });
  };

  const follow = (focus) => {
    const id = decodeURIComponent(window.location.hash.slice(1));
    const pane = paneOf(id) || panes[0];
    show(pane);
    const target = (id && document.getElementById(id)) || null;
    if (!target) return;
    // The browser could not scroll to an element of a hidden pane: do it now it is shown.
    target.scrollIntoView();
    if (!focus) return;
    if (target === pane) {
      pane.focus({ preventScroll: true });
    } else {
      // An action such as "add a contact entry" lands in the form's first box.
      const box = target.querySelector(
        "form input:not([type=hidden]), form select, form textarea");
      if (box) box.focus({ preventScroll: true });
    }
  };

  window.addEventListener("hashchange", () => follow(true));
  // A link to the hash already in the URL changes nothing, so it would not open its form.
  document.addEventListener("click", (event) => {
    const link = event.target.closest('a[href^="#"]');
    if (link && link.getAttribute("href") === window.location.hash) {
      event.preventDefault();
      follow(true);
    }
  });
  follow(false);
})();
