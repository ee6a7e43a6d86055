/* perfloop — page behaviour shared by every page. No inline scripts: the CSP allows only files from 'self'. */
(function () {
  "use strict";

  // After htmx swaps a month in place, the language switch must return to the new URL, not the first one.
  document.addEventListener("htmx:pushedIntoHistory", function () {
    var current = window.location.pathname + window.location.search;
    document.querySelectorAll("input[data-keep-current-url]").forEach(function (input) {
      input.value = current;
    });
  });

  // The user menu is a <details>: close it on a click elsewhere or on Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.usermenu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details.usermenu[open]").forEach(function (menu) {
        menu.removeAttribute("open");
      });
    }
  });
})();
