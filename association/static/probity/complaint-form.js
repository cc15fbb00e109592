/* The new-complaint form, enhanced (templates/cases/complaint_form.html). Without this
   script the form works as it is: the register search page and "add another" buttons.
   With it: the respondent field suggests organizations from the register as you type
   (the server's search, as JSON), and rows of allegations and evidence are added and
   removed in place. Served from 'self', nothing inline: the page's CSP allows it. */
(function () {
  "use strict";

  function suggestRespondents() {
    var input = document.getElementById("id_respondent");
    var list = document.getElementById("respondent-options");
    var finder = document.querySelector("[data-search-url]");
    if (!input || !list || !finder) return;
    var url = finder.getAttribute("data-search-url");
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      var query = input.value.trim();
      if (timer) window.clearTimeout(timer);
      if (query.length < 2 || query === last) return;
      timer = window.setTimeout(function () {
        last = query;
        fetch(url + "?format=json&q=" + encodeURIComponent(query), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.textContent = "";
            data.results.forEach(function (org) {
              var option = document.createElement("option");
              option.value = org.name;
              option.label = org.status + " · " + org.slug;
              list.appendChild(option);
            });
          })
          .catch(function () { /* the plain search link still works */ });
      }, 200);
    });
  }

  function renumber(rows) {
    Array.prototype.forEach.call(rows.querySelectorAll(".formset-row"), function (row, i) {
      var number = row.querySelector("[data-row-number]");
      if (number) number.textContent = String(i + 1);
    });
  }

  function dynamicRows(box) {
    var prefix = box.getAttribute("data-formset");
    var total = box.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var max = box.querySelector("#id_" + prefix + "-MAX_NUM_FORMS");
    var rows = box.querySelector(".formset-rows");
    var template = box.querySelector("template[data-empty-row]");
    var add = box.querySelector("[data-add-row]");
    if (!total || !rows || !template || !add) return;
    var note = box.querySelector("[data-no-js-note]");
    if (note) note.hidden = true;
    Array.prototype.forEach.call(rows.querySelectorAll("[data-remove-row]"), function (b) {
      b.hidden = false;
    });
    add.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10) || 0;
      if (max && index >= parseInt(max.value, 10)) return;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      renumber(rows);
      var first = row.querySelector("input, select, textarea");
      if (first) first.focus();
    });
    rows.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-row]");
      if (!button) return;
      var row = button.closest(".formset-row");
      // A removed row leaves a gap in the numbering; the server skips a missing row.
      if (row) row.remove();
      renumber(rows);
      add.focus();
    });
  }

  suggestRespondents();
  Array.prototype.forEach.call(document.querySelectorAll("[data-formset]"), dynamicRows);
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
