/* coprod review page: what JavaScript adds to forms that work without it.
 *
 * Autosave (about 0.8 s after typing stops), "Play this caption", "Start now"/"End now",
 * undo and redo (one user action a step), the caption under the picture, pausing while typing,
 * and one shortcut that works inside a text box: Control+Shift+Space plays or pauses. Screen
 * readers use Insert, Caps Lock or Control+Option as their own keys, and browsers give
 * Control+Shift+Space no meaning, so it clashes with neither. Tab is never taken over.
 */
(function () {
  "use strict";
  var MIN_CUE_MS = 100, SAVE_DELAY_MS = 800, BURST_MS = 1000, LEAD_MS = 500;
  var KEEPALIVE_MAX = 60000; /* browsers carry at most 64 KB of keepalive bodies */

  document.querySelectorAll("[data-js]").forEach(function (el) { el.hidden = false; });
  document.querySelectorAll(".no-js").forEach(function (el) { el.hidden = true; });

  /* An action's answer takes focus where it is shown (autofocus does it without the script;
     this covers browsers that skip it). */
  var answer = document.querySelector("[autofocus]");
  if (answer && document.activeElement !== answer) { answer.focus(); }

  var form = document.getElementById("captions-form");
  if (!form) { return; }
  var NUDGE_MS = Number(form.getAttribute("data-nudge")) || 250;
  var video = document.getElementById("video");
  var nowBox = document.getElementById("now");
  var status = document.getElementById("save-status");
  var versionField = document.getElementById("version");
  var seeBoth = document.getElementById("see-both");
  var cues = Array.prototype.map.call(form.querySelectorAll("li.cue"), function (li) {
    var n = li.getAttribute("data-n");
    return {
      n: Number(n), li: li, text: form.elements["text-" + n],
      start: form.elements["start-" + n], end: form.elements["end-" + n],
      times: document.getElementById("times-" + n),
      problems: document.getElementById("problems-" + n)
    };
  });
  if (!cues.length) { return; }

  /* --- caption boxes as tall as their words (where CSS field-sizing is not supported) ------ */
  var sized = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");
  function fit(box) {
    if (sized) { return; }
    box.style.height = "auto";
    box.style.height = (box.scrollHeight + box.offsetHeight - box.clientHeight) + "px";
  }
  function fitAll() { cues.forEach(function (c) { fit(c.text); }); }
  fitAll();
  window.addEventListener("resize", fitAll);
  form.addEventListener("input", function (e) { if (e.target.tagName === "TEXTAREA") { fit(e.target); } });

  /* --- time display --------------------------------------------------------------------- */
  function clock(ms) {
    var tenths = Math.floor(Math.max(ms, 0) / 100);
    var minutes = Math.floor(tenths / 600), rest = tenths % 600;
    var secs = Math.floor(rest / 10);
    return minutes + ":" + (secs < 10 ? "0" : "") + secs + "." + (rest % 10);
  }
  var timesTemplate = form.getAttribute("data-times");
  function showTimes(cue) {
    /* The sentence comes from the page (the catalogue); only the two times change. */
    cue.times.textContent = timesTemplate.replace("{start}", clock(Number(cue.start.value)))
      .replace("{end}", clock(Number(cue.end.value)));
  }

  /* --- undo and redo: snapshots of every caption, one user action a step ----------------- */
  function snapshot() {
    return cues.map(function (c) { return [c.text.value, c.start.value, c.end.value]; });
  }
  function restore(snap) {
    snap.forEach(function (v, i) {
      cues[i].text.value = v[0]; cues[i].start.value = v[1]; cues[i].end.value = v[2];
      showTimes(cues[i]); fit(cues[i].text);
    });
  }
  var undoStack = [], redoStack = [], settled = snapshot(), burstField = null, burstTimer = null;
  function endBurst() { burstField = null; settled = snapshot(); }
  function beginAction() {
    undoStack.push(settled); redoStack = [];
    if (undoStack.length > 500) { undoStack.shift(); }
    updateUndoButtons();
  }
  var undoButton = document.getElementById("undo"), redoButton = document.getElementById("redo");
  function updateUndoButtons() {
    undoButton.disabled = !undoStack.length;
    redoButton.disabled = !redoStack.length;
  }
  function step(from, to) {
    if (burstField) { window.clearTimeout(burstTimer); endBurst(); }
    if (!from.length) { return; }
    to.push(snapshot());
    restore(from.pop());
    settled = snapshot();
    updateUndoButtons();
    scheduleSave(0);
  }
  undoButton.addEventListener("click", function () { step(undoStack, redoStack); });
  redoButton.addEventListener("click", function () { step(redoStack, undoStack); });
  updateUndoButtons();

  /* --- saving ----------------------------------------------------------------------------- */
  var saveTimer = null, inFlight = null, dirty = false, stopped = false, pressed = false;
  function say(text) {
    status.textContent = text;
    /* After the Save button, the answer takes focus; while typing, it is only announced. */
    if (pressed && text !== status.getAttribute("data-saving")) {
      pressed = false; status.focus();
    }
  }
  function body() {
    /* The whole track, as JSON: what the plain form sends, without 900 form fields. */
    return JSON.stringify({
      clip: form.elements.clip.value, version: versionField.value,
      cues: cues.map(function (c) {
        return [Number(c.start.value), Number(c.end.value), c.text.value];
      })
    });
  }
  function showProblems(found) {
    cues.forEach(function (c) {
      var rules = found[String(c.n)] || [];
      var list = c.problems.querySelector("ul");
      list.textContent = "";
      rules.forEach(function (words) {
        var li = document.createElement("li"); li.textContent = words; list.appendChild(li);
      });
      c.problems.hidden = !rules.length;
      var ids = ["times-" + c.n].concat(rules.length ? ["problems-" + c.n] : []);
      c.text.setAttribute("aria-describedby", ids.join(" "));
    });
  }
  function save() {
    if (stopped) { return Promise.resolve(); }
    if (inFlight) { return inFlight.then(function () { return dirty ? save() : null; }); }
    dirty = false;
    var sent = body(), sentTexts = cues.map(function (c) { return c.text.value; });
    inFlight = fetch("/save", {
      method: "POST", body: sent, credentials: "same-origin",
      /* keepalive: the save is finished even when the person leaves the page at once. */
      keepalive: sent.length < KEEPALIVE_MAX,
      headers: { "Accept": "application/json", "Content-Type": "application/json",
                 "X-CSRFToken": form.elements.csrftoken.value }
    }).then(function (r) {
      return r.json().then(function (json) { return { code: r.status, json: json }; });
    }).then(function (res) {
      if (res.code === 409) {
        stopped = true; seeBoth.hidden = false;
        say((res.json && res.json.message) || status.getAttribute("data-conflict"));
        return;
      }
      if (res.code === 403 && res.json.status === "stopped") {
        stopped = true; say(res.json.message); return;
      }
      if (res.code !== 200) { throw new Error("save " + res.code); }
      versionField.value = res.json.version;
      if (res.json.cues) { takeMerged(res.json.cues, sentTexts); }
      reloadTrack(res.json.version);
      showProblems(res.json.problems || {});
      say(res.json.message);
    }).catch(function () {
      dirty = true; say(status.getAttribute("data-failed"));
    }).then(function () { inFlight = null; });
    return inFlight;
  }
  function takeMerged(merged, sentTexts) {
    /* Another tab's edits to other captions were merged in: show them, except in a box
       typed in since this save was sent. */
    merged.forEach(function (m, i) {
      var c = cues[i];
      if (!c || c.text.value !== sentTexts[i]) { return; }
      if (c.text.value !== m[2]) { c.text.value = m[2]; fit(c.text); }
      c.start.value = String(m[0]); c.end.value = String(m[1]); showTimes(c);
    });
    settled = snapshot();
  }
  function reloadTrack(version) {
    /* The video's captions track shows the words as saved: a new element loads them again. */
    var old = document.getElementById("track");
    if (!old || old.getAttribute("data-v") === version) { return; }
    var fresh = old.cloneNode(false);
    fresh.src = old.src.replace(/\?.*$/, "") + "?v=" + version.slice(0, 16);
    fresh.setAttribute("data-v", version);
    old.parentNode.replaceChild(fresh, old);
    fresh.track.mode = "showing";
  }
  function scheduleSave(delay) {
    dirty = true;
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(save, delay);
  }
  form.addEventListener("input", function (e) {
    var field = e.target;
    if (!field.name || field.name.indexOf("text-") !== 0) { return; }
    if (video && !video.paused) { video.pause(); }
    if (burstField !== field) {
      if (burstField) { endBurst(); }
      beginAction(); burstField = field;
    }
    window.clearTimeout(burstTimer);
    burstTimer = window.setTimeout(endBurst, BURST_MS);
    scheduleSave(SAVE_DELAY_MS);
  });
  form.addEventListener("focusout", function (e) {
    if (burstField) { window.clearTimeout(burstTimer); endBurst(); }
    /* Leaving a caption box saves it at once: following a link straight after typing loses
       nothing. */
    if (dirty && e.target.name && e.target.name.indexOf("text-") === 0) {
      window.clearTimeout(saveTimer); save();
    }
  });
  window.addEventListener("pagehide", function () {
    if (!dirty || stopped) { return; }
    window.clearTimeout(saveTimer);
    if (!inFlight) { save(); return; }
    /* A save is still on its way: send the newest words too, on the version it started from
       (edits to other captions merge on the server). */
    var sent = body();
    if (sent.length < KEEPALIVE_MAX) {
      fetch("/save", { method: "POST", body: sent, credentials: "same-origin", keepalive: true,
                       headers: { "Accept": "application/json",
                                  "Content-Type": "application/json",
                                  "X-CSRFToken": form.elements.csrftoken.value } });
    }
  });
  window.addEventListener("beforeunload", function (e) {
    /* Only when the words cannot be sent on the way out (a very long clip): ask first. */
    if (dirty && !stopped && body().length >= KEEPALIVE_MAX) { e.preventDefault(); e.returnValue = ""; }
  });

  /* The decision buttons and the Save button post the form itself, once any save is done. */
  form.addEventListener("submit", function (e) {
    var button = e.submitter;
    if (button && button.name === "nudge") {
      e.preventDefault(); nudge(button.value); return;
    }
    window.clearTimeout(saveTimer);
    if (button && button.id === "save" && !stopped) {
      e.preventDefault(); dirty = true; pressed = true;
      say(status.getAttribute("data-saving")); save();
      return;
    }
    if (inFlight) {
      e.preventDefault();
      inFlight.then(function () { form.requestSubmit(button); });
    }
  });

  /* --- timing ------------------------------------------------------------------------------ */
  var duration = null;
  function setTime(cue, which, ms) {
    beginAction();
    var start = Number(cue.start.value), end = Number(cue.end.value);
    var limit = duration !== null ? duration : 24 * 3600 * 1000;
    if (which === "start") {
      cue.start.value = String(Math.max(0, Math.min(ms, end - MIN_CUE_MS)));
    } else {
      cue.end.value = String(Math.max(Math.min(limit, ms), start + MIN_CUE_MS));
    }
    showTimes(cue); settled = snapshot(); scheduleSave(0);
  }
  function nudge(value) {
    var parts = value.split(":"), cue = cues[Number(parts[0]) - 1];
    var step = parts[2] === "earlier" ? -NUDGE_MS : NUDGE_MS;
    setTime(cue, parts[1], Number(cue[parts[1]].value) + step);
  }
  form.addEventListener("click", function (e) {
    var button = e.target.closest("button");
    if (!button) { return; }
    if (button.hasAttribute("data-now") && video) {
      var parts = button.getAttribute("data-now").split(":");
      setTime(cues[Number(parts[0]) - 1], parts[1], Math.round(video.currentTime * 1000));
    } else if (button.hasAttribute("data-play") && video) {
      playCue(cues[Number(button.getAttribute("data-play")) - 1]);
    }
  });

  /* --- the video ----------------------------------------------------------------------------- */
  if (!video) { return; }
  var stopAt = null, stopTimer = null, playing = null;
  video.addEventListener("loadedmetadata", function () {
    if (isFinite(video.duration)) { duration = Math.round(video.duration * 1000); }
  });
  function playCue(cue) {
    playing = cue;
    var from = Math.max(0, Number(cue.start.value) - LEAD_MS) / 1000;
    stopAt = (Number(cue.end.value) + LEAD_MS) / 1000;
    video.currentTime = from;
    var played = video.play();
    if (played && played.catch) { played.catch(function () {}); }
    window.clearTimeout(stopTimer);
    stopTimer = window.setTimeout(function check() {
      if (stopAt === null) { return; }
      if (video.currentTime >= stopAt || video.ended) { video.pause(); stopAt = null; return; }
      stopTimer = window.setTimeout(check, 50);
    }, 50);
  }
  video.addEventListener("pause", function () { stopAt = null; });

  /* The player stays in view while it plays: when its place has scrolled out of sight it
     docks at the top (compact), and comes back when the clip stops or its place is seen. */
  var player = document.getElementById("player"), place = document.getElementById("player-place");
  var placeSeen = true;
  function dock() {
    var docked = !video.paused && !placeSeen;
    if (docked === player.classList.contains("docked")) { return; }
    place.style.minHeight = docked ? place.offsetHeight + "px" : "";
    player.classList.toggle("docked", docked);
    /* What gets focus or is scrolled to is never hidden under the docked player. */
    document.documentElement.style.scrollPaddingTop = docked ? player.offsetHeight + "px" : "";
    /* The caption being played stays readable below the docked player. */
    if (docked && playing) {
      var top = document.getElementById("cue-" + playing.n + "-heading") || playing.text;
      var r = top.getBoundingClientRect();
      if (r.top < player.offsetHeight) { window.scrollBy(0, r.top - player.offsetHeight - 8); }
    }
  }
  if (window.IntersectionObserver && player && place) {
    new IntersectionObserver(function (entries) {
      placeSeen = entries[entries.length - 1].intersectionRatio > 0.5; dock();
    }, { threshold: [0, 0.5, 1] }).observe(place);
    ["play", "pause", "ended"].forEach(function (n) { video.addEventListener(n, dock); });
  }
  function showNow() {
    var ms = video.currentTime * 1000, words = "";
    cues.forEach(function (c) {
      var on = ms >= Number(c.start.value) && ms < Number(c.end.value);
      if (on) { words = words ? words + "\n" + c.text.value : c.text.value; }
      c.li.classList.toggle("playing", on);
    });
    if (nowBox.textContent !== words) { nowBox.textContent = words; }
  }
  ["timeupdate", "seeked", "play"].forEach(function (n) { video.addEventListener(n, showNow); });
  var frame = null;
  function tick() { showNow(); frame = video.paused ? null : window.requestAnimationFrame(tick); }
  video.addEventListener("play", function () { if (!frame) { tick(); } });
  form.addEventListener("input", showNow);

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey && e.shiftKey && !e.altKey && !e.metaKey && (e.code === "Space" || e.key === " ")) {
      e.preventDefault();
      stopAt = null;
      if (video.paused) {
        var played = video.play();
        if (played && played.catch) { played.catch(function () {}); }
      } else { video.pause(); }
    }
  });
})();
