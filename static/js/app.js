// ClientReview's only script: small progressive enhancements, no inline handlers (CSP).
(function () {
  "use strict";
  // Pages that wait on a background job ask to be reloaded until it finishes.
  var refresh = document.querySelector("[data-refresh-seconds]");
  if (refresh) {
    var seconds = parseInt(refresh.getAttribute("data-refresh-seconds"), 10) || 3;
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
  // Buttons that need a second thought.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
})();
