// The share kit, on top of a page that works without it: Copy buttons that announce
// "Copied", and Mastodon share links on the reader's own server (asked once, remembered).
(function () {
  "use strict";
  var status = document.querySelector("[data-share-status]");

  function announce(message) {
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 30);
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var done = document.execCommand && document.execCommand("copy");
      document.body.removeChild(area);
      if (done) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(source.value).then(function () {
        button.textContent = "Copied";
        announce("Copied");
        window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
      }, function () {
        source.focus();
        source.select();
        announce("Press Ctrl+C (or Cmd+C) to copy the selected text");
      });
    });
  });

  // Mastodon has no central share page: each reader posts from their own server.
  var KEY = "firsthand.mastodon-server";
  var form = document.querySelector("[data-mastodon-form]");
  var links = document.querySelectorAll("[data-mastodon-share]");
  if (!form || !links.length) return;

  function clean(value) {
    var server = (value || "").trim().toLowerCase()
      .replace(/^https?:\/\//, "").replace(/^@?[^@\/]+@/, "").replace(/\/.*$/, "");
    return /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d{1,5})?$/.test(server) ? server : "";
  }

  function remembered() {
    try { return clean(window.localStorage.getItem(KEY)); } catch (e) { return ""; }
  }

  function update(server) {
    Array.prototype.forEach.call(links, function (link) {
      var source = document.getElementById(link.getAttribute("data-mastodon-share"));
      link.hidden = !server || !source;
      if (server && source) {
        link.href = "https://" + server + "/share?text=" + encodeURIComponent(source.value);
        link.textContent = "Share on " + server;
      }
    });
  }

  form.hidden = false;
  var input = form.querySelector("input");
  input.value = remembered();
  update(input.value);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var server = clean(input.value);
    if (!server) {
      announce("That does not look like a server name, like mastodon.social");
      return;
    }
    input.value = server;
    try { window.localStorage.setItem(KEY, server); } catch (e) { /* private mode */ }
    update(server);
    announce("Share links now open on " + server);
  });
})();
