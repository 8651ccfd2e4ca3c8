// The editors' preview page: reload when a source or template changes.
// The server's /version is a fingerprint of their modification times; the page was
// drawn at the one in data-version. Nothing else runs here.
(function () {
  "use strict";
  var body = document.body;
  var drawn = body.getAttribute("data-version");
  if (!drawn) {
    return;
  }
  var every = parseInt(body.getAttribute("data-poll-ms"), 10) || 1000;
  var live = document.getElementById("live");
  var stopped = false;

  function check() {
    fetch("/version", { cache: "no-store" })
      .then(function (answer) {
        if (!answer.ok) {
          throw new Error("status " + answer.status);
        }
        return answer.text();
      })
      .then(function (current) {
        if (current !== drawn) {
          window.location.reload();
          return;
        }
        if (stopped && live) {
          live.textContent = "The preview server is back.";
          stopped = false;
        }
        window.setTimeout(check, every);
      })
      .catch(function () {
        if (!stopped && live) {
          live.textContent = "The preview server is not answering; this page is not updated.";
          stopped = true;
        }
        window.setTimeout(check, every * 3);
      });
  }

  window.setTimeout(check, every);
})();
