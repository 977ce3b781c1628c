// MxOS Certificación — "copy link" buttons. Without this script the link is
// still there to select and copy by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (btn) {
    if (!navigator.clipboard) { return; }
    btn.hidden = false;
    var label = btn.textContent;
    btn.addEventListener("click", function () {
      var input = document.getElementById(btn.dataset.copy);
      navigator.clipboard.writeText(input.value).then(function () {
        btn.textContent = btn.dataset.copied;
        setTimeout(function () { btn.textContent = label; }, 2500);
      });
    });
  });
})();
