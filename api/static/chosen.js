// The person chosen in a long picker, in full under it: a select as wide as a phone shows only
// the start of "Name — roles, service line (ID)", so the chosen option's words are repeated in
// a line that wraps (rendered by the page for a chosen value; kept up to date here).
(function () {
  "use strict";
  document.querySelectorAll("select[data-chosen]").forEach(function (select) {
    var line = document.getElementById(select.dataset.chosen);
    if (!line) return;
    var words = line.querySelector("span");
    function show() {
      var option = select.selectedOptions[0];
      line.hidden = !select.value || !option;
      if (option && select.value) words.textContent = option.textContent;
    }
    select.addEventListener("change", show);
    show();
  });
})();
