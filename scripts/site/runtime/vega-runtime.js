// Interactive chart runtime, bundled by esbuild into assets/js/vega-runtime.js at build time.
// It upgrades each static chart figure to a live Vega view drawn from the precompiled spec.
// No eval: expressions run through vega-interpreter, so a strict CSP without 'unsafe-eval' holds.
import { View, parse } from "vega";
import { expressionInterpreter } from "vega-interpreter";
import { Handler } from "vega-tooltip";

const views = new Map(); // figure element -> { view, host, variant }
const specs = new Map(); // URL -> Promise<spec>

function currentScheme() {
  return document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
}

// Which of the chart's layouts fits: the same media query the static <picture> uses.
function currentVariant(figure) {
  const media = figure.dataset.narrowMedia;
  const narrow = media && window.matchMedia(media).matches;
  return `${currentScheme()}${narrow ? "-narrow" : ""}`;
}

function datasetKey(variant) {
  // "dark-narrow" -> data-vega-dark-narrow -> dataset.vegaDarkNarrow
  return "vega" + variant.split("-").map((part) => part[0].toUpperCase() + part.slice(1)).join("");
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
  const variant = currentVariant(figure);
  const scheme = currentScheme();
  const existing = views.get(figure);
  if (existing && existing.variant === variant) return;
  const url = figure.dataset[datasetKey(variant)];
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
  views.set(figure, { view, host, variant });
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

// Follow the layout switch when a phone turns or a window narrows past the breakpoint.
for (const media of new Set([...document.querySelectorAll("figure.btc-chart[data-narrow-media]")].map((f) => f.dataset.narrowMedia))) {
  window.matchMedia(media).addEventListener("change", () => upgradeAll());
}

// For tests and debugging: how many live views exist.
window.__btcCharts = { count: () => views.size, upgradeAll };
