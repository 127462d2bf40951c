// Interactive chart runtime, bundled by esbuild into assets/js/vega-runtime.js at build time.
// It upgrades each static chart figure to a live Vega view drawn from the precompiled spec.
// No eval: expressions run through vega-interpreter, so a strict CSP without 'unsafe-eval' holds.
import { View, parse } from "vega";
import { expressionInterpreter } from "vega-interpreter";
import { Handler } from "vega-tooltip";

const views = new Map(); // figure element -> { view, host, scheme }
const specs = new Map(); // URL -> Promise<spec>

function currentScheme() {
  return document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
}

function fetchSpec(url) {
  if (!specs.has(url)) {
    specs.set(
      url,
      fetch(url).then((response) => {
        if (!response.ok) throw new Error(`chart spec ${url}: HTTP ${response.status}`);
        return response.json();
      }),
    );
  }
  return specs.get(url);
}

async function render(figure) {
  const scheme = currentScheme();
  const existing = views.get(figure);
  if (existing && existing.scheme === scheme) return;
  const url = figure.dataset[scheme === "dark" ? "vegaDark" : "vegaLight"];
  const spec = await fetchSpec(url);
  const host = document.createElement("div");
  host.className = "btc-chart__view";
  host.setAttribute("role", "presentation");
  const tooltip = new Handler({ theme: scheme, disableDefaultStyle: true });
  const view = new View(parse(spec, null, { ast: true }), {
    expr: expressionInterpreter,
    renderer: "svg",
    container: host,
    hover: true,
    tooltip: tooltip.call,
  });
  await view.runAsync();
  // Swap only once the new view has drawn, so the picture never blinks or moves.
  const frame = figure.querySelector(".btc-chart__frame");
  frame.appendChild(host);
  if (existing) {
    existing.view.finalize();
    existing.host.remove();
  }
  views.set(figure, { view, host, scheme });
  figure.classList.add("btc-chart--interactive");
}

function forgetDetached() {
  // Instant navigation replaces the page body: finalize views whose figure left the document.
  for (const [figure, entry] of views) {
    if (!figure.isConnected) {
      entry.view.finalize();
      views.delete(figure);
    }
  }
}

export async function upgradeAll(root = document) {
  forgetDetached();
  const figures = [...root.querySelectorAll("figure.btc-chart[data-chart]")];
  const results = await Promise.allSettled(figures.map(render));
  for (const result of results) {
    if (result.status === "rejected") console.warn(result.reason); // the static chart stays
  }
}

// Follow Material's palette switch live.
new MutationObserver(() => upgradeAll()).observe(document.body, {
  attributes: true,
  attributeFilter: ["data-md-color-scheme"],
});

// For tests and debugging: how many live views exist.
window.__btcCharts = { count: () => views.size, upgradeAll };
