/* Staff import progress: polls the job's status and moves the <progress> bar; when the job
   has finished, reloads the page, which then shows the result. No library; without
   JavaScript the page refreshes itself (a <noscript> meta refresh). */
(function () {
  "use strict";
  var section = document.getElementById("import-progress");
  if (!section || section.dataset.finished === "true") {
    return;
  }
  var bar = document.getElementById("import-bar");
  var count = section.querySelector("[data-import-count]");
  var state = section.querySelector("[data-import-state]");
  var url = section.dataset.statusUrl;
  var delay = 1000;
  var failures = 0;

  function text(status) {
    if (status.finished) {
      return count.dataset.textFinished;
    }
    if (status.state === "queued") {
      return count.dataset.textQueued;
    }
    if (!status.total) {
      return count.dataset.textReading;
    }
    if (status.processed >= status.total) {
      return count.dataset.textSaving;
    }
    return count.dataset.templateRows
      .replace("{processed}", status.processed.toLocaleString())
      .replace("{total}", status.total.toLocaleString())
      .replace("{percent}", String(status.percent));
  }

  function show(status) {
    if (!status.total && !status.finished) {
      bar.removeAttribute("value"); // indeterminate while the file is read
    } else if (status.total) {
      bar.max = status.total;
      bar.value = status.processed;
      bar.textContent = status.percent + "%";
    }
    if (status.state === "queued") {
      bar.setAttribute("aria-busy", "true");
    } else {
      bar.removeAttribute("aria-busy");
    }
    state.textContent = status.state_label;
    count.textContent = text(status);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (status) {
        failures = 0;
        show(status);
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // A restart of the server or a lost connection: try again, less often.
        failures += 1;
        window.setTimeout(poll, Math.min(delay * Math.pow(2, failures), 30000));
      });
  }

  window.setTimeout(poll, delay);
})();
