// Under a story (templates/partials/visitor-share.html): "Copy link", and the browser's
// own "Share…" where it has one (the Web Share API). The share links work without this.
(function () {
  "use strict";
  var box = document.querySelector("[data-visitor-share]");
  if (!box) return;
  var url = box.getAttribute("data-url"), title = box.getAttribute("data-title");
  var copyButton = box.querySelector("[data-copy-link]");
  if (copyButton && navigator.clipboard && window.isSecureContext) {
    copyButton.hidden = false;
    copyButton.addEventListener("click", function () {
      navigator.clipboard.writeText(url).then(function () {
        copyButton.textContent = "Link copied";
      }, function () { window.prompt("Copy this link:", url); });
    });
  }
  var shareButton = box.querySelector("[data-native-share-page]");
  if (shareButton && navigator.share) {
    shareButton.hidden = false;
    shareButton.addEventListener("click", function () {
      navigator.share({title: title, url: url}).catch(function () { /* closed */ });
    });
  }
})();
