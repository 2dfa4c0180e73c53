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

// The moderation queue (moderation/queue.html): "select all on this page", a count of the
// ticked items, and the list as one Tab stop. Without this a keyboard user tabs past two
// controls per item (101 presses from the first item to "Approve"); as a grid the arrow keys
// move inside the list and Tab goes on to the actions. Without script the list is a plain
// table and the bulk form works the same.
(function () {
  "use strict";
  var table = document.querySelector("[data-queue-grid]");
  if (!table) { return; }
  var boxes = Array.prototype.slice.call(table.querySelectorAll('input[name="items"]'));
  var all = table.querySelector("[data-select-all]");
  var count = document.querySelector("[data-selected-count]");

  function sync() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    if (all) {
      all.checked = ticked === boxes.length && ticked > 0;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    if (count) {
      count.textContent = count.getAttribute("data-selected-count")
        .replace("{selected}", ticked).replace("{total}", boxes.length);
    }
  }
  boxes.forEach(function (box) { box.addEventListener("change", sync); });
  if (all) {
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      sync();
    });
  }
  sync();

  // The grid: one cell (or the control in it) is in the Tab order, the last one focused.
  var keys = document.getElementById(table.getAttribute("data-keys"));
  if (keys) { keys.hidden = false; table.setAttribute("aria-describedby", keys.id); }
  table.setAttribute("role", "grid");
  var rows = Array.prototype.slice.call(table.rows);
  function target(cell) { return cell.querySelector("input:not([hidden]), a, button") || cell; }
  rows.forEach(function (row) {
    Array.prototype.forEach.call(row.cells, function (cell) {
      var control = target(cell), meta = cell.querySelector(".meta");
      control.tabIndex = -1;
      // The link takes the cell's focus, so the line under it (who, where, when) is said with it.
      if (meta && control.id && control !== cell) {
        meta.id = control.id + "-meta";
        control.setAttribute("aria-describedby", meta.id);
      }
    });
  });
  var current = target(rows[0].cells[0]);
  current.tabIndex = 0;
  function place(to) {
    if (to === current) { return; }
    current.tabIndex = -1;
    to.tabIndex = 0;
    current = to;
  }
  function cellOf(node) {
    while (node && node !== table && node.tagName !== "TD" && node.tagName !== "TH") { node = node.parentNode; }
    return node && node !== table ? node : null;
  }
  table.addEventListener("focusin", function (event) {
    var cell = cellOf(event.target);
    if (cell) { place(target(cell)); }
  });
  table.addEventListener("keydown", function (event) {
    var cell = cellOf(event.target);
    if (!cell || event.altKey || event.metaKey) { return; }
    var row = cell.parentNode, r = rows.indexOf(row), c = cell.cellIndex;
    var last = rows.length - 1;
    switch (event.key) {
      case "ArrowRight": c = Math.min(c + 1, row.cells.length - 1); break;
      case "ArrowLeft": c = Math.max(c - 1, 0); break;
      case "ArrowDown": r = Math.min(r + 1, last); break;
      case "ArrowUp": r = Math.max(r - 1, 0); break;
      case "PageDown": r = Math.min(r + 10, last); break;
      case "PageUp": r = Math.max(r - 10, 0); break;
      case "Home": if (event.ctrlKey) { r = 0; } c = 0; break;
      case "End": if (event.ctrlKey) { r = last; } c = rows[r].cells.length - 1; break;
      default: return;
    }
    event.preventDefault();
    var to = target(rows[r].cells[Math.min(c, rows[r].cells.length - 1)]);
    place(to);
    to.focus();
  });
})();
