// Aerie's small enhancements; every page works without them. Grapheme counter in the
// composer, likes/reposts toggled in place, "Load more" fetched in place (and on scroll),
// a confirmation before deleting, @-mention suggestions in the composer.
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
  // @-mentions: typing "@abc" in a composer lists up to 8 accounts (/search/mention, as the
  // signed-in user);
  // arrows move, Enter/Tab or a click puts "@handle " in place of what was typed, Escape closes.
  function mentions(area) {
    var list = document.getElementById(area.getAttribute("aria-controls"));
    if (!list || area.dataset.mentions) return;
    area.dataset.mentions = "1";
    var items = [], active = -1, start = -1, timer = 0, asked = 0;
    function close() {
      list.hidden = true; list.textContent = ""; items = []; active = -1; start = -1;
      area.removeAttribute("aria-activedescendant");
    }
    function mark(i) {
      active = i;
      Array.from(list.children).forEach(function (li, j) { li.setAttribute("aria-selected", j === i ? "true" : "false"); });
      if (i >= 0 && list.children[i]) area.setAttribute("aria-activedescendant", list.children[i].id);
    }
    function pick(i) {
      var a = items[i]; if (!a || start < 0) return;
      var end = area.selectionStart, text = "@" + a.handle + " ";
      area.value = area.value.slice(0, start) + text + area.value.slice(end);
      var at = start + text.length;
      close(); area.focus(); area.setSelectionRange(at, at);
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function show(actors, from) {
      list.textContent = ""; items = actors; start = from;
      if (!actors.length) { close(); return; }
      actors.forEach(function (a, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i; li.setAttribute("role", "option");
        var name = document.createElement("span"); name.className = "name"; name.textContent = a.displayName || a.handle;
        var handle = document.createElement("span"); handle.className = "handle"; handle.textContent = "@" + a.handle;
        li.appendChild(name); li.appendChild(document.createTextNode(" ")); li.appendChild(handle);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      list.hidden = false; mark(0);
    }
    function typed() {
      var before = area.value.slice(0, area.selectionStart);
      var m = /(^|[\s(])@([a-zA-Z0-9][a-zA-Z0-9.-]{0,63})$/.exec(before);
      clearTimeout(timer);
      if (!m || area.selectionStart !== area.selectionEnd) { close(); return; }
      var from = before.length - m[2].length - 1, q = m[2], n = ++asked;
      timer = setTimeout(function () {
        fetch("/search/mention?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { actors: [] }; })
          .then(function (res) { if (n === asked) show((res.actors || []).filter(function (a) { return a && a.handle; }), from); })
          .catch(function () { if (n === asked) close(); });
      }, 120);
    }
    area.addEventListener("input", typed);
    area.addEventListener("blur", function () { clearTimeout(timer); asked++; close(); });
    area.addEventListener("keydown", function (e) {
      if (list.hidden || !items.length) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        mark((active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length);
      } else if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault(); pick(active < 0 ? 0 : active);
      } else if (e.key === "Escape") {
        e.preventDefault(); asked++; close();
      }
    });
    close();
  }
  document.querySelectorAll("textarea[aria-autocomplete][aria-controls]").forEach(mentions);
})();
