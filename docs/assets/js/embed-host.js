// For newsroom pages that embed our charts: fits each of our iframes to its chart's height,
// growing and shrinking with it. Load it with <script src=".../embed-host.js" async></script>,
// from our site or a copy on your own (a host whose policy says script-src 'self'); nothing
// inline is needed, so it works under a strict Content-Security-Policy.
(() => {
  if (window.__btcEmbedHost) return; // pasted twice with two charts: one helper is enough
  window.__btcEmbedHost = true;

  const originOf = (frame) => {
    try {
      return new URL(frame.src, document.baseURI).origin;
    } catch {
      return null;
    }
  };

  // A size report counts only from a window that is one of this page's iframes, and only when
  // it comes from the origin that iframe was loaded from: the chart's own site, wherever this
  // script itself was served from.
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || data.type !== "btc-embed-size" || !Number.isFinite(data.height) || data.height < 0) return;
    for (const frame of document.querySelectorAll("iframe")) {
      if (frame.contentWindow === event.source && originOf(frame) === event.origin) {
        frame.style.height = `${Math.ceil(data.height)}px`;
      }
    }
  });

  // Each iframe once, whenever it appears: this async script may run before the parser has
  // reached the later snippets of the page, and pages may add iframes later.
  const adopted = new WeakSet();
  const adopt = () => {
    for (const frame of document.querySelectorAll("iframe")) {
      if (adopted.has(frame)) continue;
      adopted.add(frame);
      // The snippet's style attribute, again through the DOM: a policy without 'unsafe-inline'
      // for styles ignores the attribute but not this.
      if (frame.classList.contains("btc-embed-frame")) {
        Object.assign(frame.style, { display: "block", width: "100%", border: "0" });
      }
      // A frame that loaded before this script missed its first report: ask again (one still
      // loading reports by itself once it has).
      const origin = originOf(frame);
      if (frame.contentWindow && origin && origin !== "null") {
        frame.contentWindow.postMessage({ type: "btc-embed-measure" }, origin);
      }
    }
  };
  adopt();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", adopt);
  new MutationObserver(adopt).observe(document.documentElement, { childList: true, subtree: true });
})();
