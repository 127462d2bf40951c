// Keeps the heavy Vega runtime off the page until a reader reaches for a chart (pointer, touch
// or keyboard focus): the static SVG charts are already there, so a reader who only reads never
// downloads or runs it, and nothing competes with the page's first render.
const runtimeUrl = new URL("./vega-runtime.cde887f3c6d69eac.js", import.meta.url).href;
let runtime;

function loadRuntime() {
  runtime ??= import(runtimeUrl);
  return runtime;
}

function upgrade() {
  const figures = document.querySelectorAll("figure.btc-chart[data-chart]");
  if (!figures.length) return;
  // A tap that loads the runtime is not lost: its mark's tooltip shows once the view is live.
  const go = (tap = null) => loadRuntime().then((module) => module.upgradeAll(document, { tap }));
  for (const figure of figures) {
    // The chart's box is its image for assistive technology; with scripts it is also a tab stop,
    // whose arrow keys read the chart mark by mark (the keyboard mode in vega-runtime.js).
    const frame = figure.querySelector(".btc-chart__frame");
    if (frame && !frame.hasAttribute("tabindex")) {
      const hint = document.createElement("span");
      hint.id = `${figure.id}-keys`;
      hint.hidden = true;
      hint.textContent = "Interactive chart: use the arrow keys to read each mark.";
      figure.appendChild(hint);
      frame.tabIndex = 0;
      frame.setAttribute("aria-describedby", hint.id);
    }
    figure.addEventListener("pointerenter", () => go(), { once: true });
    figure.addEventListener("touchstart", (event) => {
      const touch = event.touches[0];
      go(touch ? { x: touch.clientX, y: touch.clientY } : null);
    }, { once: true, passive: true });
    figure.addEventListener("focusin", () => go(), { once: true });
  }
}

// Material's instant navigation swaps pages without reloading scripts; its document$ stream
// fires on every page, the first included.
if (window.document$) window.document$.subscribe(upgrade);
else upgrade();
