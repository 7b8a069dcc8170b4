// The navbar's <details> menus work without JavaScript; this only closes an open menu when
// another one opens, on a click elsewhere and on Escape (as menus usually behave).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const menus = Array.from(document.querySelectorAll("details.nav-menu"));
  const closeAll = (except) => menus.forEach((m) => { if (m !== except) m.open = false; });
  menus.forEach((menu) => {
    menu.addEventListener("toggle", () => { if (menu.open) closeAll(menu); });
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest("details.nav-menu")) closeAll(null);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = menus.find((m) => m.open);
    if (open) { open.open = false; open.querySelector("summary").focus(); }
  });
});
