// The export page's progress: asks the job's status every second and updates the bar; the
// live region (role=status) is rewritten only when the stage changes, so a screen reader
// hears each stage once, not every percent. Without script the page has a refresh link.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box || !window.fetch) { return; }
  var stage = document.getElementById("export-job-stage");
  var bar = document.getElementById("export-job-progress");
  var percent = document.getElementById("export-job-percent");
  var refresh = document.getElementById("export-job-refresh");
  var state = box.getAttribute("data-state");
  if (state === "done" || state === "failed") { return; }
  if (refresh) { refresh.hidden = true; }

  function finish(name) {
    if (bar) { bar.parentNode.hidden = true; }
    document.getElementById(name === "done" ? "export-job-download" : "export-job-failed").hidden = false;
  }

  function ask() {
    fetch(box.getAttribute("data-status-url"), {credentials: "same-origin", cache: "no-store"})
      .then(function (answer) { if (!answer.ok) { throw new Error(answer.status); } return answer.json(); })
      .then(function (job) {
        if (stage.textContent !== job.label) { stage.textContent = job.label; }
        if (bar) { bar.value = job.percent; bar.textContent = job.percent + "%"; }
        if (percent) { percent.textContent = job.percent + "%"; }
        box.setAttribute("data-state", job.state);
        if (job.state === "done" || job.state === "failed") { finish(job.state); return; }
        window.setTimeout(ask, 1000);
      })
      .catch(function () {
        // The site away for a moment: show the plain link, and try again a little later.
        if (refresh) { refresh.hidden = false; }
        window.setTimeout(ask, 5000);
      });
  }
  window.setTimeout(ask, 500);
}());
