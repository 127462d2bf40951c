// Keeps the heavy Vega runtime off the critical path: the static SVG charts are already on the
// page; the runtime loads when a reader reaches for a chart, or when the browser is idle after
// the page has loaded (never with Save-Data on: then only a reader's own gesture loads it).
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
    figure.addEventListener("touchstart", go, { once: true, passive: true });
    figure.addEventListener("focusin", go, { once: true });
  }
  if (navigator.connection?.saveData) return;
  const whenIdle = () => ("requestIdleCallback" in window ? requestIdleCallback(go, { timeout: 2500 }) : setTimeout(go, 1200));
  if (document.readyState === "complete") whenIdle();
  else window.addEventListener("load", whenIdle, { once: true });
}

// Material's instant navigation swaps pages without reloading scripts; its document$ stream
// fires on every page, the first included.
if (window.document$) window.document$.subscribe(upgrade);
else upgrade();
