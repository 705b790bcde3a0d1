// SPECTRUM ERM: progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var csrf = function () { var m = document.querySelector('meta[name="csrf-token"]'); return m ? m.content : ""; };

  // The global search: "/" or Ctrl+K (Cmd+K) puts the cursor in it, Escape leaves it.
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("global-search");
    if (!box) { return; }
    var typing = event.target.closest && event.target.closest("input, textarea, select, [contenteditable]");
    if ((event.key === "/" && !typing) || (event.key.toLowerCase() === "k" && (event.ctrlKey || event.metaKey))) {
      event.preventDefault(); box.focus(); box.select();
    } else if (event.key === "Escape" && event.target.closest && event.target.closest(".globalsearch")) {
      box.blur();
    }
  });

  // Ask before leaving a form with unsaved changes.
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-warn-unsaved]");
    if (form) { form.dataset.dirty = "1"; }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) { event.preventDefault(); return; }
    if (form.hasAttribute && form.hasAttribute("data-warn-unsaved")) { form.dataset.dirty = ""; }
  }, true);
  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector("form[data-warn-unsaved][data-dirty='1']")) { event.preventDefault(); event.returnValue = ""; }
  });

  // Kanban drag and drop: dropping a card posts its move form with the column's value.
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".kcard[draggable=true]");
    if (!card) { return; }
    dragged = card; event.dataTransfer.effectAllowed = "move"; event.dataTransfer.setData("text/plain", card.dataset.id);
  });
  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest(".column");
    if (dragged && column) { event.preventDefault(); column.classList.add("drop-target"); }
  });
  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest(".column");
    if (column) { column.classList.remove("drop-target"); }
  });
  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".column");
    if (!dragged || !column) { return; }
    event.preventDefault();
    column.classList.remove("drop-target");
    var form = dragged.querySelector("form.move");
    if (form && column !== dragged.closest(".column")) {
      form.elements.value.value = column.dataset.value;
      if (window.htmx) { window.htmx.trigger(form, "submit"); } else { form.submit(); }
    }
    dragged = null;
  });
  // A control marked data-autosubmit (a filter that applies as soon as it is chosen) submits at once.
  document.addEventListener("change", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-autosubmit") && event.target.form) {
      event.target.form.requestSubmit();
    }
  });

  // A sub-form (a JSON field edited as inputs) shows the part of the value its discriminator field has.
  document.addEventListener("change", function (event) {
    var control = event.target, form = control.form;
    if (!form || !control.name) { return; }
    form.querySelectorAll("fieldset[data-subform-of]").forEach(function (fieldset) {
      if (fieldset.dataset.subformOf !== control.name) { return; }
      fieldset.querySelectorAll(".subform-part").forEach(function (part) {
        part.classList.toggle("chosen", part.dataset.part === control.value);
      });
    });
  });

  // A filter builder's "Add a condition" gives it another blank row, numbered after the
  // others where its inputs are numbered (name.<i>.field), the same names where they repeat.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-builder-add]");
    if (!button) { return; }
    var rows = button.parentElement.querySelector(".builder-rows");
    var row = rows.lastElementChild.cloneNode(true), index = rows.children.length;
    row.querySelectorAll("[name]").forEach(function (input) {
      input.name = input.name.replace(/\.\d+\.(field|operator|value)$/, "." + index + ".$1");
      if (input.tagName === "SELECT") { input.selectedIndex = 0; } else { input.value = ""; }
    });
    rows.appendChild(row);
    row.querySelector("select").focus();
  });

  // Bulk actions: a person or a linked record is picked by name. The picker searches the
  // users for "assign to", the chosen field's target for "set field"; a plain field keeps
  // the text box.
  function bulkPicker(form) {
    var action = form.elements.action, field = form.elements.field, pick = form.querySelector("#bulk-pick");
    if (!action || !pick) { return; }
    var chosen = field && field.selectedOptions[0];
    var target = action.value === "assign" ? "users" : (action.value === "set" && chosen ? chosen.dataset.target : "");
    var picker = pick.closest(".bulk-picker"), text = form.querySelector("#bulk-value");
    picker.hidden = !target;
    if (text) { text.hidden = !!target || action.value !== "set"; }
    if (field) { field.hidden = action.value !== "set"; }
    if (target && pick.dataset.target !== target) {
      pick.dataset.target = target;
      pick.setAttribute("hx-get", "/m/" + target + "/options?empty=1");
      pick.value = "";
      form.querySelector("#bulk-value-id").innerHTML = "<option value=\"\">—</option>";
      if (window.htmx) { window.htmx.process(pick); }
    }
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form.bulk");
    if (form && (event.target.name === "action" || event.target.name === "field")) { bulkPicker(form); }
  });
  document.addEventListener("DOMContentLoaded", function () { document.querySelectorAll("form.bulk").forEach(bulkPicker); });
  // A search answering late (the one sent on focus, after the typed one's) must not undo
  // a choice already made: the chosen record stays chosen when the list it is in comes back.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var select = event.detail.target;
    if (select && select.id === "bulk-value-id") { select.dataset.kept = select.value; }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var select = event.detail.target;
    if (!select || select.id !== "bulk-value-id" || !select.dataset.kept) { return; }
    var kept = Array.prototype.find.call(select.options, function (option) { return option.value === select.dataset.kept; });
    if (kept) { select.value = kept.value; }
  });

  // A header's quick action ("Log a call") leads to its panel's form with some inputs preset.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.quick[data-panel]");
    var panel = link && document.getElementById(link.dataset.panel);
    if (!panel) { return; }
    var named = link.dataset.focus && panel.querySelector('[name="' + link.dataset.focus + '"]');
    var form = (named && named.form) || panel.querySelector("form");
    if (!form) { return; }
    event.preventDefault();
    var preset = JSON.parse(link.dataset.preset || "{}");
    Object.keys(preset).forEach(function (name) { if (form.elements[name]) { form.elements[name].value = preset[name]; } });
    panel.scrollIntoView({ block: "start" });
    var focus = named || form.querySelector("input:not([type=hidden]), textarea, select");
    if (focus && focus.focus) { focus.focus(); }
  });

  // Charts: each canvas names the JSON block of its data; tables stay for readers without JavaScript.
  // A chart fills its card's box (its height set in app.css), takes the page's colours (light
  // or dark), and counts get whole-number ticks: no "2.5 tickets".
  function drawCharts() {
    if (!window.Chart) { return; }
    var style = window.getComputedStyle(document.documentElement);
    var line = style.getPropertyValue("--line").trim() || "#dde2ea";
    window.Chart.defaults.color = style.getPropertyValue("--muted").trim() || "#5b6475";
    var palette = ["#4f7cff", "#22a06b", "#f5a524", "#e5484d", "#8e4ec6", "#0ea5b7", "#d6409f", "#8d6e63"];
    document.querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chartSource);
      if (canvas.dataset.drawn || !source) { return; }
      var data = JSON.parse(source.textContent), kind = canvas.dataset.kind;
      var type = kind === "funnel" ? "bar" : kind;
      var round = data.series.every(function (s) {
        return s.data.every(function (value) { return value === null || Number.isInteger(Number(value)); });
      });
      var circular = type === "pie" || type === "doughnut";
      var valueAxis = { beginAtZero: true, ticks: round ? { precision: 0 } : {}, grid: { color: line }, stacked: !!data.stacked };
      var labelAxis = { grid: { color: line, display: false }, stacked: !!data.stacked };
      var datasets = data.series.map(function (s, i) {
        var colour = palette[i % palette.length];
        return circular ? { label: s.name, data: s.data, backgroundColor: palette, borderColor: style.getPropertyValue("--card").trim() }
          : { label: s.name, data: s.data, backgroundColor: colour + (type === "line" ? "33" : "cc"), borderColor: colour,
              fill: type === "line" && data.series.length === 1, tension: 0.25 };
      });
      new window.Chart(canvas, {
        type: type,
        data: { labels: data.labels, datasets: datasets },
        options: { indexAxis: kind === "funnel" ? "y" : "x", responsive: true, maintainAspectRatio: false,
                   animation: false, scales: circular ? {} : (kind === "funnel" ? { x: valueAxis, y: labelAxis }
                                                              : { y: valueAxis, x: labelAxis }),
                   plugins: { legend: { display: data.series.length > 1 || circular } } }
      });
      canvas.dataset.drawn = "1";
    });
  }
  // Mentions: typing "@" and a letter or two in a text box offers the colleagues matching; choosing
  // one (click, or Enter on it after the Down arrow) writes what names them ("@Bob Baker ").
  var mentionAsked = 0;
  function mentionTerm(box) {
    var match = /(?:^|\s)@([^\s@]{1,40})$/.exec(box.value.slice(0, box.selectionStart));
    return match ? match[1] : null;
  }
  function closeMentions(box) {
    var list = box && box.nextElementSibling;
    if (list && list.classList.contains("mention-list")) { list.remove(); }
  }
  function chooseMention(box, mention) {
    var caret = box.selectionStart, before = box.value.slice(0, caret), term = mentionTerm(box);
    if (term === null) { return; }
    var start = caret - term.length - 1;
    box.value = before.slice(0, start) + "@" + mention + " " + box.value.slice(caret);
    box.selectionStart = box.selectionEnd = start + mention.length + 2;
    closeMentions(box);
    box.focus();
  }
  function offerMentions(box, html) {
    closeMentions(box);
    var options = new DOMParser().parseFromString("<select>" + html + "</select>", "text/html").querySelectorAll("option");
    if (!options.length) { return; }
    var list = document.createElement("ul");
    list.className = "mention-list";
    list.setAttribute("aria-label", "People to mention");
    options.forEach(function (option) {
      var item = document.createElement("li"), button = document.createElement("button");
      button.type = "button";
      button.textContent = option.textContent;
      button.dataset.mention = option.value;
      item.appendChild(button);
      list.appendChild(item);
    });
    box.insertAdjacentElement("afterend", list);
  }
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea")) { return; }
    var term = mentionTerm(box), asked = ++mentionAsked;
    if (term === null) { closeMentions(box); return; }
    fetch("/notifications/people?q=" + encodeURIComponent(term), { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.text() : ""; })
      .then(function (html) { if (asked === mentionAsked && mentionTerm(box) === term) { offerMentions(box, html); } });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".mention-list button");
    if (button) { chooseMention(button.closest(".mention-list").previousElementSibling, button.dataset.mention); }
  });
  document.addEventListener("keydown", function (event) {
    var list = event.target.matches && event.target.matches("textarea") && event.target.nextElementSibling;
    if (list && list.classList.contains("mention-list")) {
      if (event.key === "ArrowDown") { event.preventDefault(); list.querySelector("button").focus(); }
      else if (event.key === "Escape") { closeMentions(event.target); }
    }
  });

  window.addEventListener("load", drawCharts);
  // Pivot tables: a row group's button folds its nested groups away and back.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-fold]");
    if (!button) { return; }
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.closest("table").querySelectorAll("tr[data-parent]").forEach(function (row) {
      if (row.dataset.parent === button.dataset.fold) { row.hidden = !open; }
    });
  });
  document.addEventListener("htmx:afterSwap", drawCharts);
  window.spectrumCsrf = csrf;
})();
