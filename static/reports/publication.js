/* The readiness page follows a publication running in a task (reports/tasks.py).
 *
 * It asks the server for the publication's state every two seconds and writes it in the status
 * line; once the publication is done or has failed, it loads the page again, which then shows
 * the new version, or the reason and a button to try again. Served as a file: the
 * Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  // The page a finished publication reloaded (?publiee=…) confirms it once: the address loses the
  // parameter at once, so that reading the page again shows the versions' table alone.
  var here = new URL(window.location.href);
  if (here.searchParams.has("publiee")) {
    here.searchParams.delete("publiee");
    window.history.replaceState(null, "", here.pathname + here.search + here.hash);
  }

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

  function finish(state) {
    // The page as the server now renders it: the new version (confirmed on this page, whichever
    // other page of the same person followed it too), or the failure and its retry button.
    var next = new URL(window.location.href);
    if (state && state.publication) {
      next.searchParams.set("publiee", String(state.publication));
    }
    next.hash = "publication";
    window.location.replace(next.toString());
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
          finish(state);
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
