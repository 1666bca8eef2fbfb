"use strict";
// The page's only script: the filter, j/k between steps, and the current step in the URL.
(() => {
  const collect = () => Array.from(document.querySelectorAll("main > section.step"));
  let steps = collect();
  const filter = document.getElementById("filter");
  const count = document.getElementById("filter-count");
  let texts = null;
  let current = -1;

  const visible = () => steps.filter((s) => !s.classList.contains("hidden"));

  const select = (step, scroll) => {
    if (current >= 0) steps[current].classList.remove("current");
    current = steps.indexOf(step);
    step.classList.add("current");
    history.replaceState(null, "", "#" + step.id);
    if (scroll) step.scrollIntoView({ block: "start" });
    step.focus({ preventScroll: true });
  };

  const move = (by) => {
    const shown = visible();
    if (shown.length === 0) return;
    const at = current >= 0 ? shown.indexOf(steps[current]) : -1;
    let next;
    if (at < 0) {
      next = by > 0 ? shown.find((s) => steps.indexOf(s) > current) || shown[0] : shown[shown.length - 1];
    } else {
      next = shown[Math.min(shown.length - 1, Math.max(0, at + by))];
    }
    select(next, true);
  };

  const apply = () => {
    const q = filter.value.trim().toLowerCase();
    // textContent of every step, read once: cheap next to a re-read per keystroke.
    if (q && texts === null) texts = steps.map((s) => s.textContent.toLowerCase());
    let shown = 0;
    steps.forEach((s, i) => {
      const hit = !q || texts[i].includes(q);
      s.classList.toggle("hidden", !hit);
      if (hit) shown += 1;
    });
    count.textContent = q ? shown + " of " + steps.length + " steps" : "";
  };

  let pending = 0;
  filter.addEventListener("input", () => {
    clearTimeout(pending);
    pending = setTimeout(apply, 80);
  });
  filter.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { clearTimeout(pending); apply(); }
    if (e.key === "Escape") { filter.value = ""; apply(); filter.blur(); }
  });

  document.addEventListener("keydown", (e) => {
    if (e.target instanceof HTMLInputElement || e.metaKey || e.ctrlKey || e.altKey) return;
    if (e.key === "j") { e.preventDefault(); move(1); }
    else if (e.key === "k") { e.preventDefault(); move(-1); }
    else if (e.key === "/") { e.preventDefault(); filter.focus(); }
  });

  const fromHash = () => {
    const target = location.hash && document.getElementById(location.hash.slice(1));
    if (target && steps.includes(target)) select(target, true);
  };
  window.addEventListener("hashchange", fromHash);
  fromHash();

  // For tests and the curious: when the page was ready, and how many steps it holds.
  const root = document.documentElement;
  root.dataset.readyMs = performance.now().toFixed(1);
  root.dataset.steps = String(steps.length);

  // A live page (`--live`): the server says when the trajectory grew; fetch the page again
  // and swap the header and the steps, keeping the filter, the current step and, when the
  // reader was at the bottom, following the newest step.
  if (root.dataset.live !== "1" || root.dataset.ended === "1") return;
  const events = new EventSource("/events");
  let busy = false;
  let again = false;
  const refresh = async () => {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const response = await fetch(location.pathname, { cache: "no-store" });
      if (!response.ok) return;
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const following = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
      for (const part of ["header.run-head", "main#steps"]) {
        const fresh = doc.querySelector(part);
        const old = document.querySelector(part);
        if (fresh && old) old.replaceWith(document.adoptNode(fresh));
      }
      const currentId = current >= 0 ? steps[current].id : null;
      steps = collect();
      texts = null;
      current = -1;
      const kept = currentId && document.getElementById(currentId);
      if (kept && steps.includes(kept)) {
        current = steps.indexOf(kept);
        kept.classList.add("current");
      }
      apply();
      root.dataset.steps = String(steps.length);
      root.dataset.updates = String(Number(root.dataset.updates || 0) + 1);
      if (following) window.scrollTo(0, document.body.scrollHeight);
      if (doc.documentElement.dataset.ended === "1") {
        root.dataset.ended = "1";
        events.close();
      }
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  };
  events.addEventListener("update", refresh);
})();
