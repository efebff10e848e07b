// hiretext message composer: live character and segment count with the
// GSM-7 / UCS-2 rules of the domain package (segment.go), a warning naming
// the characters that force UCS-2 with a one-click replacement, and the
// allowance check. The server validates everything again; this only helps.
(function () {
  "use strict";

  var GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM_EXTENSION = "\f^{}\\[~]|€";
  var MAX_CHARS = 1600;

  // Look-alikes people paste from word processors, as in segment.go.
  var LOOKALIKES = {
    "«": "\"", "»": "\"", "“": "\"", "”": "\"", "„": "\"", "‟": "\"", "″": "\"",
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "‹": "'", "›": "'", "`": "'", "´": "'",
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "•": "-",
    "…": "...", "¼": "1/4", "½": "1/2", "¾": "3/4",
    "\t": " ", "\u00A0": " ", "\u202F": " ", "\u3000": " ",
    "\u00AD": "", "\u200B": "", "\u2060": "", "\uFEFF": ""
  };

  function septets(ch) {
    if (GSM_BASIC.indexOf(ch) >= 0) { return 1; }
    if (GSM_EXTENSION.indexOf(ch) >= 0) { return 2; }
    return 0;
  }

  function lookalike(ch) {
    if (Object.prototype.hasOwnProperty.call(LOOKALIKES, ch)) { return LOOKALIKES[ch]; }
    var c = ch.codePointAt(0);
    if (c >= 0x2000 && c <= 0x200A) { return " "; }
    if (c >= 0xFF01 && c <= 0xFF5E) { return String.fromCodePoint(c - 0xFF01 + 33); }
    return null;
  }

  // count mirrors hiretext.CountSegments: characters are packed whole, so an
  // escape pair or surrogate pair never straddles two segments.
  function count(body) {
    var chars = Array.from(body);
    var nonGSM = [];
    chars.forEach(function (ch) {
      if (septets(ch) === 0 && nonGSM.indexOf(ch) < 0) { nonGSM.push(ch); }
    });
    var ucs = nonGSM.length > 0;
    var cost = ucs ? function (ch) { return ch.length; } : septets; // UTF-16 units
    var single = ucs ? 70 : 160, multi = ucs ? 67 : 153;
    var units = 0;
    chars.forEach(function (ch) { units += cost(ch); });
    var segments = 0;
    if (units > 0 && units <= single) {
      segments = 1;
    } else if (units > single) {
      var used = 0;
      segments = 1;
      chars.forEach(function (ch) {
        var c = cost(ch);
        if (used + c > multi) { segments++; used = 0; }
        used += c;
      });
    }
    return { encoding: ucs ? "UCS-2" : "GSM-7", characters: chars.length, segments: segments, nonGSM: nonGSM };
  }

  function replaceable(nonGSM) {
    return nonGSM.filter(function (ch) { return lookalike(ch) !== null; });
  }

  function describeChar(ch) {
    var code = ch.codePointAt(0).toString(16).toUpperCase();
    while (code.length < 4) { code = "0" + code; }
    return (ch.trim() === "" ? "" : ch + " ") + "(U+" + code + ")";
  }

  function setup(form) {
    if (form.hasAttribute("data-composer-ready")) { return; }
    form.setAttribute("data-composer-ready", "");
    var body = form.querySelector("[data-composer-body]");
    var counter = form.querySelector("[data-composer-count]");
    var warning = form.querySelector("[data-composer-warning]");
    var warningText = form.querySelector("[data-composer-warning-text]");
    var fix = form.querySelector("[data-composer-fix]");
    var send = form.querySelector("[data-composer-send]");
    var remainingEl = form.querySelector("[data-remaining]");
    var recipients = parseInt(form.getAttribute("data-recipients") || "1", 10);
    if (!body || !counter) { return; }

    function update() {
      var c = count(body.value);
      counter.textContent = c.characters + " / " + MAX_CHARS + " characters · " + c.segments +
        " segment" + (c.segments === 1 ? "" : "s") + " (" + c.encoding + ")" +
        (recipients > 1 ? " · " + recipients + " messages" : "");
      var over = c.characters > MAX_CHARS;
      counter.classList.toggle("over", over);
      if (warning) {
        warning.hidden = c.nonGSM.length === 0;
        if (warningText) {
          warningText.textContent = "These characters switch the message to UCS-2 (70 characters per segment): " +
            c.nonGSM.map(describeChar).join(", ") + ".";
        }
        if (fix) { fix.hidden = replaceable(c.nonGSM).length === 0; }
      }
      var remaining = remainingEl ? parseInt(remainingEl.getAttribute("data-remaining"), 10) : NaN;
      var noAllowance = !isNaN(remaining) && remaining < Math.max(recipients, 1);
      if (send) {
        send.disabled = over || body.value.trim() === "" || noAllowance || form.hasAttribute("data-locked");
      }
    }

    if (fix) {
      fix.addEventListener("click", function () {
        body.value = Array.from(body.value).map(function (ch) {
          var r = septets(ch) === 0 ? lookalike(ch) : null;
          return r === null ? ch : r;
        }).join("");
        update();
        body.focus();
      });
    }
    body.addEventListener("input", update);
    form.addEventListener("hiretext:allowance", update);
    update();
  }

  function init() {
    document.querySelectorAll("form[data-composer]").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  window.hiretextComposer = { count: count, init: init };
})();
