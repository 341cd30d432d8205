// The findings table of hv's HTML report (hv/report/html.py): filters, counter and pages over the
// dictionary-encoded findings embedded in #hv-data. Cells are set with textContent, never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("hv-data").textContent);
  if (!data.total) return;
  var FILTERS = ["town", "village", "rule", "severity"];
  var T = data.text, columns = data.columns, values = data.values, codes = data.codes, groups = data.groups;
  var byId = function (id) { return document.getElementById(id); };
  var selects = {};
  FILTERS.forEach(function (dim) { selects[dim] = byId("f-" + dim); });
  var search = byId("f-search"), counter = byId("counter"), pageLabel = byId("page");
  var prev = byId("prev"), next = byId("next");
  var tbody = document.querySelector("#table tbody");
  var hits = [], page = 0, haystack = null, timer = null;

  function number(x) { return String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function fill(text, pairs) { return text.replace(/\{(\w)\}/g, function (_, key) { return pairs[key]; }); }

  // Counts of all findings (not only the embedded ones) by one filter column, over the accepted groups.
  function totals(dim, accept) {
    var sums = {};
    for (var g = 0; g < groups.n.length; g++) {
      if (accept && !accept(g)) continue;
      var code = groups[dim][g];
      sums[code] = (sums[code] || 0) + groups.n[g];
    }
    return sums;
  }

  function options(dim, sums) {
    var select = selects[dim];
    var items = [[-1, T.all]];
    Object.keys(sums).map(Number).sort(function (a, b) { return a - b; }).forEach(function (code) {
      var name = values[dim][code] || T.blank;
      if (dim === "rule" && data.ruleNames[name]) name += " " + data.ruleNames[name];
      items.push([code, name + " (" + number(sums[code]) + ")"]);
    });
    select.replaceChildren.apply(select, items.map(function (item) {
      var option = document.createElement("option");
      option.value = item[0];
      option.textContent = item[1];
      return option;
    }));
  }

  function active() {
    return FILTERS.map(function (dim) { return [dim, Number(selects[dim].value)]; })
      .filter(function (f) { return f[1] >= 0; });
  }

  function villages() {
    var town = Number(selects.town.value);
    selects.village.disabled = town < 0;
    options("village", town < 0 ? {} : totals("village", function (g) { return groups.town[g] === town; }));
  }

  function apply() {
    var filters = active(), query = search.value.trim().toLowerCase();
    if (query && !haystack) {
      haystack = new Array(data.shown);
      for (var r = 0; r < data.shown; r++) {
        haystack[r] = columns.map(function (c) { return values[c][codes[c][r]]; }).join("\u0001").toLowerCase();
      }
    }
    hits = [];
    for (var i = 0; i < data.shown; i++) {
      var ok = true;
      for (var k = 0; k < filters.length && ok; k++) ok = codes[filters[k][0]][i] === filters[k][1];
      if (ok && query) ok = haystack[i].indexOf(query) >= 0;
      if (ok) hits.push(i);
    }
    var line = fill(T.shown, { x: number(hits.length), y: number(data.shown) });
    if (data.shown < data.total) {
      var all = 0;
      for (var g = 0; g < groups.n.length; g++) {
        var match = true;
        for (var f = 0; f < filters.length && match; f++) match = groups[filters[f][0]][g] === filters[f][1];
        if (match) all += groups.n[g];
      }
      line += " " + (query ? T.search_local : fill(T.full_count, { z: number(all) }));
    }
    counter.textContent = line;
    page = 0;
    render();
  }

  function render() {
    var pages = Math.max(1, Math.ceil(hits.length / data.pageRows));
    page = Math.min(Math.max(page, 0), pages - 1);
    var rows = document.createDocumentFragment();
    hits.slice(page * data.pageRows, (page + 1) * data.pageRows).forEach(function (i) {
      var tr = document.createElement("tr");
      tr.className = "sev-" + data.severityKeys[codes.severity[i]];
      columns.forEach(function (c) {
        var td = document.createElement("td");
        td.className = "c-" + c;
        td.textContent = values[c][codes[c][i]];
        tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    tbody.replaceChildren(rows);
    pageLabel.textContent = fill(T.page, { p: number(page + 1), n: number(pages) });
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }

  var head = document.createElement("tr");
  columns.forEach(function (c, i) {
    var th = document.createElement("th");
    th.className = "c-" + c;
    th.textContent = data.labels[i];
    head.appendChild(th);
  });
  document.querySelector("#table thead").appendChild(head);
  ["town", "rule", "severity"].forEach(function (dim) { options(dim, totals(dim)); });
  villages();
  selects.town.addEventListener("change", function () { villages(); apply(); });
  ["village", "rule", "severity"].forEach(function (dim) { selects[dim].addEventListener("change", apply); });
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
  prev.addEventListener("click", function () { page -= 1; render(); });
  next.addEventListener("click", function () { page += 1; render(); });
  apply();
})();
