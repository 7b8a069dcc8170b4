// Small enhancements only: every page works without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Ask before actions marked as needing confirmation (restore, remove an entry).
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // The language selector submits as soon as a language is chosen.
  const lang = document.getElementById("lang");
  if (lang) lang.addEventListener("change", () => lang.form.submit());
  // Print buttons.
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
});
