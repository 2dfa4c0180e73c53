// Progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Show only the organisation fields that belong to the chosen way of taking part.
  var choice = document.querySelectorAll('input[name="participate_as"]');
  function sync() {
    var chosen = document.querySelector('input[name="participate_as"]:checked');
    document.querySelectorAll("[data-shown-for]").forEach(function (el) {
      el.hidden = !chosen || el.getAttribute("data-shown-for").split(" ").indexOf(chosen.value) < 0;
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

// No lost input: while someone types in a form, the text is kept in this browser
// (localStorage, per page and field, for 7 days). If the send fails — the session expired, the
// round closed, the site was briefly unavailable — the form has the text again when they come
// back to it. The copy is removed once the site confirms the send (a success message).
(function () {
  "use strict";
  var PREFIX = "participation-draft:";
  var MAX_AGE = 7 * 24 * 3600 * 1000;
  var store;
  try { store = window.localStorage; store.setItem(PREFIX + "test", "1"); store.removeItem(PREFIX + "test"); }
  catch (e) { return; }  // private mode or storage refused: the site works as before

  function keyFor(path, field) { return PREFIX + path + "#" + field.name; }

  // After a successful send the next page shows a success message: forget that form's text.
  var sent = window.sessionStorage && sessionStorage.getItem(PREFIX + "sent");
  if (sent) {
    sessionStorage.removeItem(PREFIX + "sent");
    if (document.querySelector(".flash-success")) {
      Object.keys(store).forEach(function (key) {
        if (key.indexOf(PREFIX + sent + "#") === 0) { store.removeItem(key); }
      });
    }
  }
  // Old copies go.
  Object.keys(store).forEach(function (key) {
    if (key.indexOf(PREFIX) !== 0) { return; }
    try { if (Date.now() - JSON.parse(store.getItem(key)).at > MAX_AGE) { store.removeItem(key); } }
    catch (e) { store.removeItem(key); }
  });

  // A page that could not take the send (the 413 page) says so when this browser has the text.
  document.querySelectorAll("[data-kept-draft]").forEach(function (note) {
    var prefix = PREFIX + note.getAttribute("data-kept-draft") + "#";
    note.hidden = !Object.keys(store).some(function (key) { return key.indexOf(prefix) === 0; });
  });

  var path = window.location.pathname;
  document.querySelectorAll('form[method="post"]').forEach(function (form) {
    if (form.hasAttribute("data-no-draft")) { return; }
    var action = new URL(form.getAttribute("action") || path, window.location.href).pathname;
    var fields = form.querySelectorAll('textarea, input[type="text"][name="title"], select');
    if (!form.querySelector("textarea")) { return; }  // only forms where people write
    fields.forEach(function (field) {
      var key = keyFor(action, field);
      var saved = store.getItem(key);
      // A select counts as untouched on its first option ("Choose a theme").
      var untouched = field.tagName === "SELECT" ? field.selectedIndex <= 0 : !field.value;
      if (saved && untouched) {
        try { field.value = JSON.parse(saved).text; } catch (e) { store.removeItem(key); }
      }
      field.addEventListener("input", function () {
        if (field.value) { store.setItem(key, JSON.stringify({text: field.value, at: Date.now()})); }
        else { store.removeItem(key); }
      });
    });
    form.addEventListener("submit", function () {
      if (window.sessionStorage) { sessionStorage.setItem(PREFIX + "sent", action); }
    });
  });
})();
