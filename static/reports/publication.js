/* The readiness page follows a publication running in a task (reports/tasks.py).
 *
 * It asks the server for the publication's state every two seconds and writes it in the status
 * line; once the publication is done or has failed, it loads the page again, which then shows
 * the new version, or the reason and a button to try again. Served as a file: the
 * Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  var panel = document.querySelector("[data-publication-url]");
  if (!panel) {
    return;
  }
  var url = panel.getAttribute("data-publication-url");
  var status = panel.querySelector("[data-publication-status]");
  var interval = 2000;
  // Two hours of polling at most: far longer than any publication, and the page says to refresh.
  var remaining = 3600;

  function show(text) {
    if (status && text && status.textContent !== text) {
      status.textContent = text;
    }
  }

  function finish() {
    // The page as the server now renders it: the new version, or the failure and its retry button.
    window.location.reload();
  }

  function poll() {
    remaining -= 1;
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (state) {
        if (state.active) {
          show(state.message);
          schedule();
        } else {
          finish();
        }
      })
      .catch(function () {
        show(panel.getAttribute("data-publication-offline"));
        schedule();
      });
  }

  function schedule() {
    if (remaining > 0) {
      window.setTimeout(poll, interval);
    }
  }

  schedule();
})();
