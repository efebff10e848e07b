// hiretext progressive enhancement. Every page works without this script;
// it adds confirmations, folds the page links behind a Menu button on narrow
// screens, closes open menus on Escape or an outside click, keeps conversations scrolled to their newest text, and helps select rows
// of candidate tables.
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

  // The top bar's Menu button: below 768px (app.css) the page links fold
  // behind it, so the bar keeps to one row. Without this script they wrap.
  var navToggle = null;

  function setNavOpen(open) {
    if (!navToggle) { return; }
    navToggle.setAttribute("aria-expanded", String(open));
    navToggle.closest(".topbar").classList.toggle("nav-open", open);
  }

  function setupNav() {
    navToggle = document.querySelector("[data-nav-toggle]");
    if (!navToggle) { return; }
    navToggle.closest(".topbar").classList.add("nav-collapsible");
    navToggle.hidden = false;
    navToggle.addEventListener("click", function () {
      setNavOpen(navToggle.getAttribute("aria-expanded") !== "true");
    });
  }

  function closeMenus(except) {
    document.querySelectorAll("details.user-menu[open], details.dropdown[open]").forEach(function (d) {
      if (d !== except) { d.removeAttribute("open"); }
    });
    if (except !== navToggle) { setNavOpen(false); }
  }

  document.addEventListener("click", function (event) {
    var t = event.target;
    if (!t.closest) { return; }
    closeMenus(t.closest("[data-nav-toggle], .nav-links") ? navToggle : t.closest("details"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeMenus(null); }
  });

  // Conversations open at their newest text and stay there as texts arrive,
  // unless the person has scrolled back to read older ones: then they keep
  // their place. Live updates replace a list with a fresh copy, so where the
  // person was is remembered by the list's container, which stays.
  var NEAR_END = 16; // pixels from the end that still count as at the end
  var readingOlder = new WeakMap(); // container → scrollTop of older texts being read

  function atEnd(list) {
    return list.scrollHeight - list.scrollTop - list.clientHeight <= NEAR_END;
  }

  function pin(list) {
    var kept = readingOlder.get(list.parentNode);
    list.scrollTop = kept === undefined ? list.scrollHeight : kept;
  }

  function pinWithin(node) {
    if (node.nodeType !== 1) { return; }
    if (node.matches("[data-message-list]")) { pin(node); }
    node.querySelectorAll("[data-message-list]").forEach(pin);
  }

  document.addEventListener("scroll", function (event) {
    var list = event.target;
    if (!list.matches || !list.matches("[data-message-list]") || !list.parentNode) { return; }
    if (atEnd(list)) {
      readingOlder.delete(list.parentNode);
    } else {
      readingOlder.set(list.parentNode, list.scrollTop);
    }
  }, true); // scroll events do not bubble

  // Lists added later: the conversation dialog, and every live update.
  new MutationObserver(function (records) {
    records.forEach(function (r) { r.addedNodes.forEach(pinWithin); });
  }).observe(document.documentElement, { childList: true, subtree: true });

  // Candidate tables: a box in the header ticks every row, the bar counts
  // the ticked rows, and the bulk actions wait until one is. Without this
  // script the server sends an empty selection back to the list instead.
  function setupBulk(form) {
    var all = form.querySelector("[data-select-all]");
    var count = form.querySelector("[data-selected-count]");
    var boxes = form.querySelectorAll("input[data-select]");

    function update() {
      var n = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
      if (all) {
        all.checked = n > 0 && n === boxes.length;
        all.indeterminate = n > 0 && n < boxes.length;
      }
      if (count) { count.textContent = n + " selected"; }
      form.querySelectorAll("[data-needs-selection]").forEach(function (b) { b.disabled = n === 0; });
    }

    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = all.checked; });
        update();
      });
    }
    if (count) { count.hidden = false; }
    form.addEventListener("change", function (event) {
      if (event.target.matches("input[data-select]")) { update(); }
    });
    // The browser may restore ticks when the person comes back to the page.
    window.addEventListener("pageshow", update);
    update();
  }

  function init() {
    setupNav();
    pinWithin(document.documentElement);
    document.querySelectorAll("form[data-bulk-form]").forEach(setupBulk);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
