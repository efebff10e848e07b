// find.js runs in the page under test, called by browsertest through
// Runtime.evaluate as (function)(mode, target, marker). It finds the one
// element a person means by target, marks it with data-browsertest=marker so
// the Go side can click it or type into it, and describes it.
//
// Modes:
//   "click"   a link, button, summary, label or other clickable element, by
//             its visible text, aria-label, title or value;
//   "field"   an input, textarea or select, by its label, aria-label or
//             placeholder;
//   "focused" the focused element (target names the key about to be pressed).
//
// Names are compared after collapsing white space. An exact name beats a
// prefix that ends at a word boundary ("Password" finds "Password (optional)"),
// which beats a substring; two elements at the best level are ambiguous. A
// CSS selector is the last resort. Text inside aria-hidden elements is not
// part of a name, as for a screen reader.
(function (mode, target, marker) {
  "use strict";

  var CLICKABLE = "a[href], button, summary, label, [role=button], [role=link], [role=tab], [role=menuitem], " +
    "input[type=submit], input[type=button], input[type=reset], input[type=image]";
  var FIELD = "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]), textarea, select";

  function norm(s) { return String(s || "").replace(/\s+/g, " ").trim(); }

  function shown(el) {
    return el.isConnected && el.checkVisibility({ visibilityProperty: true });
  }

  function text(el) {
    var s = el.innerText || "";
    el.querySelectorAll("[aria-hidden=true]").forEach(function (h) { s = s.replace(h.innerText || "", " "); });
    return norm(s);
  }

  function ownText(el) {
    var s = "";
    el.childNodes.forEach(function (n) { if (n.nodeType === Node.TEXT_NODE) { s += n.textContent; } });
    return norm(s);
  }

  function clickNames(el) {
    var names = [text(el), el.getAttribute("aria-label"), el.getAttribute("title")];
    if (el.tagName === "INPUT") { names.push(el.value); }
    if (el.tagName === "LABEL") { names.push(ownText(el)); }
    return names;
  }

  function fieldNames(el) {
    var names = [el.getAttribute("aria-label"), el.getAttribute("placeholder")];
    Array.prototype.forEach.call(el.labels || [], function (l) { names.push(text(l), ownText(l)); });
    norm(el.getAttribute("aria-labelledby")).split(" ").forEach(function (id) {
      var l = id && document.getElementById(id);
      if (l) { names.push(text(l)); }
    });
    return names;
  }

  // level is 3 for an exact name, 2 for a prefix ending at a word boundary,
  // 1 for a substring and 0 for no match.
  function level(names) {
    var best = 0;
    names.forEach(function (n) {
      n = norm(n);
      var i = n.indexOf(target);
      if (!n || i < 0) { return; }
      if (n === target) { best = 3; }
      else if (i === 0 && !/[\p{L}\p{N}]/u.test(n.charAt(target.length))) { best = Math.max(best, 2); }
      else { best = Math.max(best, 1); }
    });
    return best;
  }

  function fieldShown(el) {
    if (shown(el)) { return true; }
    // A styled checkbox can be hidden behind its visible label.
    return Array.prototype.some.call(el.labels || [], shown);
  }

  function nameOf(el) {
    var names = (el.matches(FIELD) ? fieldNames(el) : clickNames(el)).map(norm).filter(Boolean);
    return names.length ? names[0] : "";
  }

  function describe(el) {
    return "<" + el.tagName.toLowerCase() + "> " + JSON.stringify(nameOf(el).slice(0, 60));
  }

  // navigates reports whether activating el (by a click, or by key) loads a
  // new page, so the Go side waits for it. A link that says it opens a
  // dialog (aria-haspopup=dialog) is one a script opens in place, and a
  // form marked data-sends-in-place is one a script sends without leaving
  // the page.
  function navigates(el, key) {
    if (key === "\t") { return false; } // Tab moves the focus, from a link too
    var a = el.closest("a[href]");
    if (a && key !== " ") {
      var href = a.getAttribute("href");
      return !(href.charAt(0) === "#" || /^javascript:/i.test(href) || a.hasAttribute("download") ||
        a.getAttribute("aria-haspopup") === "dialog" || (a.target && a.target !== "_self"));
    }
    var b = el.closest("button, input[type=submit], input[type=image]");
    if (b && b.form && !b.disabled && (b.type === "submit" || b.type === "image")) {
      if (b.form.hasAttribute("data-sends-in-place")) { return false; }
      return (b.formTarget || b.form.target || "_self") === "_self";
    }
    // Enter in a single-line field submits its form when the form has a
    // submit button (implicit submission).
    if (key === "\r" && el.form && el.tagName === "INPUT" && !/^(checkbox|radio|file|range|color)$/.test(el.type)) {
      return !!el.form.querySelector("button:not([type]), button[type=submit], input[type=submit], input[type=image]");
    }
    return false;
  }

  function found(el, key) {
    el.setAttribute("data-browsertest", marker);
    return {
      ok: true, marker: marker, name: nameOf(el), desc: describe(el), navigates: navigates(el, key),
      type: (el.type || el.tagName).toLowerCase(), checked: !!el.checked, tag: el.tagName.toLowerCase()
    };
  }

  function miss(msg, retry) { return { ok: false, retry: retry, error: msg }; }

  if (mode === "focused") {
    var active = document.activeElement;
    if (!active || active === document.body) { return miss("nothing has the focus", false); }
    return found(active, target);
  }

  var isField = mode === "field";
  var all = Array.prototype.slice.call(document.querySelectorAll(isField ? FIELD : CLICKABLE));
  var best = 0, matches = [];
  all.forEach(function (el) {
    if (!(isField ? fieldShown(el) : shown(el))) { return; }
    var l = level(isField ? fieldNames(el) : clickNames(el));
    if (l > best) { best = l; matches = []; }
    if (l === best && l > 0) { matches.push(el); }
  });
  if (matches.length === 1) { return found(matches[0]); }
  if (matches.length > 1) {
    return miss(matches.length + " elements match " + JSON.stringify(target) + ": " +
      matches.slice(0, 6).map(describe).join(", ") + "; use a longer text or a CSS selector", false);
  }
  try {
    var bySelector = Array.prototype.filter.call(document.querySelectorAll(target), isField ? fieldShown : shown);
    if (bySelector.length > 0) { return found(bySelector[0]); }
  } catch (e) {
    // Not a CSS selector: only a name was meant.
  }
  var seen = all.filter(isField ? fieldShown : shown).slice(0, 12).map(describe).join(", ");
  return miss("no visible " + (isField ? "field labelled " : "link, button or label ") + JSON.stringify(target) +
    " on " + location.pathname + (seen ? " (visible: " + seen + ")" : ""), true);
})
