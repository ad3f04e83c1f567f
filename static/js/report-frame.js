// The published report page: the archived file sits in a frame of the site's page. Size the
// frame to its content, so that the page scrolls as one document (without this script the
// frame keeps its stylesheet height and scrolls inside). Same origin: the file is ours.
(function () {
  "use strict";
  var frame = document.querySelector("iframe.report-frame");
  if (!frame) {
    return;
  }
  function fit() {
    var doc = frame.contentDocument;
    if (!doc || !doc.documentElement) {
      return;
    }
    frame.style.height = doc.documentElement.scrollHeight + "px";
  }
  function watch() {
    fit();
    if (window.ResizeObserver && frame.contentDocument && frame.contentDocument.body) {
      new ResizeObserver(fit).observe(frame.contentDocument.body);
    }
    // The file's images and fonts are inside it; once decoded, the height is final.
    frame.contentWindow.addEventListener("load", fit);
  }
  frame.addEventListener("load", watch);
  if (frame.contentDocument && frame.contentDocument.readyState === "complete" && frame.contentDocument.body) {
    watch();
  }
  window.addEventListener("resize", fit);
})();
