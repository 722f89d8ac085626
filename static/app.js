// Aerie's small enhancements; every page works without them. Grapheme counter in the
// composer, likes/reposts toggled in place, "Load more" fetched in place (and on scroll),
// a confirmation before deleting.
(function () {
  "use strict";
  var seg = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
  function graphemes(s) {
    if (!seg) return Array.from(s).length;
    var n = 0; for (var _ of seg.segment(s)) n++; return n;
  }
  function counters(root) {
    root.querySelectorAll("[data-counter]").forEach(function (c) {
      var area = document.getElementById(c.getAttribute("data-counter"));
      if (!area || area.dataset.counted) return;
      area.dataset.counted = "1";
      var limit = parseInt(area.getAttribute("data-limit") || "300", 10);
      var button = area.form && area.form.querySelector("button[type=submit]");
      function update() {
        var left = limit - graphemes(area.value);
        c.textContent = String(left);
        c.classList.toggle("over", left < 0);
        if (button) button.disabled = left < 0;
      }
      area.addEventListener("input", update); update();
    });
  }
  // Sent urlencoded, as the form itself would be (the action handlers take no multipart).
  function post(form) {
    return fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)), headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) { e.preventDefault(); return; }
    if (!form.matches("form.toggle")) return;
    e.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    post(form).then(function (res) {
      form.action = "/action/" + res.next;
      var rec = form.querySelector("input[name=record]");
      if (res.record) {
        if (!rec) { rec = document.createElement("input"); rec.type = "hidden"; rec.name = "record"; form.appendChild(rec); }
        rec.value = res.record;
      } else if (rec) { rec.remove(); }
      if (form.classList.contains("follow")) {
        button.textContent = res.record ? "Following" : "Follow";
        button.classList.toggle("primary", !res.record);
      } else {
        button.classList.toggle("on", !!res.record);
      }
      var use = button.querySelector("use");
      var href = use && use.getAttribute("href");
      if (href && /#(like|liked)$/.test(href)) use.setAttribute("href", href.replace(/#(like|liked)$/, res.record ? "#liked" : "#like"));
      button.setAttribute("aria-pressed", res.record ? "true" : "false");
      var count = button.querySelector(".count");
      if (count && typeof res.count === "number") count.textContent = String(res.count);
    }).catch(function () { form.submit(); }).finally(function () { button.disabled = false; });
  });
  function loadMore(link) {
    if (link.dataset.loading) return;
    link.dataset.loading = "1";
    fetch(link.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var sel = link.getAttribute("data-more");
      var target = document.querySelector(sel), more = doc.querySelector(sel);
      if (target && more) Array.from(more.children).forEach(function (n) { if (!n.matches(".empty")) target.appendChild(n); });
      var next = doc.querySelector("a[data-more]");
      if (next) { link.href = next.href; delete link.dataset.loading; watch(link); } else { link.parentNode.remove(); }
      counters(document);
    }).catch(function () { window.location = link.href; });
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-more]");
    if (link) { e.preventDefault(); loadMore(link); }
  });
  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (en) { if (en.isIntersecting) { observer.unobserve(en.target); loadMore(en.target); } });
  }, { rootMargin: "600px" }) : null;
  function watch(link) { if (observer) observer.observe(link); }
  document.querySelectorAll("a[data-more]").forEach(watch);
  counters(document);
})();
