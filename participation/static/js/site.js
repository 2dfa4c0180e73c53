// Progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Show only the organisation fields that belong to the chosen way of taking part.
  var choice = document.querySelectorAll('input[name="participate_as"]');
  function sync() {
    var chosen = document.querySelector('input[name="participate_as"]:checked');
    document.querySelectorAll("[data-shown-for]").forEach(function (el) {
      el.hidden = !chosen || el.getAttribute("data-shown-for") !== chosen.value;
    });
  }
  if (choice.length) {
    choice.forEach(function (input) { input.addEventListener("change", sync); });
    sync();
  }

  // Move focus to the error summary so screen-reader and keyboard users land on it.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }
})();

// Response templates: "Use" fills in the disposition and the text of the response form.
(function () {
  "use strict";
  document.querySelectorAll("[data-use-template]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = button.parentElement.querySelector(".template-text");
      var body = document.getElementById("body");
      var radio = document.querySelector('input[name="disposition"][value="' + text.getAttribute("data-disposition") + '"]');
      if (body) { body.value = text.textContent; body.focus(); }
      if (radio) { radio.checked = true; }
    });
  });
})();
