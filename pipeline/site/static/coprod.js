/* coprod's film page: one player with versions, text descriptions, chapters, an interactive
   transcript and keyboard shortcuts. Without this file the page still offers every version,
   its tracks and the whole transcript. No other script, font or website is used. */
(function () {
  'use strict';
  var video = document.getElementById('player');
  var controls = document.getElementById('controls');
  if (!video || !controls) { return; }
  document.documentElement.classList.add('js');
  var $ = function (sel) { return document.querySelector(sel); };
  var $$ = function (sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); };
  var status = $('#player-status');
  var playButton = $('#play');
  var captionsButton = $('#captions');
  var descriptionsButton = $('#descriptions');
  var pauseForDescriptions = $('#pause-descriptions');
  var describedNow = $('#description-now');
  var speed = $('#speed');
  var sections = $$('section.version');
  var heading = sections[0].querySelector('h3');
  // The download under the player follows the version playing; each version's own link stays.
  var own = sections[0].querySelector('.download a');
  var shownLink = own.cloneNode(true);
  own.parentNode.appendChild(shownLink);
  own.hidden = true;
  var lines = $$('#transcript-lines a.line');
  var chapterStarts = $$('.chapters a').map(function (a) { return parseFloat(a.dataset.start); });
  var captionsWanted = true;
  var current = null;

  controls.hidden = false;
  var shortcutList = $('#shortcuts');
  if (shortcutList) { shortcutList.hidden = false; }
  sections.slice(1).forEach(function (s) { s.hidden = true; });

  function track(kind) {
    for (var i = 0; i < video.textTracks.length; i++) {
      if (video.textTracks[i].kind === kind) { return video.textTracks[i]; }
    }
    return null;
  }
  function clock(t) {
    var s = Math.floor(t);
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }
  function say(text) { status.textContent = text; }

  function setCaptions(on, quiet) {
    var t = track('captions');
    if (!t) { return; }
    t.mode = on ? 'showing' : 'disabled';
    if (captionsButton) { captionsButton.setAttribute('aria-pressed', String(on)); }
    if (!quiet) { say(on ? 'Captions on.' : 'Captions off.'); }
  }
  function setDescriptions(on) {
    var t = track('descriptions');
    if (!t || !descriptionsButton) { return; }
    t.mode = on ? 'hidden' : 'disabled';
    descriptionsButton.setAttribute('aria-pressed', String(on));
    if (!on) { describedNow.textContent = ''; }
    say(on ? 'Text descriptions on.' : 'Text descriptions off.');
  }
  function describe() {
    var t = track('descriptions');
    if (!t || t.mode === 'disabled') { return; }
    if (!t.activeCues || !t.activeCues.length) { describedNow.textContent = ''; return; }
    describedNow.textContent = 'Description: ' + t.activeCues[0].text;
    if (pauseForDescriptions && pauseForDescriptions.checked && !video.paused) {
      video.pause();
      say('Paused while the description is read. Press Play to go on.');
    }
  }
  function watchDescriptions() {
    var t = track('descriptions');
    if (t) { t.addEventListener('cuechange', describe); }
  }

  function seek(seconds, play) {
    video.currentTime = seconds;
    if (play) { video.play(); }
  }
  function chapter(step) {
    if (!chapterStarts.length) { return; }
    var now = video.currentTime, target = null;
    if (step > 0) {
      target = chapterStarts.filter(function (s) { return s > now + 0.5; })[0];
    } else {
      var before = chapterStarts.filter(function (s) { return s < now - 1; });
      target = before.length ? before[before.length - 1] : chapterStarts[0];
    }
    if (target === undefined || target === null) { say('This is the last chapter.'); return; }
    seek(target, !video.paused);
    say('Chapter ' + (chapterStarts.indexOf(target) + 1) + ', from ' + clock(target) + '.');
  }

  function switchTo(key) {
    var section = sections.filter(function (s) { return s.dataset.version === key; })[0];
    if (!section) { return; }
    var at = video.currentTime, playing = !video.paused, rate = video.playbackRate;
    var burned = key === 'open-captions';
    if (burned) { setCaptions(false, true); } else { setCaptions(captionsWanted, true); }
    video.src = section.dataset.src;
    video.addEventListener('loadedmetadata', function () {
      video.currentTime = at;
      video.playbackRate = rate;
      if (playing) { video.play(); }
    }, {once: true});
    video.load();
    heading.textContent = section.dataset.name + ' version';
    var chosen = section.querySelector('.download a');
    shownLink.href = chosen.getAttribute('href');
    shownLink.textContent = chosen.textContent;
    $$('input[name=version]').forEach(function (r) { r.checked = r.value === key; });
    say(section.dataset.name + ' version, from ' + clock(at) + '.' +
        (burned ? ' Its captions are part of the picture.' : ''));
  }
  function nextVersion() {
    var keys = sections.map(function (s) { return s.dataset.version; });
    var chosen = $('input[name=version]:checked');
    var i = keys.indexOf(chosen ? chosen.value : keys[0]);
    switchTo(keys[(i + 1) % keys.length]);
  }
  function setSpeed(step) {
    var options = Array.prototype.map.call(speed.options, function (o) { return o.value; });
    var i = options.indexOf(speed.value) + step;
    if (i < 0 || i >= options.length) { return; }
    speed.value = options[i];
    video.playbackRate = parseFloat(speed.value);
    say('Speed ' + speed.value + ' times.');
  }

  function highlight() {
    var t = video.currentTime, found = null;
    for (var i = 0; i < lines.length; i++) {
      if (parseFloat(lines[i].dataset.start) <= t + 0.05) { found = lines[i]; } else { break; }
    }
    if (found === current) { return; }
    if (current) { current.classList.remove('current'); current.removeAttribute('aria-current'); }
    current = found;
    if (!current) { return; }
    current.classList.add('current');
    current.setAttribute('aria-current', 'true');
    var box = $('#transcript-lines');
    var top = current.offsetTop - box.offsetTop;
    if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - current.offsetHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }

  var actions = {
    'play-pause': function () { if (video.paused) { video.play(); } else { video.pause(); } },
    'captions': function () {
      var t = track('captions');
      captionsWanted = !(t && t.mode === 'showing');
      setCaptions(captionsWanted);
    },
    'descriptions': function () {
      var t = track('descriptions');
      setDescriptions(!(t && t.mode !== 'disabled'));
    },
    'version': nextVersion,
    'next-chapter': function () { chapter(1); },
    'previous-chapter': function () { chapter(-1); },
    'slower': function () { setSpeed(-1); },
    'faster': function () { setSpeed(1); },
    'transcript': function () { (current || lines[0] || video).focus(); }
  };

  $$('#controls button[data-action]').forEach(function (b) {
    b.addEventListener('click', function () { actions[b.dataset.action](); });
  });
  $$('input[name=version]').forEach(function (r) {
    r.addEventListener('change', function () { if (r.checked) { switchTo(r.value); } });
  });
  speed.addEventListener('change', function () {
    video.playbackRate = parseFloat(speed.value);
  });
  $$('a.seek').forEach(function (a) {
    a.addEventListener('click', function (e) {
      e.preventDefault();
      seek(parseFloat(a.dataset.start), true);
      say('Playing from ' + clock(parseFloat(a.dataset.start)) + '.');
    });
  });
  var keys = {};
  $$('#shortcuts kbd[data-action]').forEach(function (k) {
    keys['Key' + k.textContent.trim()] = k.dataset.action;
  });
  document.addEventListener('keydown', function (e) {
    // Alt+Shift and a letter only: typing, Tab and the video's own keys are left alone.
    if (!e.altKey || !e.shiftKey || e.ctrlKey || e.metaKey || !keys[e.code]) { return; }
    e.preventDefault();
    actions[keys[e.code]]();
  });
  video.addEventListener('play', function () { playButton.textContent = 'Pause'; });
  video.addEventListener('pause', function () { playButton.textContent = 'Play'; });
  video.addEventListener('timeupdate', highlight);
  video.addEventListener('seeked', highlight);
  video.addEventListener('ratechange', function () {
    speed.value = String(video.playbackRate);
  });
  watchDescriptions();
  setCaptions(true, true);
}());
