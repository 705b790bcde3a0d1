// The segment form's live count: while the filter, the kind or the included and excluded
// segments are edited, ask the preview endpoint how many contacts would belong and show
// the first ones. Text only (textContent), never markup; no inline script, no eval.
(function () {
  "use strict";

  function start() {
    var box = document.getElementById("segment-live");
    if (!box) { return; }
    var texts = document.getElementById("segment-live-texts").dataset;
    var count = document.getElementById("segment-live-count");
    var error = document.getElementById("segment-live-error");
    var sample = document.getElementById("segment-live-sample");
    var inputs = ["f-filter", "f-kind", "f-include_segments", "f-exclude_segments"]
      .map(function (id) { return document.getElementById(id); })
      .filter(function (input) { return input; });
    var timer = null;
    var asked = 0;

    function value(id) {
      var input = document.getElementById(id);
      return input ? input.value.trim() : "";
    }

    function show(answer) {
      error.hidden = true;
      count.textContent = answer.count === 1 ? texts.one : texts.many.replace("{n}", answer.count.toLocaleString());
      sample.textContent = "";
      answer.sample.forEach(function (contact) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = "/m/contacts/" + contact.id;
        link.textContent = [contact.first_name, contact.last_name].filter(Boolean).join(" ");
        item.appendChild(link);
        if (contact.email) { item.appendChild(document.createTextNode(" " + contact.email)); }
        sample.appendChild(item);
      });
    }

    function refuse(problem) {
      var messages = [];
      Object.keys(problem.errors || {}).forEach(function (field) {
        messages.push(problem.errors[field].join(" "));
      });
      error.textContent = messages.join(" ") || problem.detail || "";
      error.hidden = false;
      count.textContent = "";
      sample.textContent = "";
    }

    function ask() {
      var query = new URLSearchParams({
        kind: value("f-kind") || "dynamic", filter: value("f-filter"),
        include_segments: value("f-include_segments"), exclude_segments: value("f-exclude_segments"),
        sample: "10"
      });
      if (box.dataset.segment) { query.set("segment_id", box.dataset.segment); }
      var mine = ++asked;
      count.textContent = texts.counting;
      fetch(box.dataset.preview + "?" + query.toString(), {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
        .then(function (result) {
          if (mine !== asked) { return; }  // an older answer arriving late
          if (result[0]) { show(result[1]); } else { refuse(result[1]); }
        })
        .catch(function () { if (mine === asked) { count.textContent = ""; } });
    }

    inputs.forEach(function (input) {
      input.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(ask, 300);
      });
      input.addEventListener("change", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(ask, 50);
      });
    });
    ask();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
