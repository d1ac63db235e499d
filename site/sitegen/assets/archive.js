// The archived texts' viewer (archive/index.html, sitegen.archive): reads ?b=<bundle>&r=<id>-<revision>,
// fetches archive/b/<bundle>.json.gz (one county's reports of one year, gzip), shows the report's text
// with its figures' mentions marked, and opens at #q-<start>-<end>. Government text is untrusted: it
// goes in with textContent and DOM nodes only, never as HTML; links are built only from an http(s)
// address or a township code's digits.
(function () {
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function status(message) { document.getElementById("status").textContent = message; }
  function gunzip(buffer) {
    var bytes = new Uint8Array(buffer);
    // A server may already have decoded it (Content-Encoding: gzip for .gz): then it is the JSON itself.
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return Promise.resolve(new TextDecoder("utf-8").decode(bytes));
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }
  function paragraphs(report) {
    var box = document.createDocumentFragment(), p = el("p"), text = report.text, at = 0;
    function plain(part) {
      var lines = part.split("\n");
      for (var i = 0; i < lines.length; i++) {
        if (i > 0) { if (p.childNodes.length) box.appendChild(p); p = el("p"); }
        if (lines[i]) p.appendChild(document.createTextNode(lines[i]));
      }
    }
    report.marks.forEach(function (m) {
      plain(text.slice(at, m[0]));
      var tag = m[2] ? "计入" : "未计入", mark = el("mark", m[2] ? "counted" : "other", text.slice(m[0], m[1]));
      mark.id = "q-" + m[0] + "-" + m[1];
      mark.title = m[3] + " " + m[4] + "（" + tag + "）";
      mark.appendChild(el("span", "tag", m[3] + " · " + tag));
      m[5].forEach(function (alias) { var a = el("span"); a.id = alias; mark.insertBefore(a, mark.firstChild); });
      p.appendChild(mark);
      at = m[1];
    });
    plain(text.slice(at));
    if (p.childNodes.length) box.appendChild(p);
    return box;
  }
  function show(report) {
    var year = report.year || "年份不详", published = report.published || "日期不详";
    document.title = report.title + "（存档） - 法治地图 Fazhi Atlas";
    document.getElementById("title").textContent = report.title;
    var meta = document.getElementById("meta");
    meta.textContent = report.place + " · " + year + "年度 · " + published + " 发布 · 第 " + report.revision + " 版 · 原网页：";
    var url = /^https?:\/\//i.test(report.url) ? report.url : "";
    if (url) { var a = el("a", "", url); a.href = url; a.rel = "nofollow noopener"; meta.appendChild(a); }
    else meta.appendChild(document.createTextNode("不详"));
    if (/^\d{9,12}$/.test(report.code)) {
      var back = document.getElementById("back");
      back.href = "../townships/" + report.code + "/";
      back.textContent = "返回乡镇页面";
    }
    document.getElementById("legend").hidden = false;
    document.getElementById("text").appendChild(paragraphs(report));
    var cite = document.getElementById("cite");
    cite.textContent = "引用：" + report.township + "《" + report.title + "》（" + year + "年度，" + published + " 发布），原网页 " +
      (url || "不详") + "；法治地图 Fazhi Atlas 数据集，报告 " + report.report_id + " 第 " + report.revision + " 版。";
    status("");
    var wanted = "";
    try { wanted = decodeURIComponent(location.hash.slice(1)); } catch (e) { wanted = ""; }  // a malformed %-escape in a pasted link
    var target = wanted ? document.getElementById(wanted) : null;
    if (target) {
      var mark = target.tagName === "MARK" ? target : target.parentNode;
      mark.classList.add("target");
      mark.scrollIntoView({ block: "center" });
    }
  }
  function start() {
    var query = new URLSearchParams(location.search), bundle = query.get("b") || "", id = query.get("r") || "";
    if (!/^[0-9a-z-]+$/i.test(bundle) || !/^[0-9a-z]+-\d+$/i.test(id)) { status("未指定报告。请从乡镇页面的“存档”链接进入。"); return; }
    status("正在载入全文……");
    fetch("b/" + bundle + ".json.gz")
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.arrayBuffer(); })
      .then(gunzip)
      .then(function (body) {
        var report = JSON.parse(body).reports[id];
        if (!report) { status("存档中没有这份报告（" + id + "）。"); return; }
        show(report);
      })
      .catch(function () { status("全文未能载入。全文也在“数据下载”的数据包（texts/<年度>.jsonl.gz）中。"); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
