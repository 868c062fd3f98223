// Copy buttons: a button with data-copy="ID" puts the text of the field with that id on the
// clipboard, for a person to paste it into another site (a post published by hand). Kept in a
// file of its own because the CSP refuses inline scripts.
(function () {
  "use strict";

  function copyFrom(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value);
    }
    // Without the clipboard API (plain http), selecting the text lets the person copy it.
    field.focus();
    field.select();
    return Promise.resolve(document.execCommand("copy"));
  }

  function onClick(event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) {
      return;
    }
    var label = button.textContent;
    copyFrom(field).then(function () {
      button.textContent = button.getAttribute("data-copied") || label;
      window.setTimeout(function () {
        button.textContent = label;
      }, 2000);
    }, function () {
      field.select();
    });
  }

  document.addEventListener("click", onClick);
})();
