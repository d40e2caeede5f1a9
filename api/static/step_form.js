// Progressive enhancement of generated step forms (everything works without it):
// empty repeatable slots after the first are hidden behind an "Add another" button, and after
// a rejection the error summary takes focus so screen readers announce it; after an Open button
// the document just opened takes focus (its heading, described by the note that the opening is
// recorded), so keyboard and screen-reader users carry on from it, not from the page's top.
(function () {
  "use strict";
  function isEmpty(slot) {
    var fields = slot.querySelectorAll("select, input[type=checkbox], input[type=text], textarea");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if ((f.type === "checkbox" && f.checked) || (f.type !== "checkbox" && f.value)) return false;
    }
    return true;
  }
  document.querySelectorAll("fieldset.group").forEach(function (group) {
    var slots = Array.prototype.slice.call(group.querySelectorAll(":scope > fieldset.slot"));
    if (slots.length < 2) return;
    var hidden = slots.filter(function (s, i) { return i > 0 && isEmpty(s); });
    if (!hidden.length) return;
    hidden.forEach(function (s) { s.hidden = true; });
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Add another " + group.dataset.item;
    button.addEventListener("click", function () {
      var next = hidden.shift();
      if (next) { next.hidden = false; var first = next.querySelector("select, input, textarea"); if (first) first.focus(); }
      if (!hidden.length) button.remove();
    });
    group.appendChild(button);
  });
  var errors = document.getElementById("form-errors");
  var shown = document.getElementById("shown-h");
  if (errors) errors.focus();
  else if (shown) shown.focus();
})();
