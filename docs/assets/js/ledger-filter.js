// The findings ledger page: filter its rows by section and status.
// Progressive enhancement: without JavaScript the page is one table per section with a status
// column, and the form keeps its place but stays invisible (no layout shift when it appears). Runs on every page, does nothing elsewhere.

function setUp() {
  const form = document.getElementById("ledger-filter");
  if (!form || form.dataset.ready) return;
  form.dataset.ready = "1";
  const sections = [...document.querySelectorAll(".btc-ledger-section")];
  const rows = [...document.querySelectorAll(".btc-ledger--full tbody tr")];
  const statusWords = new Map();
  for (const row of rows) {
    const words = row.querySelector(".btc-status");
    if (!statusWords.has(row.dataset.status)) statusWords.set(row.dataset.status, words ? words.textContent : row.dataset.status);
  }
  for (const section of sections) {
    const heading = section.querySelector("h2");
    form.section.add(new Option(heading ? heading.textContent.replace(/¶$/, "").trim() : section.dataset.section, section.dataset.section));
  }
  for (const [status, words] of statusWords) form.status.add(new Option(`${status}: ${words}`, status));

  const apply = () => {
    const wantSection = form.section.value;
    const wantStatus = form.status.value;
    let shown = 0;
    for (const section of sections) {
      const inSection = !wantSection || section.dataset.section === wantSection;
      let visible = 0;
      for (const row of section.querySelectorAll("tbody tr")) {
        const show = inSection && (!wantStatus || row.dataset.status === wantStatus);
        row.hidden = !show;
        if (show) visible += 1;
      }
      section.hidden = visible === 0;
      shown += visible;
    }
    form.shown.value = `${shown} of ${rows.length} findings shown`;
  };
  form.addEventListener("change", apply);
  form.classList.remove("btc-ledger-filter--pending");
  apply();
}

// The row a reader arrives at (#finding-<id>) is highlighted by :target; Material's instant
// navigation changes the address with pushState, which does not move :target, so the row also
// gets a class.
function markArrival() {
  for (const row of document.querySelectorAll(".btc-ledger tr.btc-arrived")) row.classList.remove("btc-arrived");
  const id = decodeURIComponent(location.hash.slice(1));
  const row = id.startsWith("finding-") ? document.getElementById(id) : null;
  if (!row) return;
  row.classList.add("btc-arrived");
  // Material scrolls a table row under the table's sticky header row; scrollIntoView keeps the
  // row's scroll-margin (the site header and the header row above it).
  requestAnimationFrame(() => row.scrollIntoView({ block: "start" }));
}

function onPage() {
  setUp();
  markArrival();
}

window.addEventListener("hashchange", markArrival);
if (window.document$) window.document$.subscribe(onPage);
else onPage();
