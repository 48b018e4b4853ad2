// The share kit, on top of a page that works without it (templates/share.html):
// - "Who is sharing?": every link and post then carries that person's id (utm_content),
//   and a colleague gets the colleague's post in the framing firsthand/social/snippets.py gives
//   them (sharer_slot and for_sharer there; the tests hold the two to the same result);
// - one platform's panel at a time, reached by the row of platform links;
// - Copy buttons, and copy-then-open where a platform's share link takes only the URL;
// - "Share…" through the Web Share API where the browser has it;
// - Mastodon share links on the reader's own server (asked once, remembered).
(function () {
  "use strict";
  var kit = document.querySelector("[data-kit]");
  if (!kit) return;
  var status = document.querySelector("[data-share-status]");
  var SLOTS = 3;                      // firsthand/social/snippets.py: SLOTS
  var SHARER_KEY = "firsthand.sharer";
  var author = kit.getAttribute("data-author");
  var slug = kit.getAttribute("data-slug");
  // The words, in the page's language (templates/share.html); {places} filled here.
  var WORDS = {};
  try { WORDS = JSON.parse(kit.querySelector("[data-kit-words]").textContent); } catch (e) { /* none */ }
  function say(key, places) {
    return (WORDS[key] || "").replace(/\{(\w+)\}/g, function (all, name) {
      return places && name in places ? places[name] : all;
    });
  }
  var each = function (selector, root, fn) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  };

  function announce(message) {
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 30);
  }

  function stored(key) {
    try { return window.localStorage.getItem(key) || ""; } catch (e) { return ""; }
  }

  function store(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ }
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

  // -- the sharer: the same rule as firsthand/social/snippets.py ------------------------------

  function fnv1a(text) {
    var bytes = unescape(encodeURIComponent(text)), value = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      value = Math.imul(value ^ bytes.charCodeAt(i), 0x01000193) >>> 0;
    }
    return value >>> 0;
  }

  function slotOf(sharer) { return fnv1a(slug + "\n" + sharer) % SLOTS; }

  function withSharer(link, sharer) {
    return link.replace(/([?&]utm_content=)[^&#]*/, "$1" + encodeURIComponent(sharer));
  }

  // Each post remembers what the page was built with (the author's id in its links).
  var posts = [];
  each("[data-post]", kit, function (post) {
    var area = post.querySelector("textarea"), link = post.querySelector("[data-share-link]");
    var length = post.querySelector("[data-length]");
    posts.push({
      element: post, area: area, anchor: link, count: length,
      voice: post.getAttribute("data-voice"), slot: +post.getAttribute("data-slot"),
      link: post.getAttribute("data-link"), grows: +post.getAttribute("data-grows"),
      text: area.value, href: link ? link.getAttribute("href") : "",
      length: length ? +length.textContent : 0
    });
  });

  function applySharer(sharer) {
    var own = !sharer || sharer === author, slot = own ? 0 : slotOf(sharer);
    posts.forEach(function (post) {
      var link = withSharer(post.link, sharer || author);
      post.area.value = post.text.split(post.link).join(link);
      post.element.setAttribute("data-link-now", link);
      if (post.anchor) {
        post.anchor.setAttribute("href", post.href.split(encodeURIComponent(post.link))
          .join(encodeURIComponent(link)));
      }
      if (post.count) post.count.textContent = post.length + post.grows * (link.length - post.link.length);
      var main = own ? post.voice === "author" : post.voice === "colleague" && post.slot === slot;
      var other = own ? post.voice === "colleague" && post.slot === 0 : post.voice === "author";
      post.element.setAttribute("data-role", main ? "main" : other ? "other" : "");
    });
    each("[data-panel]", kit, function (panel) { showOther(panel, false); });
    updateMastodon();
  }

  function showOther(panel, open) {
    var toggle = panel.querySelector("[data-other-voice]");
    each("[data-post]", panel, function (post) {
      var role = post.getAttribute("data-role");
      post.hidden = !(role === "main" || (role === "other" && open));
    });
    if (!toggle) return;
    var other = panel.querySelector('[data-role="other"]');
    toggle.hidden = !other;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    var mainIsAuthor = !!panel.querySelector('[data-role="main"][data-voice="author"]');
    toggle.textContent = say(open ? "hide_other" : mainIsAuthor ? "show_colleague" : "show_own");
  }

  each("[data-other-voice]", kit, function (toggle) {
    toggle.addEventListener("click", function () {
      var panel = toggle.closest("[data-panel]");
      showOther(panel, toggle.getAttribute("aria-expanded") !== "true");
    });
  });

  var select = kit.querySelector("[data-sharer]");
  var box = kit.querySelector("[data-sharer-box]");
  function chooseSharer(sharer) {
    applySharer(sharer);
    if (select) select.value = sharer || author;
  }
  if (select && box) {
    box.hidden = false;
    select.addEventListener("change", function () {
      store(SHARER_KEY, select.value);
      chooseSharer(select.value);
      var option = select.options[select.selectedIndex];
      announce(say("carries", {name: option ? option.textContent : select.value}));
    });
    var address = kit.getAttribute("data-people");
    if (address && window.fetch) {
      window.fetch(address).then(function (response) { return response.json(); })
        .then(function (people) {
          people.forEach(function (person) {
            if (person.id === author) return;
            var option = document.createElement("option");
            option.value = person.id;
            option.textContent = person.name;
            select.appendChild(option);
          });
          var remembered = stored(SHARER_KEY);
          if (remembered && select.querySelector('option[value="' + CSS.escape(remembered) + '"]')) {
            chooseSharer(remembered);
          }
        }).catch(function () { /* the author's links stay */ });
    }
  }

  // -- one panel at a time -------------------------------------------------------------

  var panels = kit.querySelectorAll("[data-panel]");
  function showPanel(name, focus) {
    var found = false;
    Array.prototype.forEach.call(panels, function (panel) {
      var shown = panel.getAttribute("data-panel") === name;
      found = found || shown;
      panel.hidden = !shown;
    });
    if (!found && panels.length) return showPanel(panels[0].getAttribute("data-panel"), focus);
    each("[data-panel-link]", kit, function (link) {
      if (link.getAttribute("data-panel-link") === name) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    });
    if (focus) {
      var heading = kit.querySelector("#share-" + name + " h2");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
  }
  kit.classList.add("kit-js");
  each("[data-panel-link]", kit, function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var name = link.getAttribute("data-panel-link");
      if (window.history && history.replaceState) history.replaceState(null, "", "#share-" + name);
      showPanel(name, true);
    });
  });
  showPanel((location.hash || "").replace(/^#share-/, ""), false);

  // -- copying, copy-then-open, Web Share ----------------------------------------------

  each("[data-copy]", kit, function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(source.value).then(function () {
        button.textContent = say("copied");
        announce(say("copied"));
        window.setTimeout(function () { button.textContent = label; }, 2000);
      }, function () {
        source.focus();
        source.select();
        announce(say("press_copy"));
      });
    });
  });

  each("[data-copy-open]", kit, function (link) {
    var source = document.getElementById(link.getAttribute("data-copy-open"));
    var name = link.getAttribute("data-platform-name");
    if (!source) return;
    link.textContent = say("copy_open", {platform: name});
    var note = link.closest("[data-post]").querySelector("[data-copy-note]");
    if (note) note.hidden = true;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var href = link.getAttribute("href");
      var open = function () {
        var opened = window.open(href, "_blank");
        if (opened) { opened.opener = null; } else { window.location.assign(href); }
      };
      copy(source.value).then(function () {
        link.textContent = say("copied_paste", {platform: name});
        announce(link.textContent);
        open();
      }, function () {
        source.focus();
        source.select();
        announce(say("copy_then_paste", {platform: name}));
        open();
      });
    });
  });

  if (navigator.share) {
    each("[data-native-share]", kit, function (button) {
      var source = document.getElementById(button.getAttribute("data-native-share"));
      if (!source) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.share({text: source.value}).catch(function () { /* closed */ });
      });
    });
  }

  // -- Mastodon: the reader's own server -----------------------------------------------

  var MASTODON_KEY = "firsthand.mastodon-server";
  var form = kit.querySelector("[data-mastodon-form]");
  var mastodonLinks = kit.querySelectorAll("[data-mastodon-share]");

  function clean(value) {
    var server = (value || "").trim().toLowerCase()
      .replace(/^https?:\/\//, "").replace(/^@?[^@\/]+@/, "").replace(/\/.*$/, "");
    return /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d{1,5})?$/.test(server) ? server : "";
  }

  function updateMastodon() {
    var server = form ? clean(form.querySelector("input").value) : "";
    Array.prototype.forEach.call(mastodonLinks, function (link) {
      var source = document.getElementById(link.getAttribute("data-mastodon-share"));
      link.hidden = !server || !source;
      if (server && source) {
        link.href = "https://" + server + "/share?text=" + encodeURIComponent(source.value);
        link.textContent = say("post_on", {platform: server});
      }
    });
  }

  if (form && mastodonLinks.length) {
    form.hidden = false;
    var input = form.querySelector("input");
    input.value = clean(stored(MASTODON_KEY));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var server = clean(input.value);
      if (!server) {
        announce(say("bad_server"));
        return;
      }
      input.value = server;
      store(MASTODON_KEY, server);
      updateMastodon();
      announce(say("server_now", {server: server}));
    });
  }

  applySharer(author);
})();
