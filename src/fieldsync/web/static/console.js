// fieldsync console: a little progressive enhancement. Every screen works without it.
// Static and same-origin only: the console's Content-Security-Policy allows no inline
// script, so every behaviour of a page lives here, keyed on data- attributes.
(function () {
  "use strict";

  // Buttons and links with data-opens="ID" open the <dialog> ID instead of going to
  // their fallback page (a confirmation page for browsers without JavaScript).
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-opens]");
    if (!opener) return;
    var dialog = document.getElementById(opener.getAttribute("data-opens"));
    if (!dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    dialog.showModal();
  });

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json().then(function (body) {
          return { status: response.status, body: body };
        }) : null;
      });
  }

  // The create and edit form: only the schedule inputs of the chosen kind are shown
  // (without JavaScript all of them are, with a hint saying which apply).
  var kind = document.getElementById("schedule");
  if (kind) {
    var showKind = function () {
      document.querySelectorAll("[data-kinds]").forEach(function (field) {
        var kinds = field.getAttribute("data-kinds").split(" ");
        field.hidden = kinds.indexOf(kind.value) < 0;
      });
      var hint = document.querySelector("[data-schedule-hint]");
      if (hint) hint.hidden = true;
    };
    kind.addEventListener("change", showKind);
    showKind();
  }

  // The preview being computed: ask the API until it is ready, then show the page again.
  var preparing = document.querySelector("[data-preview-url]");
  if (preparing) {
    var previewUrl = preparing.getAttribute("data-preview-url");
    var askPreview = function () {
      getJson(previewUrl)
        .then(function (answer) {
          if (answer && answer.status === 202) {
            window.setTimeout(askPreview, 1000);
          } else {
            window.location.reload();
          }
        })
        .catch(function () { window.setTimeout(askPreview, 3000); });
    };
    window.setTimeout(askPreview, 700);
  }

  // A running sync: poll its progress and update the counts; when it ends, show the
  // page again with ?ran=RUN, which says how the run ended and links to its history.
  var progress = document.querySelector("[data-progress-url]");
  if (!progress || progress.hidden) return;
  var url = progress.getAttribute("data-progress-url");
  function tick() {
    getJson(url)
      .then(function (answer) {
        var body = answer && answer.body;
        if (!body) return;
        if (body.run) {
          progress.querySelectorAll("[data-field]").forEach(function (cell) {
            var value = body.run[cell.getAttribute("data-field")];
            if (typeof value === "number") cell.textContent = value.toLocaleString("en");
          });
        }
        var said = progress.querySelector("[data-estimate]");
        if (said && body.estimate) {
          said.querySelector("[data-estimate-text]").textContent = body.estimate.text;
          said.hidden = false;
        }
        if (body.running) {
          window.setTimeout(tick, 1000);
        } else {
          var here = window.location.pathname;
          window.location.assign(body.run ? here + "?ran=" + encodeURIComponent(body.run.id) : here);
        }
      })
      .catch(function () { window.setTimeout(tick, 3000); });
  }
  window.setTimeout(tick, 500);
})();
