// hiretext live updates and the conversation dialog. Pages work without this
// script; with it, the bell, the allowance banner, open conversations and
// Send buttons follow the server's events (GET /events, server-sent events)
// without a reload, and the SMS icon opens the conversation in a dialog that
// stays open while the person texts.
(function () {
  "use strict";

  var announcer = null;
  var refreshing = null;
  var pending = false;

  function announce(text) {
    if (!announcer) { announcer = document.getElementById("live-announcer"); }
    if (announcer) { announcer.textContent = ""; window.setTimeout(function () { announcer.textContent = text; }, 50); }
  }

  // fetchDoc loads a page of this site and parses it.
  function fetchDoc(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.text();
    }).then(function (html) { return new DOMParser().parseFromString(html, "text/html"); });
  }

  // served holds the HTML the server last sent for each live region. A
  // region is replaced only when that changes: what the person did to it
  // since (opened the bell's menu, moved the focus into it) is no change.
  var served = new WeakMap();

  // swapRegions replaces every live region of the page (elements with an id
  // and data-live) with the same region of doc, and carries over whether each
  // composer may send. Text being typed is never touched.
  function swapRegions(doc) {
    document.querySelectorAll("[data-live][id]").forEach(function (el) {
      var fresh = doc.getElementById(el.id);
      if (!fresh || fresh.innerHTML === (served.has(el) ? served.get(el) : el.innerHTML)) { return; }
      // A menu the person has open stays open.
      var open = Array.prototype.map.call(el.querySelectorAll("details"), function (d) { return d.open; });
      el.innerHTML = fresh.innerHTML;
      served.set(el, fresh.innerHTML);
      el.querySelectorAll("details").forEach(function (d, i) { d.open = d.open || !!open[i]; });
      decorateLinks(el);
    });
    document.querySelectorAll("form[data-composer]").forEach(function (form) {
      var fresh = doc.querySelector('form[data-composer][action="' + form.getAttribute("action") + '"]');
      if (!fresh) { return; }
      var locked = fresh.hasAttribute("data-locked");
      form.toggleAttribute("data-locked", locked);
      var body = form.querySelector("[data-composer-body]");
      if (body) { body.disabled = locked; }
      var rem = form.querySelector("[data-remaining]"), freshRem = fresh.querySelector("[data-remaining]");
      if (rem && freshRem) {
        rem.setAttribute("data-remaining", freshRem.getAttribute("data-remaining"));
        rem.innerHTML = freshRem.innerHTML; // our own page: the count and a fixed hint
      }
      // Why it cannot send (blocked), or not now (paused: the allowance,
      // while a later month may still be chosen), follows the fresh page.
      ["[data-composer-blocked]", "[data-composer-paused]"].forEach(function (sel) {
        var note = fresh.querySelector(sel), current = form.querySelector(sel);
        if (note && current) { current.textContent = note.textContent; }
        if (note && !current) { form.insertBefore(note.cloneNode(true), form.firstChild); }
        if (!note && current) { current.remove(); }
      });
      if (fresh.hasAttribute("data-period")) { form.setAttribute("data-period", fresh.getAttribute("data-period")); }
      form.dispatchEvent(new Event("hiretext:allowance"));
    });
    markInPlace();
    followSent();
  }

  // markInPlace marks the bell's dismiss forms as sent by this script
  // without leaving the page (see the submit handler below).
  function markInPlace() {
    if (!window.fetch) { return; }
    document.querySelectorAll("form[data-dismiss]").forEach(function (f) { f.setAttribute("data-sends-in-place", ""); });
  }

  // refresh re-reads the current page (and the open dialog) at most one at a
  // time; events arriving meanwhile cause one more refresh afterwards.
  function refresh() {
    if (refreshing) { pending = true; return; }
    var dialogURL = openDialogURL();
    refreshing = Promise.all([
      fetchDoc(window.location.href).then(swapRegions),
      dialogURL ? fetchDoc(dialogURL).then(swapRegions) : null
    ]).catch(function () {}).then(function () {
      refreshing = null;
      if (pending) { pending = false; refresh(); }
    });
  }

  function listen(url) {
    if (!window.EventSource) { return; }
    var source = new EventSource(url);
    source.addEventListener("message.inbound", function () { announce("New text message."); refresh(); });
    source.addEventListener("conversation.read", refresh);
    source.addEventListener("conversation.changed", refresh);
    source.addEventListener("message.status", refresh);
    source.addEventListener("allowance.alert", function (e) {
      var data = {};
      try { data = JSON.parse(e.data); } catch (err) { data = {}; }
      announce(data.kind === "allowance_max" ? "Your number's monthly allowance is used up; sending is paused." :
        "Your number has used 90% of its monthly allowance.");
      refresh();
    });
    // The operator changed the number's allowance: the banner, the remaining
    // count and the Send button follow.
    source.addEventListener("allowance.changed", refresh);
    // The carrier guard paused a number's bulk and scheduled texts, or an
    // administrator resumed them: the bell, lists and buttons follow.
    source.addEventListener("carrier.guard", function (e) {
      var data = {};
      try { data = JSON.parse(e.data); } catch (err) { data = {}; }
      if (data.paused) { announce("Bulk and scheduled texts of a number are paused: carriers are filtering its texts."); }
      refresh();
    });
    source.addEventListener("notification.read", refresh); // dismissed in another tab
    // A candidate's reply left unanswered was escalated to this user: the
    // bell lists it.
    source.addEventListener("conversation.escalated", function () {
      announce("A candidate is waiting for an answer: see the bell.");
      refresh();
    });
    source.addEventListener("resync", refresh);
  }

  // The conversation dialog: the SMS icon's link opens it in place.
  var dialog = null;
  // sent is the text the dialog sent last ({id, to}): the line under the
  // composer follows its status as the conversation is read again.
  var sent = null;

  // followSent says in the dialog's note where the text it sent is now,
  // as its bubble shows it: "Text to Ann Lee: Delivered."
  function followSent() {
    var bubble = sent && dialog && dialog.querySelector('[data-message-id="' + sent.id + '"]');
    var status = bubble && bubble.querySelector("[data-status]");
    if (status) { note("Text to " + sent.to + ": " + status.textContent + ".", !bubble.classList.contains("message-problem")); }
  }

  function openDialogURL() {
    return dialog && dialog.open ? dialog.getAttribute("data-url") : null;
  }

  function ensureDialog() {
    if (dialog) { return dialog; }
    dialog = document.createElement("dialog");
    dialog.className = "conversation-dialog";
    dialog.setAttribute("aria-label", "Conversation");
    dialog.innerHTML = '<div class="dialog-head"><h2 class="dialog-title">Conversation</h2>' +
      '<button type="button" class="button button-small" data-close>Close</button></div><div class="dialog-body"></div>' +
      '<p class="dialog-note" role="status" aria-live="polite" data-dialog-note></p>';
    dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });
    document.body.appendChild(dialog);
    return dialog;
  }

  function openConversation(link) {
    var d = ensureDialog();
    var url = link.getAttribute("href") + (link.getAttribute("href").indexOf("?") >= 0 ? "&" : "?") +
      "partial=1&return_to=" + encodeURIComponent(window.location.pathname + window.location.search);
    d.setAttribute("data-url", url);
    d.querySelector(".dialog-title").textContent = link.getAttribute("data-title") || "Conversation";
    sent = null;
    note("", true);
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.text();
    }).then(function (html) {
      d.querySelector(".dialog-body").innerHTML = html;
      // Its composer sends without leaving the page (see sendInDialog).
      d.querySelectorAll("form[data-composer]").forEach(function (f) { f.setAttribute("data-sends-in-place", ""); });
      if (window.hiretextComposer) { window.hiretextComposer.init(); }
      d.showModal();
      var list = d.querySelector("[data-message-list]");
      if (list) { list.scrollTop = list.scrollHeight; }
      var body = d.querySelector("[data-composer-body]");
      if (body && !body.disabled) { body.focus(); }
      refresh(); // the bell: opening the conversation read it
    });
  }

  // note shows the outcome of a send under the dialog's composer.
  function note(text, ok) {
    var el = dialog && dialog.querySelector("[data-dialog-note]");
    if (!el) { return; }
    el.textContent = text;
    el.className = "dialog-note " + (ok ? "dialog-note-ok" : "field-error");
  }

  // sendInDialog sends the dialog's text without leaving the dialog: the
  // server answers JSON, the conversation is read again so the new text
  // shows with its status, and the person can write the next one. A failure
  // keeps the draft and says so; it is never sent again by itself, since the
  // server may have queued it before the answer was lost.
  function sendInDialog(form) {
    var body = form.querySelector("[data-composer-body]");
    var send = form.querySelector("[data-composer-send]");
    if (send) { send.disabled = true; }
    function done() {
      var list = dialog.querySelector("[data-message-list]");
      if (list) { list.scrollTop = list.scrollHeight; }
      if (body) {
        body.dispatchEvent(new Event("input")); // the composer recounts and enables Send
        if (!body.disabled) { body.focus(); }
      }
    }
    return fetch(form.getAttribute("action"), {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form)).toString()
    }).then(function (r) {
      if ((r.headers.get("Content-Type") || "").indexOf("application/json") !== 0) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (outcome) {
      note(outcome.message, outcome.queued);
      sent = outcome.queued && outcome.message_id ? { id: outcome.message_id, to: outcome.to } : null;
      if (outcome.queued && body) { body.value = ""; }
      // The page too: the row's SMS icon now has a conversation to open.
      var url = openDialogURL();
      return Promise.all([fetchDoc(window.location.href).then(swapRegions), url ? fetchDoc(url).then(swapRegions) : null])
        .catch(function () {}).then(done);
    }, function () {
      note("The text could not be sent: check your connection, then look at the conversation before sending again.", false);
      done();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!dialog || !dialog.open || !dialog.contains(form) || !form.matches("form[data-composer]") || !window.fetch) { return; }
    event.preventDefault();
    sendInDialog(form);
  });

  // A notification dismissed from the bell goes without leaving the page
  // (the form alone posts and comes back here, losing what was typed).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-dismiss]") || !window.fetch) { return; }
    event.preventDefault();
    var item = form.closest("li");
    fetch(form.getAttribute("action"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form)).toString()
    }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      if (item) { item.remove(); }
      announce("Notification dismissed.");
      refresh();
    }).catch(function () { form.submit(); });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-conversation-link]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || !window.HTMLDialogElement) { return; }
    event.preventDefault();
    openConversation(link).catch(function () { window.location.href = link.getAttribute("href"); });
  });

  // linkInPage turns the SMS icon of a page that shows the conversation
  // already (the profile's SMS Message History) into a link to it that puts
  // the cursor in its composer: a second copy in the dialog would clash with
  // the page's ids, and its label would name the page's message box.
  function linkInPage(a) {
    var cell = a.closest("[data-candidate-id]");
    var panel = cell && document.querySelector('main .texting-panel[data-conversation-candidate="' +
      cell.getAttribute("data-candidate-id") + '"]');
    var section = panel && panel.closest("section[id]");
    if (!section) { return false; }
    a.setAttribute("href", "#" + section.id);
    a.removeAttribute("data-conversation-link");
    a.addEventListener("click", function (event) {
      var body = section.querySelector("[data-composer-body]");
      if (body && !body.disabled) {
        event.preventDefault(); // following the link would take the focus away again
        section.scrollIntoView();
        body.focus({ preventScroll: true });
      }
    });
    return true;
  }

  // decorateLinks prepares the SMS icons within root, on load and when a
  // live update brings them again.
  function decorateLinks(root) {
    root.querySelectorAll("a[data-conversation-link]").forEach(function (a) {
      // Tell assistive technology the SMS icon now opens a dialog, not a page.
      if (!linkInPage(a) && window.HTMLDialogElement) { a.setAttribute("aria-haspopup", "dialog"); }
    });
  }

  function init() {
    document.querySelectorAll("[data-live][id]").forEach(function (el) { served.set(el, el.innerHTML); });
    markInPlace();
    var url = document.body.getAttribute("data-events");
    if (url) { listen(url); }
    decorateLinks(document);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
