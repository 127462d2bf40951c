// Keeps the heavy Vega runtime off the critical path: the static SVG charts are already on the
// page; the runtime loads when a reader reaches for a chart or the browser is idle.
const runtimeUrl = new URL("./vega-runtime.js", import.meta.url).href;
let runtime;

function loadRuntime() {
  runtime ??= import(runtimeUrl);
  return runtime;
}

function upgrade() {
  const figures = document.querySelectorAll("figure.btc-chart[data-chart]");
  if (!figures.length) return;
  const go = () => loadRuntime().then((module) => module.upgradeAll(document));
  for (const figure of figures) {
    figure.addEventListener("pointerenter", go, { once: true });
    figure.addEventListener("focusin", go, { once: true });
  }
  if ("requestIdleCallback" in window) requestIdleCallback(go, { timeout: 2500 });
  else setTimeout(go, 1200);
}

// Material's instant navigation swaps pages without reloading scripts; its document$ stream
// fires on every page, the first included.
if (window.document$) window.document$.subscribe(upgrade);
else upgrade();
