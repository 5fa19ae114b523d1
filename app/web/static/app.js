// Claimtrace web view: live job progress (server-sent events) and swapping in a finished job's card.
// No inline script anywhere: the CSP allows only files served by the app.
(function () {
  "use strict";
  var MAX_STREAMS = 4; // browsers allow few connections per host; further jobs are polled
  var POLL_MS = 3000;
  var ACTIVE = { queued: true, running: true };

  function percent(value) { return Math.round(value * 100) + "%"; }

  function show(bar, job) {
    var meter = bar.querySelector("progress");
    if (meter) { meter.value = job.progress; meter.textContent = percent(job.progress); }
    var pct = bar.querySelector(".pct"), phase = bar.querySelector(".phase"), st = bar.querySelector(".st");
    if (pct) pct.textContent = percent(job.progress);
    if (phase) phase.textContent = job.phase || job.status;
    if (st) st.textContent = job.status;
    bar.setAttribute("data-status", job.status);
  }

  function swapCard(id) {
    var card = document.querySelector('[data-job-card="' + id + '"]');
    if (!card) return;
    fetch("/jobs/" + id + "/card", { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector('[data-job-card="' + id + '"]');
        if (fresh) { card.replaceWith(document.importNode(fresh, true)); }
      })
      .catch(function () { /* the page still shows the final progress */ });
  }

  function finished(bar, id) {
    bar.setAttribute("data-done", "true");
    swapCard(id);
  }

  function stream(bar, id) {
    var source = new EventSource("/api/jobs/" + id + "/events");
    source.addEventListener("progress", function (event) { show(bar, JSON.parse(event.data)); });
    source.addEventListener("end", function () { source.close(); finished(bar, id); });
    source.onerror = function () { // the server went away or refused: fall back to polling
      source.close();
      poll(bar, id);
    };
  }

  function poll(bar, id) {
    fetch("/api/jobs/" + id, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) return;
        show(bar, job);
        if (ACTIVE[job.status]) { setTimeout(function () { poll(bar, id); }, POLL_MS); } else { finished(bar, id); }
      })
      .catch(function () { setTimeout(function () { poll(bar, id); }, POLL_MS * 2); });
  }

  function start() {
    var bars = document.querySelectorAll(".progress[data-job]");
    var streams = 0;
    Array.prototype.forEach.call(bars, function (bar) {
      if (!ACTIVE[bar.getAttribute("data-status")]) return;
      var id = bar.getAttribute("data-job");
      if (!/^[0-9]+$/.test(id)) return;
      if (streams < MAX_STREAMS && window.EventSource) { streams += 1; stream(bar, id); } else { poll(bar, id); }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
