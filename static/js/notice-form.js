// Progressive enhancement of the notice form: an "Add another entity" button that adds
// a blank entity form (without it, the form still offers two blank ones).
(function () {
  "use strict";
  var container = document.querySelector("[data-formset-prefix]");
  var template = document.getElementById("entity-template");
  var button = document.querySelector("[data-add-entity]");
  if (!container || !template || !button) {
    return;
  }
  var prefix = container.getAttribute("data-formset-prefix");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) {
      button.disabled = true;
      return;
    }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fieldset = holder.firstElementChild;
    fieldset.querySelector("legend").textContent += " " + (index + 1);
    container.appendChild(fieldset);
    total.value = String(index + 1);
    var first = fieldset.querySelector("input, select, textarea");
    if (first) {
      first.focus();
    }
  });
})();
