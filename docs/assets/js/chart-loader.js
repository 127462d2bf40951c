// Keeps the heavy Vega runtime off the page until a reader reaches for a chart (pointer, touch
// or keyboard focus): the static SVG charts are already there, so a reader who only reads never
// downloads or runs it, and nothing competes with the page's first render.
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
}

// Material's instant navigation swaps pages without reloading scripts; its document$ stream
// fires on every page, the first included.
if (window.document$) window.document$.subscribe(upgrade);
else upgrade();
