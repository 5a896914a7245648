/* PAHT pages: CSRF for HTMX, live countdowns, the body picker filter, and the reporter's secret kept in the browser.
   No inline scripts anywhere (the Content-Security-Policy forbids them): everything hangs on data attributes. */
(function () {
  "use strict";
  var body = document.body;

  // Every HTMX request carries the page's CSRF token.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = body.dataset.csrf;
  });

  // Countdowns: <span class="countdown" data-due="ISO">; labels come from <body data-left/overdue/unit-*>.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function span(seconds) {
    var s = Math.floor(Math.abs(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d > 0) return d + " " + body.dataset.unitD + " " + h + " " + body.dataset.unitH;
    if (h > 0) return h + " " + body.dataset.unitH + " " + pad(m) + " " + body.dataset.unitM;
    return m + ":" + pad(s % 60);
  }
  // Count against the server's clock, not the device's (an operator's PC may be minutes off).
  var skew = body.dataset.serverNow ? Date.parse(body.dataset.serverNow) - Date.now() : 0;
  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var left = (Date.parse(el.dataset.due) - now) / 1000;
      el.textContent = left < 0 ? body.dataset.overdue + " " + span(left) : span(left) + " " + body.dataset.left;
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 600);
      var row = el.closest("tr");
      if (row) row.classList.toggle("is-overdue", left < 0);
    });
  }
  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSettle", tick);

  // Body picker: typing filters the options, ignoring diacritics (đ too).
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function wirePickers(root) {
    root.querySelectorAll("[data-picker-search]").forEach(function (input) {
      if (input.dataset.wired) return;
      input.dataset.wired = "1";
      var select = document.getElementById(input.dataset.pickerSearch);
      input.addEventListener("input", function () {
        var wanted = fold(input.value.trim());
        var first = null;
        select.querySelectorAll("option").forEach(function (option) {
          var show = !wanted || option.value === "" || fold(option.textContent).indexOf(wanted) >= 0;
          option.hidden = !show;
          if (show && option.value && !first) first = option;
        });
        if (first && wanted) select.value = first.value;
      });
    });
  }
  wirePickers(document);
  document.addEventListener("htmx:afterSettle", function (event) { wirePickers(event.target); });

  // The reporter's secret: saved when a report is sent, offered on the result page to rate it.
  var saved = document.querySelector("[data-save-reporter-token]");
  if (saved) {
    try { localStorage.setItem("paht:" + saved.dataset.code, saved.dataset.saveReporterToken); } catch (e) { /* private mode */ }
  }
  var tokenInput = document.querySelector("[data-reporter-token-for]");
  if (tokenInput && !tokenInput.value) {
    try {
      var token = localStorage.getItem("paht:" + tokenInput.dataset.reporterTokenFor);
      if (token) {
        tokenInput.value = token;
        document.querySelectorAll("[data-when-token]").forEach(function (el) { el.classList.add("hidden"); });
      }
    } catch (e) { /* private mode */ }
  }

  // "Use my location" on forms with a place picker is wired in maps.js; this only confirms before leaving a
  // half-filled form by accident.
  document.querySelectorAll("form[data-confirm-leave]").forEach(function (form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) { if (dirty) { event.preventDefault(); } });
  });
})();
