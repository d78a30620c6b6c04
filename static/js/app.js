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

// Incident forms: suggest "outside agreed contact hours" from the time entered, unless the
// person set the box themselves, and offer only the chosen client's contacts.
(function () {
  "use strict";
  document.querySelectorAll("[data-incident-form]").forEach(function (form) {
    var when = form.querySelector("input[name='occurred_at']");
    var box = form.querySelector("input[name='outside_hours']");
    var shown = form.querySelector("input[name='outside_hours_shown']");
    if (when && box && shown) {
      var touched = false;
      box.addEventListener("change", function () { touched = true; });
      var suggest = function () {
        var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})/.exec(when.value);
        if (touched || !m) { return; }
        // JavaScript counts Sunday as 0; the business's days count Monday as 0.
        var day = (new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).getUTCDay() + 6) % 7;
        var start = box.getAttribute("data-contact-start");
        var end = box.getAttribute("data-contact-end");
        var days = box.getAttribute("data-contact-days") || "";
        var inside = days.indexOf(String(day)) !== -1 && start <= m[4] && m[4] < end;
        box.checked = !inside;
        shown.value = inside ? "False" : "True";
      };
      when.addEventListener("change", suggest);
      when.addEventListener("input", suggest);
    }
    var client = form.querySelector("select[name='client']");
    var contact = form.querySelector("select[name='contact']");
    if (client && contact) {
      var options = Array.prototype.slice.call(contact.options);
      var filter = function () {
        var chosen = contact.value;
        while (contact.options.length) { contact.remove(0); }
        options.forEach(function (option) {
          var owner = option.getAttribute("data-client");
          if (!owner || !client.value || owner === client.value) { contact.add(option); }
        });
        contact.value = Array.prototype.some.call(contact.options, function (o) {
          return o.value === chosen;
        }) ? chosen : "";
      };
      client.addEventListener("change", filter);
      filter();
    }
    // The deliveries and invoices on offer: only the chosen client's; none, no question.
    var about = form.querySelector("[data-about]");
    if (client && about) {
      var showWork = function () {
        var shown = 0;
        Array.prototype.forEach.call(about.querySelectorAll("input[data-client]"), function (input) {
          var mine = input.getAttribute("data-client") === client.value;
          input.parentNode.hidden = !mine;
          if (!mine && input.checked) { input.checked = false; }
          if (mine) { shown += 1; }
        });
        about.hidden = shown === 0;
        if (!about.querySelector("input:checked")) {
          var none = about.querySelector("input[value='']");
          if (none) { none.checked = true; }
        }
      };
      client.addEventListener("change", showWork);
      showWork();
    }
  });
})();

// One-time form tokens. A form remembers (for this tab) the token it was submitted with;
// when the person comes Back to it, the page is fetched again with a new token, so the
// remembered one is put back: saving again then shows the record the first save made
// instead of creating a second one. A form opened afresh keeps its new token.
(function () {
  "use strict";
  var nav = window.performance && performance.getEntriesByType
    ? performance.getEntriesByType("navigation")[0] : null;
  var cameBack = nav && nav.type === "back_forward";
  var key = "form-token:" + window.location.pathname + window.location.search;
  document.querySelectorAll("[data-form-token]").forEach(function (input) {
    var stored = null;
    try { stored = window.sessionStorage.getItem(key); } catch (e) { stored = null; }
    if (cameBack && stored) { input.value = stored; }
    if (input.form) {
      input.form.addEventListener("submit", function () {
        try { window.sessionStorage.setItem(key, input.value); } catch (e) { /* private mode */ }
      });
    }
  });
})();
