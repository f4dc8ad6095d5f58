// Gives the archived email's frame the height of the email, so the page
// scrolls as one (no nested scroll area), and follows a #item-N anchor of
// the page into the email. The email is same-origin and runs no script;
// without this file the frame keeps its CSS height and scrolls.
(function () {
  "use strict";
  var frame = document.querySelector("iframe.email");
  if (!frame) { return; }
  function doc() {
    try { return frame.contentDocument; } catch (e) { return null; }
  }
  function fit() {
    var d = doc();
    if (!d || !d.documentElement) { return; }
    var h = Math.max(d.documentElement.scrollHeight, d.body ? d.body.scrollHeight : 0);
    if (h > 0) {
      frame.style.height = (h + 2) + "px";
      frame.setAttribute("scrolling", "no");
      frame.classList.add("fitted");
    }
  }
  function follow() {
    var m = /^#(item-[0-9]+)$/.exec(window.location.hash);
    var d = doc();
    if (!m || !d) { return; }
    var el = d.getElementById(m[1]) || d.getElementsByName(m[1])[0];
    if (!el) { return; }
    var top = frame.getBoundingClientRect().top + el.getBoundingClientRect().top + window.pageYOffset;
    window.scrollTo(0, Math.max(0, top - 8));
  }
  function ready() {
    fit();
    follow();
    var d = doc();
    if (d && d.defaultView && "ResizeObserver" in window) {
      new ResizeObserver(fit).observe(d.documentElement);
    }
    // Images load after the document: fit again as each arrives.
    if (d) {
      Array.prototype.forEach.call(d.images, function (img) {
        if (!img.complete) { img.addEventListener("load", fit); }
      });
    }
  }
  frame.addEventListener("load", ready);
  if (doc() && doc().readyState === "complete" && doc().URL !== "about:blank") { ready(); }
  window.addEventListener("resize", fit);
  window.addEventListener("hashchange", follow);
}());
