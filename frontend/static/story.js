// Night or day colours (remembered on this device), and media that cannot load: hidden, with its note shown.
(function () {
  "use strict";
  var root = document.documentElement;
  try {
    var saved = localStorage.getItem("theme");
    if (saved === "day" || saved === "night") root.setAttribute("data-theme", saved);
  } catch (ignored) { /* storage blocked: follow the system's colours */ }

  // Registered before the body is parsed, in the capture phase: media errors do not bubble.
  document.addEventListener("error", function (event) {
    var box = event.target && event.target.closest ? event.target.closest("[data-media]") : null;
    if (!box) return;
    box.hidden = true;
    var fallback = box.nextElementSibling;
    if (fallback && fallback.hasAttribute("data-fallback")) fallback.hidden = false;
  }, true);

  function theme() {
    return root.getAttribute("data-theme") ||
      (window.matchMedia("(prefers-color-scheme: light)").matches ? "day" : "night");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    function label() {
      button.textContent = theme() === "night" ? "Day colours" : "Night colours";
    }
    button.hidden = false;
    label();
    button.addEventListener("click", function () {
      var next = theme() === "night" ? "day" : "night";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("theme", next); } catch (ignored) { /* this page only */ }
      label();
    });
  });
}());
