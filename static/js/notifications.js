// Keeps the unread count in the navigation current without a page reload: asks the
// server every few seconds (the interval comes from the page), skips while the tab is
// hidden, and announces to screen readers only when new notifications arrive.
(function () {
  "use strict";
  var link = document.querySelector("[data-unread-url]");
  if (!link || !window.fetch) {
    return;
  }
  var badge = link.querySelector("[data-unread-badge]");
  var label = link.querySelector("[data-unread-label]");
  var announce = document.querySelector("[data-unread-announce]");
  var url = link.getAttribute("data-unread-url");
  var seconds = parseInt(link.getAttribute("data-poll-seconds"), 10) || 30;
  var current = parseInt(badge.textContent, 10) || 0;
  var timer = null;
  var busy = false;

  function show(data) {
    var count = data.unread;
    badge.textContent = String(count);
    badge.hidden = count === 0;
    label.textContent = data.label;
    if (count > current && announce) {
      announce.textContent = data.label;
    }
    current = count;
  }

  function poll() {
    timer = null;
    if (busy || document.visibilityState === "hidden") {
      return; // a hidden tab is resumed by the visibilitychange listener
    }
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) {
          throw new Error("signed out"); // the session ended: stop asking
        }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        busy = false;
        if (data) {
          show(data);
        }
        schedule();
      })
      .catch(function (error) {
        busy = false;
        if (error.message !== "signed out") {
          schedule(); // a network hiccup: try again later
        }
      });
  }

  function schedule() {
    if (timer === null) {
      timer = window.setTimeout(poll, seconds * 1000);
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && timer === null) {
      poll();
    }
  });
  schedule();
})();
