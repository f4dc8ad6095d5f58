// Live status and sending progress for the admin issue page. It polls the
// issue JSON (same origin, session cookie) once a second while the issue
// can still change (draft, scheduled, sending) and updates the page in
// place: the status, the delivery figures, and the controls that only an
// unsent issue has. Screen readers hear the changes through one polite
// live region (#progress-live), throttled: each change of status, and
// while sending the progress at each quarter or at most every data-every
// seconds, not at every poll. Served as a file so the page's CSP can
// forbid inline scripts.
(function () {
  "use strict";
  var status = document.getElementById("issue-status");
  if (!status) return;
  var url = status.getAttribute("data-url");
  var section = document.getElementById("delivery");
  var box = document.getElementById("progress");
  var bar = box ? box.querySelector("progress") : null;
  var seen = null; // first observation, when the API gives no start time
  var live = document.getElementById("progress-live");
  // said is what the live region last announced (or the page showed).
  var said = { status: status.getAttribute("data-status"), pct: Number(box && box.getAttribute("data-percent")) || 0,
    at: Date.now(), paused: false };

  function counted(c) {
    return c.sent + " of " + c.total + " sent" + (c.failed ? ", " + c.failed + " failed" : "");
  }

  function statusText(st, pct, c) {
    switch (st) {
      case "draft": return "The issue is a draft.";
      case "scheduled": return "The issue is scheduled.";
      case "sending": return "Sending started: " + pct + " % done, " + counted(c) + ".";
      case "sent": return "Sending finished: " + counted(c) + ".";
      case "cancelled": return "The issue was cancelled.";
    }
    return "Status: " + st + ".";
  }

  // announce puts a change into the live region, when it is worth
  // hearing: a new status, a pause, a quarter of the send passed, or
  // progress after data-every seconds of quiet.
  function announce(issue, pct, c, paused) {
    if (!live) return;
    var now = Date.now(), text = "";
    var every = 1000 * (Number(live.getAttribute("data-every")) || 10);
    if (issue.status !== said.status) {
      text = statusText(issue.status, pct, c);
    } else if (paused && !said.paused) {
      text = "Sending paused at " + pct + " %: reload the page to resume it.";
    } else if (issue.status === "sending" && pct !== said.pct &&
        (Math.floor(pct / 25) > Math.floor(said.pct / 25) || now - said.at >= every)) {
      text = "Sending: " + pct + " % done, " + counted(c) + ".";
    }
    if (!text) return;
    live.textContent = text;
    said = { status: issue.status, pct: pct, at: now, paused: paused };
  }

  function set(name, text) {
    if (!box) return;
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

  // showStatus updates the status badge and hides the controls of an
  // unsent issue once it starts.
  function showStatus(st) {
    if (status.getAttribute("data-status") === st) return;
    status.setAttribute("data-status", st);
    status.textContent = st;
    status.className = "status status-" + st;
    // A flash such as "Issue 1 will go out at 12:39" told of the state the
    // page was loaded in; once the status moves on it would mislead.
    var flash = document.getElementById("flash");
    if (flash) flash.hidden = true;
    if (st !== "draft" && st !== "scheduled") {
      var open = document.querySelectorAll(".open-only");
      for (var i = 0; i < open.length; i++) open[i].hidden = true;
      var when = document.getElementById("issue-when");
      if (when) when.hidden = true;
    }
    if (section && (st === "sending" || st === "sent")) section.hidden = false;
    var archive = document.getElementById("archive-link-box");
    if (archive && st === "sent") archive.hidden = false;
  }

  // rateOf is messages per second: over the whole send once it is sent
  // (first to last delivery), else the engine's recent rate.
  function rateOf(issue, p, done, now) {
    if (issue.status === "sent" && issue.started_at && issue.sent_at) {
      var span = (Date.parse(issue.sent_at) - Date.parse(issue.started_at)) / 1000;
      return span > 0 ? done / span : NaN;
    }
    if (p && p.rate > 0) return p.rate;
    if (issue.started_at) {
      var secs = (now - Date.parse(issue.started_at)) / 1000;
      return secs > 0 ? done / secs : NaN;
    }
    if (seen === null) {
      seen = { t: now, done: done };
      return NaN;
    }
    return now > seen.t ? (done - seen.done) / ((now - seen.t) / 1000) : NaN;
  }

  function show(issue) {
    var p = issue.progress || null; // the delivery engine's view, once sending
    var c = p || issue.counts || { total: 0, pending: 0, sent: 0, failed: 0 };
    var done = c.sent + c.failed;
    var pct = c.total > 0 ? Math.floor((100 * done) / c.total) : 0;
    announce(issue, pct, c, !!(p && p.paused));
    showStatus(issue.status);
    if (box) {
      bar.max = Math.max(c.total, 1);
      bar.value = c.total > 0 ? done : 0;
      box.setAttribute("data-status", issue.status);
      box.setAttribute("data-percent", String(pct));
      set("percent", pct + " %");
      set("total", String(c.total));
      set("sent", String(c.sent));
      set("failed", String(c.failed));
      set("pending", String(c.pending));
      var rate = rateOf(issue, p, done, Date.now());
      set("rate", isFinite(rate) && rate > 0 ? rate.toFixed(1) + " /s" : "–");
      var eta = p && p.eta_seconds > 0 ? p.eta_seconds : rate > 0 ? c.pending / rate : NaN;
      set("eta", c.pending === 0 && issue.status === "sent" ? "done" : duration(eta));
      if (p && p.fanning_out) set("note", "Creating deliveries: the total grows until every subscriber has one.");
      if (p && p.paused) set("note", "Paused by the sender alarm: " + (p.alarm || "policy rejections") + ". Reload the page to resume it.");
    }
    return issue.status === "draft" || issue.status === "scheduled" || issue.status === "sending" ||
      (c.pending > 0 && issue.status !== "cancelled");
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
      })
      .catch(function (e) {
        set("note", "Progress unavailable (" + e.message + "); retrying.");
        setTimeout(tick, 2000);
      });
  }
  tick();
})();
