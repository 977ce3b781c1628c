// MxOS Certificación — move focus to the error summary of a form sent back
// with problems, so a screen reader reads it first and Tab reaches its
// links. Without this script the summary is still first in the page.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary) { summary.focus(); }
})();
