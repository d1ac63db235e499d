// The township finder: as a reader types in the search box, the one piece of the township index the
// query needs (search/townships/n- and k-<first character>.json: names and counties' names, or
// c-<first two digits>.json for a code) is fetched, once, and its matches are listed above Material's own results. 40,000 townships are
// ~2,500 small pieces: the first result does not wait for a whole index (sitegen.finder).
// Site text is put in with textContent, never as HTML; links are built from the code's digits only.
(function () {
  var LIMIT = 20, cache = {}, seq = 0, sites = {};  // sites: search/townships/on-site.json, the counties on the site
  function root() {
    var config = document.getElementById("__config");
    var base = ".";
    try { base = JSON.parse(config.textContent).base || "."; } catch (e) { /* keep "." */ }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }
  function piecesOf(token) {
    if (/^\d{2,}$/.test(token)) return ["c-" + token.slice(0, 2)];
    if (/^\d$/.test(token)) return [];
    var hex = token.codePointAt(0).toString(16);
    return ["n-" + hex, "k-" + hex];  // a township's name, or its county's (辰溪县 lists its townships)
  }
  function load(key) {
    if (!cache[key]) {
      cache[key] = fetch(new URL("search/townships/" + key + ".json", root()).href)
        .then(function (response) { return response.ok ? response.json() : { t: [], c: {} }; })
        .catch(function () { delete cache[key]; return { t: [], c: {} }; });
    }
    return cache[key];
  }
  function onSite(e) { return (sites.c || {})[e[0].slice(0, 6)] ? 1 : 0; }
  function matches(entries, tokens, lead) {
    var found = [], seen = {};
    for (var i = 0; i < entries.length; i++) {
      var e = entries[i], all = e[3] + " " + e[2] + " " + e[1] + " " + e[0], ok = true;
      if (seen[e[0]]) continue;
      if (!(/^\d/.test(lead) ? e[0].indexOf(lead) === 0 : e[1].indexOf(lead) === 0 || e[2].indexOf(lead) === 0)) continue;
      seen[e[0]] = true;
      for (var j = 0; j < tokens.length && ok; j++) ok = all.indexOf(tokens[j]) >= 0;
      if (ok) found.push(e);
    }
    // The name itself first, then townships whose county is on the site (the register holds every other one too).
    found.sort(function (a, b) { return (b[1] === lead) - (a[1] === lead) || onSite(b) - onSite(a) || (a[0] < b[0] ? -1 : 1); });
    return found;
  }
  function show(box, query, found) {
    var list = box.querySelector("ol"), meta = box.querySelector(".fazhi-finder__meta");
    list.textContent = "";
    box.hidden = !query;
    box.dataset.query = query;  // which query the list answers
    if (!query) return;
    meta.textContent = found.length ? "乡镇（街道）：" + (found.length > LIMIT ? "前 " + LIMIT + " 个，共 " + found.length + " 个" : found.length + " 个") : "没有找到名称或区划代码以此开头的乡镇（街道）";
    found.slice(0, LIMIT).forEach(function (e) {
      if (!/^\d+$/.test(e[0])) return;
      var county = (sites.c || {})[e[0].slice(0, 6)], page = null;
      // Its page; a 未纳入检索 township of a county on the site: that county's page; a county not on the site: no link.
      if (county) page = (county[1].indexOf(e[0]) >= 0) === !county[2] ? county[0] : "townships/" + e[0] + "/";  // listed: without a page (0) or with one (1)
      var item = document.createElement("li"), link = document.createElement(page ? "a" : "span"), where = document.createElement("span");
      item.className = "fazhi-finder__item";
      if (page) link.href = new URL(page, root()).href;
      link.textContent = e[1];
      where.className = "fazhi-finder__where";
      where.textContent = " " + e[3] + " › " + e[2] + " · " + e[0] + (page && page.indexOf("townships/" + e[0]) === 0 ? "" : " · 未纳入检索");
      link.appendChild(where);
      item.appendChild(link);
      list.appendChild(item);
    });
  }
  function run(input, box) {
    var query = input.value.trim(), mine = ++seq;
    var tokens = query.split(/\s+/).filter(Boolean);
    var lead = tokens.length ? tokens[tokens.length - 1] : "";
    var keys = lead ? piecesOf(lead) : [];
    if (!keys.length) { show(box, "", []); return; }
    Promise.all(keys.concat(["on-site"]).map(load)).then(function (pieces) {
      var entries = [];
      sites = pieces.pop();
      pieces.forEach(function (piece) { entries = entries.concat(piece.t || []); });
      if (mine === seq) show(box, query, matches(entries, tokens.slice(0, -1), lead));
    });
  }
  function enable() {
    var input = document.querySelector("[data-md-component=search-query]");
    var box = document.querySelector(".fazhi-finder");
    if (!input || !box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { run(input, box); }, 60);
    });
    input.form && input.form.addEventListener("reset", function () { show(box, "", []); });
    if (input.value) run(input, box);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enable); else enable();
})();
