// MxOS Certificación — exam page enhancements. The page works without this
// script (every action is a plain form post); with it, answers save as they
// are given, the countdown runs, warnings are announced at 10 and 1 minutes,
// and the attempt is handed in when time runs out. The server enforces the
// deadline; this clock is only for the person.
(function () {
  "use strict";
  var form = document.getElementById("respuesta");
  var clock = document.getElementById("reloj");
  if (!form || !clock) { return; }

  var statusEl = document.getElementById("estado-guardado");
  var alertEl = document.getElementById("aviso-tiempo");
  var answeredEl = document.getElementById("respondidas");
  var seqInput = form.querySelector("input[name=seq]");
  var position = form.querySelector("input[name=pregunta]").value;
  var msg = form.dataset;

  // ---- Countdown -----------------------------------------------------------
  var deadline = Date.parse(clock.dataset.deadline);
  var skew = Date.parse(clock.dataset.now) - Date.now(); // server time minus ours
  var warned10 = false, warned1 = false, submitted = false;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function remaining() { return deadline - (Date.now() + skew); }
  function announce(text) {
    alertEl.textContent = text;
    alertEl.hidden = false;
  }
  function tick() {
    var ms = remaining();
    var s = Math.max(0, Math.ceil(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    clock.textContent = clock.dataset.label + " " + (h > 0 ? h + ":" + pad(m) : m) + ":" + pad(sec);
    if (!warned10 && ms <= 10 * 60 * 1000 && ms > 60 * 1000) { warned10 = true; announce(msg.warn10); }
    if (!warned1 && ms <= 60 * 1000 && ms > 0) { warned1 = true; announce(msg.warn1); clock.classList.add("urgent"); }
    if (ms <= 0 && !submitted) { submitted = true; announce(msg.timeup); handIn(); return; }
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  }
  // An attempt that already had little time left should not warn twice.
  if (remaining() <= 10 * 60 * 1000) { warned10 = true; }
  if (remaining() <= 60 * 1000) { warned1 = true; }
  tick();

  // At zero the server no longer accepts answers; what was saved is scored.
  // Handing in sends no answers, so nothing saved can be blanked.
  function handIn() {
    var done = function () { document.getElementById("entrega-automatica").submit(); };
    if (inFlight) { afterSave = done; } else { done(); }
  }

  // ---- Autosave ------------------------------------------------------------
  var inFlight = false, dirty = false, failed = false, retryDelay = 1000, afterSave = null;

  function setStatus(text, cls) {
    statusEl.textContent = text;
    statusEl.className = "save-status " + (cls || "");
  }
  function payload() {
    var data = new URLSearchParams();
    new FormData(form).forEach(function (v, k) { if (k !== "ir") { data.append(k, v); } });
    return data;
  }
  function markGrid(answered, flagged) {
    var link = document.querySelector('.qgrid a[aria-current="step"]');
    if (!link) { return; }
    link.classList.toggle("answered", answered);
    link.classList.toggle("flagged", flagged);
  }
  function applyServerState(answer, flagged) {
    form.querySelectorAll("input[name=opcion]").forEach(function (el) {
      el.checked = (answer || []).indexOf(parseInt(el.value, 10)) >= 0;
    });
    document.getElementById("revisar").checked = !!flagged;
  }
  function save() {
    if (inFlight) { dirty = true; return; }
    if (remaining() <= 0) { return; }
    inFlight = true; dirty = false;
    setStatus(msg.saving, "saving");
    fetch(form.action, {
      method: "POST",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: payload(),
      credentials: "same-origin"
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) { return { status: res.status, body: body }; });
    }).then(function (r) {
      inFlight = false;
      if (r.status === 200 && r.body.saved) {
        failed = false; retryDelay = 1000;
        seqInput.value = r.body.seq;
        setStatus(msg.saved, "saved");
        if (answeredEl) { answeredEl.textContent = answeredEl.dataset.template.replace("{n}", r.body.answered); }
        markGrid(form.querySelector("input[name=opcion]:checked") !== null, r.body.flagged);
      } else if (r.status === 409 && r.body.closed) {
        window.location.href = r.body.result;
        return;
      } else if (r.status === 409 && r.body.wrong_question) {
        // This page is not the question the server has at this place:
        // show the real one rather than save anything.
        window.location.replace(r.body.page);
        return;
      } else if (r.status === 409 && r.body.stale) {
        seqInput.value = r.body.seq;
        applyServerState(r.body.answer, r.body.flagged);
        setStatus(msg.stale, "failed");
      } else if (r.status >= 500 || r.status === 429) {
        throw new Error("server " + r.status);
      } else {
        failed = true;
        setStatus(msg.retry, "failed");
      }
      next();
    }).catch(function () {
      inFlight = false; failed = true; dirty = true;
      setStatus(msg.retry, "failed");
      setTimeout(function () { if (dirty) { save(); } }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
    });
  }
  function next() {
    if (dirty) { save(); return; }
    if (afterSave) { var f = afterSave; afterSave = null; f(); }
  }

  // A page shown again from the browser's history must show what the
  // server has, never what the form held when the candidate left it: the
  // browser may keep the old page whole (back/forward cache) or put back
  // remembered choices. A kept page is loaded again; otherwise the inputs
  // go back to the state the server wrote into the page, unless the
  // candidate has already chosen something on it.
  var touched = false;
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) { window.location.reload(); return; }
    if (touched) { return; }
    form.querySelectorAll("input[name=opcion], #revisar").forEach(function (el) {
      el.checked = el.defaultChecked;
    });
    form.querySelectorAll("input[type=hidden]").forEach(function (el) {
      el.value = el.defaultValue;
    });
  });

  form.addEventListener("change", function (e) {
    touched = true;
    if (e.target.name === "opcion" || e.target.name === "revisar") { save(); }
  });

  // Navigating while a save is on its way waits for it, so the form carries
  // the newest sequence and is not mistaken for an old tab.
  form.addEventListener("submit", function (e) {
    if (inFlight || dirty) {
      e.preventDefault();
      var submitter = e.submitter;
      afterSave = function () { form.requestSubmit(submitter); };
      if (!inFlight) { save(); }
    }
  });

  window.addEventListener("beforeunload", function (e) {
    if (inFlight || dirty || failed) { e.preventDefault(); e.returnValue = ""; }
  });
})();
