// MxOS Certificación — «Copiar» buttons: the certificate's link (a button
// in the page, hidden until this script runs) and every code block of a
// module (a button this script adds). Without the script the text is
// still there to select and copy by hand. The result is announced through
// the page's polite status region, #copiado, when it has one.
(function () {
  "use strict";
  var status = document.getElementById("copiado");

  // fallback copies through a selected, off-screen text area, for browsers
  // or plain-HTTP pages without navigator.clipboard.
  function fallback(text, btn) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "copy-buffer";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    btn.focus();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text, btn) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallback(text, btn); });
    }
    return fallback(text, btn);
  }

  function copied(btn, message) {
    var label = btn.textContent;
    btn.textContent = message;
    if (status) {
      status.textContent = "";
      setTimeout(function () { status.textContent = message; }, 100);
    }
    setTimeout(function () { btn.textContent = label; }, 2500);
  }

  document.querySelectorAll("button[data-copy]").forEach(function (btn) {
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var input = document.getElementById(btn.dataset.copy);
      copy(input.value, btn).then(function () { copied(btn, btn.dataset.copied); }, function () {});
    });
  });

  var module = document.querySelector("[data-copy-code]");
  if (!module) { return; }
  module.querySelectorAll(".code-block").forEach(function (block) {
    var pre = block.querySelector("pre");
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "secondary copy-code";
    btn.textContent = module.dataset.copyCode;
    btn.addEventListener("click", function () {
      copy(pre.textContent.replace(/\n$/, ""), btn).then(function () { copied(btn, module.dataset.copied); }, function () {});
    });
    block.insertBefore(btn, pre);
  });
})();
