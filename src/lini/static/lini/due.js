// Due lists: tell the field worker when a tapped outcome was not recorded (no connection, or
// refused), next to the buttons, instead of nothing happening. The texts come from the form's
// data-failed and data-forbidden attributes (translated in the template).
(function () {
  "use strict";
  function notRecorded(event) {
    var form = event.target && event.target.closest ? event.target.closest("form.due-outcomes") : null;
    if (!form) {
      return;
    }
    var note = form.querySelector(".due-failed");
    if (!note) {
      note = document.createElement("p");
      note.className = "errors due-failed";
      note.setAttribute("role", "alert");
      form.appendChild(note);
    }
    var xhr = event.detail && event.detail.xhr;
    var refused = xhr && (xhr.status === 403 || xhr.status === 404);
    note.textContent = form.getAttribute(refused ? "data-forbidden" : "data-failed");
  }
  document.addEventListener("htmx:responseError", notRecorded);
  document.addEventListener("htmx:sendError", notRecorded);
})();
