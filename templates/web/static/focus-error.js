// After a failed form, move the focus to the error summary, so keyboard
// and screen-reader users start from what went wrong; its link leads to
// the field marked invalid.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) { return; }
  var bad = document.querySelector('[aria-invalid="true"][id]');
  var link = summary.querySelector("a");
  if (bad && link) { link.setAttribute("href", "#" + bad.id); }
  summary.focus();
}());
