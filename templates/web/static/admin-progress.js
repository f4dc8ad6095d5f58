// Live sending progress for the admin issue page. It polls the issue JSON
// (same origin, session cookie) once a second and stops when nothing is
// pending. Served as a file so the page's CSP can forbid inline scripts.
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box) return;
  var url = box.getAttribute("data-url");
  var bar = box.querySelector("progress");
  var seen = null; // first observation, when the API gives no start time

  function set(name, text) {
    var el = box.querySelector('[data-f="' + name + '"]');
    if (el) el.textContent = text;
  }

  function duration(s) {
    if (!isFinite(s) || s < 0) return "–";
    s = Math.round(s);
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
    return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
  }

  function show(issue) {
    var p = issue.progress || null; // the delivery engine's view, once sending
    var c = p || issue.counts || { total: 0, pending: 0, sent: 0, failed: 0 };
    var done = c.sent + c.failed;
    var pct = c.total > 0 ? Math.floor((100 * done) / c.total) : 0;
    bar.max = Math.max(c.total, 1);
    bar.value = c.total > 0 ? done : 0;
    box.setAttribute("data-status", issue.status);
    box.setAttribute("data-percent", String(pct));
    set("status", issue.status);
    set("percent", pct + " %");
    set("total", String(c.total));
    set("sent", String(c.sent));
    set("failed", String(c.failed));
    set("pending", String(c.pending));

    var now = Date.now(), rate = NaN;
    if (p && p.rate > 0) {
      rate = p.rate;
    } else if (issue.started_at) {
      var secs = (now - Date.parse(issue.started_at)) / 1000;
      if (secs > 0) rate = done / secs;
    } else if (seen === null) {
      seen = { t: now, done: done };
    } else if (now > seen.t) {
      rate = (done - seen.done) / ((now - seen.t) / 1000);
    }
    set("rate", isFinite(rate) ? rate.toFixed(1) + " /s" : "–");
    var eta = p && p.eta_seconds > 0 ? p.eta_seconds : rate > 0 ? c.pending / rate : NaN;
    set("eta", c.pending === 0 ? "done" : duration(eta));
    if (p && p.paused) set("note", "Paused by the sender alarm: " + (p.alarm || "policy rejections") + ". Press Send now to resume.");
    return issue.status === "sending" || (c.pending > 0 && issue.status !== "cancelled");
  }

  function tick() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (issue) {
        set("note", "");
        if (show(issue)) setTimeout(tick, 1000);
        else if (issue.status !== box.getAttribute("data-initial")) location.reload(); // show the final state and any failures
      })
      .catch(function (e) {
        set("note", "Progress unavailable (" + e.message + "); retrying.");
        setTimeout(tick, 2000);
      });
  }
  tick();
})();
