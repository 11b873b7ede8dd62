// fieldsync console: a little progressive enhancement. Every screen works without it.
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

  // A running sync: poll its progress and update the counts; reload when it ends so
  // that the history and the state are current.
  var progress = document.querySelector("[data-progress-url]");
  if (!progress || progress.hidden) return;
  var url = progress.getAttribute("data-progress-url");
  function tick() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) return;
        if (body.run) {
          progress.querySelectorAll("[data-field]").forEach(function (cell) {
            var value = body.run[cell.getAttribute("data-field")];
            if (typeof value === "number") cell.textContent = value.toLocaleString("en");
          });
        }
        if (body.running) {
          window.setTimeout(tick, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(tick, 3000); });
  }
  window.setTimeout(tick, 500);
})();
