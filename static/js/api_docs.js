// What Swagger UI leaves out for keyboard and screen-reader users, added as it renders
// (it re-renders often, so each fix is applied to whatever new element needs it):
// landmarks, heading levels under the page's title, names for its unlabelled controls.
(function () {
  "use strict";

  function each(selector, fix) {
    document.querySelectorAll(selector).forEach(fix);
  }

  function name(el, text) {
    if (!el.hasAttribute("aria-label") && text) {
      el.setAttribute("aria-label", text);
    }
  }

  function level(el, value) {
    if (!el.hasAttribute("aria-level")) {
      el.setAttribute("role", "heading");
      el.setAttribute("aria-level", value);
    }
  }

  function operationOf(el) {
    var block = el.closest(".opblock");
    var summary = block && block.querySelector(".opblock-summary-control");
    return summary ? summary.getAttribute("aria-label") || summary.textContent.trim() : "";
  }

  function mend() {
    each(".information-container:not([role])", function (el) {
      el.setAttribute("role", "banner");
    });
    // Under the title (h1): the groups and the schemas (2), then the parts of an
    // operation (3) and what those hold (4); a dialog's title starts again at 2.
    each("h3.opblock-tag, .models > h4, .modal-ux-header > h3", function (el) {
      level(el, "2");
    });
    each("h4", function (el) {
      level(el, "3");
    });
    each("h5", function (el) {
      level(el, "4");
    });
    each("tr[data-param-name] select, tr[data-param-name] input", function (el) {
      var row = el.closest("tr[data-param-name]");
      name(el, row.getAttribute("data-param-name") + " (" + row.getAttribute("data-param-in") + ")");
    });
    // Regions (responses tables, their media-type controls) named by what they are
    // about, so that each landmark is told from the others.
    each(".opblock [role=region], .opblock section", function (el) {
      var response = el.closest("[data-code]");
      var what = el.classList.contains("response-controls") ? "Media type" : "Responses";
      name(el, [what, response && response.getAttribute("data-code"), operationOf(el)]
        .filter(Boolean).join(" "));
    });
    each(".close-modal", function (el) {
      name(el, "Close");
    });
    each(".modal-ux:not([role])", function (el) {
      el.setAttribute("role", "dialog");
      el.setAttribute("aria-modal", "true");
      name(el, "Available authorizations");
    });
    // Code samples scroll sideways: they must be reachable by keyboard to be read.
    each(".highlight-code pre:not([tabindex]), .microlight:not([tabindex])", function (el) {
      el.setAttribute("tabindex", "0");
    });
  }

  new MutationObserver(mend).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
})();
