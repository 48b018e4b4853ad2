(function () {
  var build = document.currentScript.dataset.build, overlay = null;
  function show(problems) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "firsthand-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;" +
        "z-index:2147483647;margin:0;padding:1rem 1.25rem;background:#2b0b0b;color:#fff;" +
        "font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;" +
        "border-top:4px solid #e5484d;box-shadow:0 -4px 24px #0008";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "The last change does not build; showing the last good build.\n\n" +
      problems.join("\n");
  }
  var events = new EventSource("/__firsthand/events");
  events.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.problems.length) { show(state.problems); return; }
    if (String(state.build) !== build) { location.reload(); return; }
    if (overlay) { overlay.remove(); overlay = null; }
  });
})();
