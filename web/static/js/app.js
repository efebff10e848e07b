// hiretext progressive enhancement. Every page works without this script;
// it adds confirmations and closes open menus on Escape or an outside click.
(function () {
  "use strict";

  // Forms with data-confirm ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  function closeMenus(except) {
    document.querySelectorAll("details.user-menu[open], details.dropdown[open]").forEach(function (d) {
      if (d !== except) { d.removeAttribute("open"); }
    });
  }

  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest && event.target.closest("details"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeMenus(null); }
  });
})();
