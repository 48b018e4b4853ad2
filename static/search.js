// Search (firsthand/pages/search.py builds the index). On every page: the navigation's link to
// the list of stories becomes a search box. On the search page: Pagefind, with every other
// part of the index merged in (the parts of the site's language and of its other
// languages, listed in pagefind/languages.json), filters, and results that lead with the
// person who wrote them.
"use strict";

const PAGE_SIZE = 10;
const EXCERPT_WORDS = 24;
const FILTER_LABELS = { Team: "Team", Location: "Location", Topic: "Topic", Language: "Language" };

function enableSearchBox() {
  for (const item of document.querySelectorAll("[data-search-nav]")) {
    item.querySelector("form").hidden = false;
    item.querySelector("[data-search-fallback]").hidden = true;
  }
}

function languageName(code) {
  try {
    const names = new Intl.DisplayNames([document.documentElement.lang || "en"], { type: "language" });
    return names.of(code) || code;
  } catch (error) {
    return code;
  }
}

// Pagefind's excerpt is HTML with <mark> around the words found; keep only text and marks.
function excerptNodes(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const nodes = [];
  for (const node of template.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      nodes.push(mark);
    } else {
      nodes.push(document.createTextNode(node.textContent));
    }
  }
  return nodes;
}

function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text) made.textContent = text;
  return made;
}

function resultItem(data, root) {
  const meta = data.meta || {};
  const item = element("li", "search-result" + (meta.kind === "person" ? " is-person" : ""));
  if (meta.face) {
    const face = element("img", "avatar");
    face.src = new URL(meta.face, root).href;
    face.alt = "";
    face.width = face.height = 56;
    face.loading = "lazy";
    item.append(face);
  } else {
    const initials = element("span", "avatar avatar-initials", meta.initials || "");
    initials.setAttribute("aria-hidden", "true");
    item.append(initials);
  }
  const body = element("div", "search-result-body");
  const who = element("p", "search-result-who");
  who.append(element("span", "search-result-name", meta.name || ""));
  if (meta.role) who.append(element("span", "search-result-role", meta.role));
  const heading = element("h2", "search-result-title");
  const link = element("a", "", meta.kind === "person" ? `${meta.name}: profile and stories` : meta.title);
  link.href = data.url;                 // Pagefind puts the site's sub-path in front
  heading.append(link);
  const lang = (data.filters && data.filters.Language && data.filters.Language[0]) || "";
  if (lang && lang !== document.documentElement.lang) {
    heading.lang = lang;
    body.lang = lang;
    who.lang = document.documentElement.lang;
  }
  const excerpt = element("p", "search-result-excerpt");
  excerpt.append(...excerptNodes(data.excerpt || ""));
  body.append(who, heading, excerpt);
  const facts = [meta.date, meta.draft].filter(Boolean);
  if (facts.length) {
    const line = element("p", "search-result-meta");
    line.lang = document.documentElement.lang;
    if (meta.date) line.append(element("span", "", meta.date));
    if (meta.draft) line.append(element("strong", "draft-flag", meta.draft));
    body.append(line);
  }
  item.append(body);
  return item;
}

async function startSearchPage(page) {
  const root = new URL(page.dataset.root, location.href);
  const bundle = new URL(page.dataset.bundle, location.href).href;
  const form = page.querySelector(".search-form");
  const input = form.querySelector("input[type=search]");
  const fieldset = form.querySelector(".search-filters");
  const status = page.querySelector(".search-status");
  const list = page.querySelector(".search-results");
  const more = page.querySelector(".search-more");
  form.hidden = false;

  let pagefind, parts;
  try {
    pagefind = await import(bundle + "pagefind.js");
    await pagefind.options({ excerptLength: EXCERPT_WORDS });
    parts = await (await fetch(bundle + "languages.json")).json();
    // Every other part, of this language and the others, at once; Pagefind searches them
    // all and ranks their results together by score.
    await Promise.all(parts.merge.map((part) => pagefind.mergeIndex(
      bundle + part.path, { language: part.language, excerptLength: EXCERPT_WORDS })));
    await pagefind.init();
  } catch (error) {
    status.textContent = "Search is not available right now; the stories are all on the home page.";
    return;
  }

  const selects = {};
  // The build counts the filters' values (pagefind/languages.json); asking Pagefind
  // instead fetches every filter file of every part before the first query runs.
  const filters = parts.filters || await pagefind.filters();
  for (const name of Object.keys(FILTER_LABELS)) {
    const values = Object.keys(filters[name] || {}).sort((a, b) => a.localeCompare(b));
    if (values.length < 2) continue;
    const id = `search-filter-${name.toLowerCase()}`;
    const label = element("label", "", FILTER_LABELS[name]);
    label.htmlFor = id;
    const select = element("select");
    select.id = id;
    select.name = name.toLowerCase();
    select.append(new Option(`Any ${FILTER_LABELS[name].toLowerCase()}`, ""));
    for (const value of values) {
      const shown = name === "Language" ? languageName(value) : value;
      select.append(new Option(`${shown} (${filters[name][value]})`, value));
    }
    const wrap = element("div", "search-filter");
    wrap.append(label, select);
    fieldset.append(wrap);
    selects[name] = select;
    select.addEventListener("change", run);
  }
  fieldset.hidden = Object.keys(selects).length === 0;

  const params = new URLSearchParams(location.search);
  if (params.has("q") && !input.value) input.value = params.get("q");   // keep what was typed while loading
  for (const [name, select] of Object.entries(selects)) {
    const wanted = params.get(select.name);
    if (wanted && [...select.options].some((option) => option.value === wanted)) select.value = wanted;
  }

  let results = [];
  let shown = 0;

  async function showMore() {
    const batch = results.slice(shown, shown + PAGE_SIZE);
    shown += batch.length;
    const items = await Promise.all(batch.map((result) => result.data()));
    list.append(...items.map((data) => resultItem(data, root)));
    more.hidden = shown >= results.length;
  }

  async function run() {
    const term = input.value.trim();
    const chosen = {};
    const query = new URLSearchParams();
    if (term) query.set("q", term);
    for (const [name, select] of Object.entries(selects)) {
      if (select.value) {
        chosen[name] = select.value;
        query.set(select.name, select.value);
      }
    }
    const address = query.toString();
    history.replaceState(null, "", address ? `?${address}` : location.pathname);
    if (!term && !Object.keys(chosen).length) {
      list.replaceChildren();
      more.hidden = true;
      status.textContent = "";
      return;
    }
    const search = await pagefind.debouncedSearch(term || null, { filters: chosen }, 200);
    if (search === null) return;          // a newer keystroke took over
    results = search.results;
    shown = 0;
    list.replaceChildren();
    await showMore();
    const count = results.length;
    status.textContent = count === 0
      ? `No stories found${term ? ` for “${term}”` : ""}. Try fewer or other words.`
      : `${count} ${count === 1 ? "result" : "results"}${term ? ` for “${term}”` : ""}.`;
  }

  input.addEventListener("input", run);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  more.querySelector("button").addEventListener("click", showMore);
  if (input.value || Object.values(selects).some((select) => select.value)) run();
}

enableSearchBox();
const searchPage = document.querySelector("[data-search-page]");
if (searchPage) startSearchPage(searchPage);
