// hiretext message composer: live character and segment count with the
// GSM-7 / UCS-2 rules of the domain package (segment.go), a warning naming
// the characters that force UCS-2 with a one-click replacement, the
// allowance check, the template picker, and the server's preview of texts
// with merge fields or a signature. The server validates everything again;
// this only helps.
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

  // The server fills merge fields in (POST /messages/preview); this script
  // never does. A text with a brace, or one a signature is added to, is
  // counted by the server: the longest text any selected candidate would
  // receive, the preview of one of them, and who lacks a value.
  var PREVIEW_DELAY = 250; // ms after the last keystroke

  // A "Send later" time is also the server's to say about: when each
  // candidate's text would go, moved out of quiet hours. A merge field
  // still being typed ("Hi {FirstNa") is not: the server would only answer
  // that its brace is open, a problem the next keystrokes mend.
  function needsServer(form, text) {
    return !!form.getAttribute("data-preview-url") && !typingField(text) &&
      (text.indexOf("{") >= 0 || text.indexOf("}") >= 0 || form.hasAttribute("data-signature") || sendLaterValue(form) !== "");
  }

  // typingField says whether text ends inside a merge field being typed:
  // its last "{" comes after its last "}" and is followed by a name, or a
  // fallback, still without its "}". A brace left open before other words
  // ("Hi {FirstName, how are you") is a mistake the server should show.
  function typingField(text) {
    var open = text.lastIndexOf("{");
    if (open <= text.lastIndexOf("}")) { return false; }
    var rest = text.slice(open + 1);
    return rest.indexOf("|") >= 0 || !/\s/.test(rest);
  }

  function sendLaterValue(form) {
    var at = form.querySelector("input[name=send_at]");
    return at ? at.value.trim() : "";
  }

  // laterMonth reports whether the Send-later time (company time,
  // "2027-01-05T09:00") lies in a month after the current one (data-period).
  function laterMonth(form) {
    var period = form.getAttribute("data-period") || "";
    var at = sendLaterValue(form);
    return period !== "" && at.length >= period.length && at.slice(0, period.length) > period;
  }

  function countLine(c, prefix, recipients) {
    return prefix + c.characters + " / " + MAX_CHARS + " characters · " + c.segments +
      " segment" + (c.segments === 1 ? "" : "s") + " (" + c.encoding + ")" +
      (recipients > 1 ? " · " + recipients + " messages" : "");
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
    var missing = form.querySelector("[data-composer-missing]");
    var missingList = form.querySelector("[data-composer-missing-list]");
    var preview = form.querySelector("[data-composer-preview]");
    var previewText = form.querySelector("[data-preview-text]");
    var previewCount = form.querySelector("[data-preview-count]");
    var previewAs = form.querySelector("[data-preview-as]");
    var previewButton = form.querySelector("[data-composer-preview-button]");
    var when = form.querySelector("[data-composer-when]");
    var sendAt = form.querySelector("input[name=send_at]");
    // The page's own sentence says when a text sent now goes (held by
    // quiet hours); the server's answer replaces it for a Send later time.
    var whenNow = when ? when.textContent : "";
    var recipients = parseInt(form.getAttribute("data-recipients") || "1", 10);
    if (!body || !counter) { return; }
    if (previewButton) { previewButton.hidden = true; } // the preview is live
    var server = null;  // the server's answer for the current text, or null
    var problem = null; // the server's refusal of the text, or null
    var asked = 0, timer = null;

    function showWarning(nonGSM) {
      if (!warning) { return; }
      warning.hidden = nonGSM.length === 0;
      if (warningText) {
        warningText.textContent = "These characters switch the message to UCS-2 (70 characters per segment): " +
          nonGSM.map(describeChar).join(", ") + ".";
      }
      if (fix) { fix.hidden = replaceable(nonGSM).length === 0; }
    }

    function showWhen(sentences) {
      if (!when) { return; }
      when.textContent = sentences.join(" ");
      when.hidden = sentences.length === 0;
    }

    function showMissing(lists) {
      if (!missing || !missingList) { return; }
      missingList.textContent = "";
      lists.forEach(function (l) {
        var li = document.createElement("li");
        li.textContent = l.sentence + " ";
        var who = document.createElement("span");
        who.className = "muted";
        who.textContent = "(" + l.names.join(", ") + ")";
        li.appendChild(who);
        missingList.appendChild(li);
      });
      missing.hidden = lists.length === 0;
    }

    // showPreview shows the text as the candidate receives it; a single
    // candidate's only when filling in changed it (the bulk composer always
    // offers "Preview as…").
    function showPreview(p) {
      if (!preview) { return; }
      preview.hidden = !p || (!previewAs && p.body === body.value);
      if (preview.hidden) { return; }
      previewText.textContent = p.body;
      if (previewCount) { previewCount.textContent = countLine(p, "", 1); }
    }

    function render() {
      var local = count(body.value);
      var c = local, blocked = problem;
      if (needsServer(form, body.value) && server) {
        c = server.longest || local;
        blocked = blocked || server.blocked;
        c.nonGSM = (server.longest ? server.longest.non_gsm : local.nonGSM);
      }
      counter.textContent = countLine(c, recipients > 1 && server && needsServer(form, body.value) ? "Longest text: " : "", recipients);
      var over = c.characters > MAX_CHARS;
      counter.classList.toggle("over", over);
      showWarning(c.nonGSM || []);
      var remaining = remainingEl ? parseInt(remainingEl.getAttribute("data-remaining"), 10) : NaN;
      // A month's allowance covers only that month: a Send-later time in a
      // later month is not held back by this one's.
      var noAllowance = !isNaN(remaining) && remaining < Math.max(recipients, 1) && !laterMonth(form);
      // While the server's answer is on its way, Send stays as it was: the
      // server checks the text again when it is sent.
      if (send) {
        send.disabled = over || body.value.trim() === "" || noAllowance || form.hasAttribute("data-locked") || !!blocked;
      }
    }

    function showProblem(text) {
      var el = form.querySelector("[data-composer-problem]");
      if (!el) {
        el = document.createElement("p");
        el.className = "field-error";
        el.setAttribute("role", "alert");
        el.setAttribute("data-composer-problem", "");
        body.parentNode.insertBefore(el, body);
      }
      el.textContent = text || "";
      el.hidden = !text;
    }

    // ask sends the form to the preview endpoint; only the newest answer counts.
    function ask() {
      // The text may have changed since the timer was set without an input
      // event (the dialog empties its box after a send): an empty box has
      // nothing to preview.
      if (!needsServer(form, body.value) || body.value.trim() === "") { return Promise.resolve(); }
      var mine = ++asked;
      var data = new URLSearchParams(new FormData(form));
      return fetch(form.getAttribute("data-preview-url"), {
        method: "POST", credentials: "same-origin",
        headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: data.toString()
      }).then(function (r) {
        if ((r.headers.get("Content-Type") || "").indexOf("application/json") !== 0) { throw new Error("HTTP " + r.status); }
        return r.json();
      }).then(function (answer) {
        if (mine !== asked) { return; }
        problem = answer.error || null;
        server = answer.error ? null : answer;
        showProblem(answer.error || "");
        showMissing(answer.missing || []);
        showWhen(answer.error ? [] : answer.when || []);
        showPreview(answer.error ? null : answer.preview);
        render();
      }, function () {
        if (mine !== asked) { return; }
        problem = "The preview could not be loaded: check your connection.";
        showProblem(problem);
        render();
      });
    }

    function update() {
      window.clearTimeout(timer);
      var templateID = form.querySelector("[data-template-id]");
      if (templateID && body.value.trim() === "") { templateID.value = ""; } // a cleared text comes from no template
      server = null;
      problem = null;
      showProblem("");
      if (needsServer(form, body.value) && body.value.trim() !== "") {
        timer = window.setTimeout(ask, PREVIEW_DELAY);
      } else {
        asked++; // an answer still on its way is for another text
        showMissing([]);
        showWhen(whenNow && sendLaterValue(form) === "" ? [whenNow] : []);
        showPreview(null);
      }
      render();
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
    if (previewAs) { previewAs.addEventListener("change", function () { if (needsServer(form, body.value)) { update(); } }); }
    body.addEventListener("input", update);
    if (sendAt) { sendAt.addEventListener("input", update); sendAt.addEventListener("change", update); }
    // A preview still waiting for its delay is for a text being sent now.
    form.addEventListener("submit", function () { window.clearTimeout(timer); });
    form.addEventListener("hiretext:allowance", render);
    form.addEventListener("hiretext:template", update);
    update();
  }

  // matchTemplates returns the positions of the templates ({name, body})
  // whose name or text holds every word of query, ignoring case: those
  // whose name does first. It is hiretext.MatchTemplates, tested against it
  // under Node (web/composer_test.go).
  function matchTemplates(templates, query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    var has = function (hay) { return words.every(function (w) { return hay.indexOf(w) >= 0; }); };
    var byName = [], byText = [];
    templates.forEach(function (t, i) {
      var name = t.name.toLowerCase();
      if (has(name)) { byName.push(i); } else if (has(name + "\n" + t.body.toLowerCase())) { byText.push(i); }
    });
    return byName.concat(byText);
  }

  // setupPicker makes a template picker work in place: the search filters
  // the list as one types, and "Use template" fills the composer (which
  // stays editable) and notes the template the text came from.
  function setupPicker(picker) {
    if (picker.hasAttribute("data-picker-ready")) { return; }
    picker.setAttribute("data-picker-ready", "");
    var search = picker.querySelector("[data-template-search]");
    var select = picker.querySelector("[data-template-select]");
    var use = picker.querySelector("[data-template-use]");
    var searchButton = picker.querySelector("[data-template-search-button]");
    var holder = picker.closest("form");
    var form = holder && holder.matches("form[data-composer]") ? holder : holder && holder.nextElementSibling;
    if (!select || !use || !form || !form.matches("form[data-composer]")) { return; }
    if (searchButton) { searchButton.hidden = true; }
    use.type = "button"; // it fills the composer in place instead of sending the form

    // filter shows the templates matchTemplates finds and chooses the first.
    function filter() {
      var options = Array.prototype.slice.call(select.querySelectorAll("option[data-body]"));
      var query = search ? search.value : "";
      var found = matchTemplates(options.map(function (o) {
        return { name: o.textContent, body: o.getAttribute("data-body") || "" };
      }), query);
      options.forEach(function (o, i) { o.hidden = found.indexOf(i) < 0; });
      if (found.length > 0 && query.trim() !== "") { options[found[0]].selected = true; }
      use.disabled = found.length === 0;
    }

    if (search) {
      search.addEventListener("input", filter);
      search.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); }
      });
    }
    use.addEventListener("click", function (event) {
      event.preventDefault();
      var option = select.selectedOptions[0];
      if (!option || option.hidden || !option.value) { return; }
      var body = form.querySelector("[data-composer-body]");
      var id = form.querySelector("[data-template-id]");
      if (!body || body.disabled) { return; }
      body.value = option.getAttribute("data-body") || "";
      if (id) { id.value = option.value; }
      form.dispatchEvent(new Event("hiretext:template"));
      body.focus();
    });
    filter();
  }

  function init() {
    document.querySelectorAll("form[data-composer]").forEach(setup);
    document.querySelectorAll("[data-template-picker]").forEach(setupPicker);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  window.hiretextComposer = { count: count, matchTemplates: matchTemplates, init: init };
})();
