/* perfloop goals — small behaviours of the goals pages (no inline scripts: the CSP allows only 'self'). */
(function () {
  "use strict";

  // "Select everyone" in the team grid.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (!all) {
      return;
    }
    var form = all.closest("form");
    form.querySelectorAll('input[name="select"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });

  // A suggestion's button copies its value into the person's "new target" field and selects the row.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-use-suggestion]");
    if (!button) {
      return;
    }
    var input = document.getElementById(button.getAttribute("data-for"));
    if (input) {
      input.value = button.getAttribute("data-use-suggestion");
      input.classList.add("is-changed");
      var row = button.closest("tr");
      var box = row && row.querySelector('input[name="select"]');
      if (box) {
        box.checked = true;
      }
    }
  });

  // Typed values are marked, so the manager sees what "save" will change.
  document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("goalgrid__input")) {
      event.target.classList.toggle("is-changed", event.target.value !== event.target.defaultValue);
    }
  });
})();
