// Makes the server's static chart SVGs interactive: each .vega-chart carries its Vega-Lite spec as JSON;
// vega-embed redraws it in place (with tooltips). Vega loads only on pages that have a chart, from
// /static/vega (bundled, never fetched from elsewhere). Without JavaScript the static SVG stays.
(function () {
  "use strict";
  var bundles = ["/static/vega/vega.min.js", "/static/vega/vega-lite.min.js", "/static/vega/vega-embed.min.js"];
  var loading = null;

  function load(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function vega() {
    if (!loading) {
      loading = bundles.reduce(function (chain, src) {
        return chain.then(function () { return load(src); });
      }, Promise.resolve());
    }
    return loading;
  }

  function embed(root) {
    var charts = (root || document).querySelectorAll(".vega-chart:not([data-embedded])");
    if (!charts.length) return;
    vega().then(function () {
      charts.forEach(function (chart) {
        var holder = chart.querySelector("script.vega-spec");
        if (!holder || chart.hasAttribute("data-embedded")) return;
        chart.setAttribute("data-embedded", "pending");
        var view = document.createElement("div");
        view.className = "chart-view";
        chart.appendChild(view);
        window.vegaEmbed(view, JSON.parse(holder.textContent), {
          mode: "vega-lite", renderer: "svg", actions: false, ast: true, tooltip: { theme: "light" }
        }).then(function () {
          var still = chart.querySelector(".chart-static");
          if (still) still.remove();
          chart.setAttribute("data-embedded", "yes");
        }).catch(function () {
          view.remove();  // keep the static picture
          chart.setAttribute("data-embedded", "failed");
        });
      });
    }).catch(function () { /* no bundles: the static SVG stays */ });
  }

  document.addEventListener("DOMContentLoaded", function () { embed(document); });
  document.addEventListener("htmx:afterSettle", function (event) { embed(event.target); });
})();
